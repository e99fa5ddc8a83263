#include "connection_check.h"

#include "apply_rule.h"
#include "connector_request.h"
#include "signals.h"

namespace connauth {

namespace {

// The cause when the provider refuses the credentials themselves.
Cause rejected_cause(const Authorization& authorization) {
  return authorization.type == AuthType::OAuth2 ? Cause::AuthorizationRevoked : Cause::CredentialsRejected;
}

TestVerdict failed(Cause cause, std::string detail) {
  return TestVerdict{TestVerdict::Outcome::Failed, cause, std::move(detail)};
}

}  // namespace

Result<std::optional<HttpRequest>> build_test_request(const Connector& connector, const Authorization& authorization,
                                                      const nlohmann::json& scope, const Stamp& stamp) {
  using R = Result<std::optional<HttpRequest>>;
  if (!connector.test) return R::success(std::nullopt);
  auto request = build_request(*connector.test, scope, connector.base_uri);
  if (!request.ok()) return R::failure(std::move(request.errors));
  // A signer would sign the JWT's unsigned signing input (jwt.h): the host
  // signs the JWT only after the engine has built the whole request.
  if (!request.value->jwts.empty())
    for (const ApplyRule& rule : authorization.apply)
      if (rule.sign)
        return R::failure(connector.test->where,
                          "carries a JWT, and an apply rule signs requests (sign): a signature cannot cover a JWT "
                          "the host signs afterwards; send the JWT from acquire instead");
  auto applied = apply_rules(authorization.apply, std::move(*request.value), scope, stamp);
  if (!applied.ok()) return R::failure(std::move(applied.errors));
  return R::success(std::move(applied.value));
}

bool can_refresh(const Authorization& authorization) {
  if (authorization.refresh_mode == Authorization::Refresh::Disabled) return false;
  switch (authorization.type) {
    case AuthType::OAuth2:
      return true;
    case AuthType::CustomAuth:
      return !authorization.acquire.empty() || !authorization.refresh.empty();
    default:
      return false;
  }
}

TestVerdict read_test_response(const Authorization& authorization, const HttpResponse& response, bool refreshed) {
  std::string status = "the test answered HTTP " + std::to_string(response.status);
  if (response.status >= 500 || response.status == 429) return failed(Cause::ProviderUnavailable, status);

  Classification c = classify(authorization.refresh_on, authorization.detect_on, response);
  std::string detail = c.matched.empty() ? status : status + " matching " + c.matched;
  bool auth_status = response.status == 401 || response.status == 403;
  switch (c.action) {
    case Action::Ok:
      return TestVerdict{TestVerdict::Outcome::Ok, std::nullopt, ""};
    case Action::Refresh:
      if (!refreshed && can_refresh(authorization)) return TestVerdict{TestVerdict::Outcome::Refresh, std::nullopt, detail};
      // SPEC §2.5 rule 3: the retry after a refresh is final.
      if (auth_status || (response.status >= 200 && response.status <= 299))
        return failed(rejected_cause(authorization), detail);
      return failed(Cause::ConnectorError, detail);
    case Action::Error:
      // A 2xx is an error here only through detect_on, which connectors use
      // to spot authorization failures hidden behind 200 (SPEC §2.5).
      if (auth_status || (response.status >= 200 && response.status <= 299))
        return failed(rejected_cause(authorization), detail);
      return failed(Cause::ConnectorError, detail);
  }
  return failed(Cause::ConnectorError, detail);
}

}  // namespace connauth
