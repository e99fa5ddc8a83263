#include "identity.h"

#include "apply_rule.h"
#include "connector_request.h"
#include "json_io.h"
#include "token_response.h"
#include "url.h"

namespace connauth {

using nlohmann::json;

namespace {

std::optional<std::string> text_member(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) return std::nullopt;
  return it->get<std::string>();
}

IdTokenClaims unreadable(std::string why) { return IdTokenClaims{json(), "the id_token " + std::move(why)}; }

}  // namespace

IdTokenClaims read_id_token(const HttpResponse& token_response) {
  json body = parse_json_body(token_response.body);
  if (!body.is_object() || !body.contains("id_token") || body["id_token"].is_null()) return {};
  if (!body["id_token"].is_string()) return unreadable("is not a string");
  const std::string& token = body["id_token"].get_ref<const std::string&>();
  // RFC 7519 §7.2: header.payload.signature; the claims are the payload.
  size_t first = token.find('.');
  size_t second = first == std::string::npos ? first : token.find('.', first + 1);
  if (second == std::string::npos || token.find('.', second + 1) != std::string::npos)
    return unreadable("is not a JWT (three dot-separated parts)");
  std::optional<std::string> payload = base64url_decode(std::string_view(token).substr(first + 1, second - first - 1));
  if (!payload) return unreadable("payload is not base64url");
  json claims = parse_json_body(*payload);
  if (!claims.is_object()) return unreadable("payload is not a JSON object");
  return IdTokenClaims{std::move(claims), ""};
}

std::string granted_scope(const HttpResponse& token_response, const std::string& requested) {
  json body = parse_json_body(token_response.body);
  if (auto scope = text_member(body, "scope")) return *scope;
  return requested;
}

Result<std::optional<HttpRequest>> build_identity_request(const Connector& connector,
                                                          const Authorization& authorization, const json& scope,
                                                          const Stamp& stamp) {
  using R = Result<std::optional<HttpRequest>>;
  if (!authorization.identity_request) return R::success(std::nullopt);
  auto request = build_request(*authorization.identity_request, scope, connector.base_uri);
  if (!request.ok()) return R::failure(std::move(request.errors));
  auto applied = apply_rules(authorization.apply, std::move(*request.value), scope, stamp);
  if (!applied.ok()) return R::failure(std::move(applied.errors));
  return R::success(std::move(applied.value));
}

IdentityReading read_identity_response(const Authorization& authorization, const json& scope,
                                       const HttpResponse& response) {
  if (response.status < 200 || response.status > 299)
    return {std::nullopt, "the identity request answered HTTP " + std::to_string(response.status)};
  if (!authorization.identity) return {std::nullopt, "the connector has no identity value"};
  auto rendered = authorization.identity->render(response_scope(scope, response));
  if (!rendered.ok())
    return {std::nullopt, rendered.errors.front().path + ": " + rendered.errors.front().message};
  if (rendered.value->empty()) return {std::nullopt, authorization.identity->where() + ": the value is empty"};
  return {std::move(*rendered.value), ""};
}

std::optional<AccountChange> account_change(const json& previous, const std::optional<std::string>& identity,
                                            const std::optional<std::string>& owner_id) {
  std::optional<std::string> before_owner = text_member(previous, "owner_id");
  std::optional<std::string> before_identity = text_member(previous, "identity");
  if (owner_id && before_owner) {
    if (*owner_id == *before_owner) return std::nullopt;
  } else if (!identity || !before_identity || *identity == *before_identity) {
    return std::nullopt;
  }
  return AccountChange{before_identity ? *before_identity : before_owner.value_or(""),
                       identity ? *identity : owner_id.value_or("")};
}

}  // namespace connauth
