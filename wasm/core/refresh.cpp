#include "refresh.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "connector_request.h"
#include "step_run.h"
#include "token_request.h"

namespace connauth {

using nlohmann::json;

namespace {

// expires_at as the engine writes it (an integer), or as a host might have
// stored it (a float or a numeric string).
std::optional<int64_t> expires_at_of(const json& connection) {
  if (!connection.is_object()) return std::nullopt;
  auto it = connection.find("expires_at");
  if (it == connection.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_float()) {
    double v = it->get<double>();
    if (std::isfinite(v) && std::fabs(v) < 9.2e18) return static_cast<int64_t>(v);
    return std::nullopt;
  }
  if (it->is_string()) {
    std::string warning;
    return read_expires_in(*it, warning);  // same strict numeric reading
  }
  return std::nullopt;
}

std::string refresh_token_in(const json& scope) {
  if (!scope.is_object()) return "";
  auto it = scope.find("refresh_token");
  return it != scope.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<RefreshPlan> cannot(std::string code, Cause cause, std::string message) {
  RefreshPlan plan;
  plan.cannot = CannotRefresh{std::move(code), cause, std::move(message)};
  return Result<RefreshPlan>::success(std::move(plan));
}

Result<RefreshPlan> send(Result<HttpRequest> request) {
  if (!request.ok()) return Result<RefreshPlan>::failure(std::move(request.errors));
  RefreshPlan plan;
  plan.request = std::move(request.value);
  return Result<RefreshPlan>::success(std::move(plan));
}

}  // namespace

std::optional<int64_t> refresh_deadline(const json& connection, int64_t refresh_buffer) {
  std::optional<int64_t> expires_at = expires_at_of(connection);
  if (!expires_at) return std::nullopt;
  // expires_at - buffer, saturating so a host's odd values cannot overflow.
  int64_t buffer = std::max<int64_t>(refresh_buffer, 0);
  return *expires_at < std::numeric_limits<int64_t>::min() + buffer ? std::numeric_limits<int64_t>::min()
                                                                      : *expires_at - buffer;
}

bool needs_refresh(const json& connection, int64_t now, int64_t refresh_buffer) {
  std::optional<int64_t> deadline = refresh_deadline(connection, refresh_buffer);
  return deadline && now >= *deadline;
}

Result<RefreshPlan> build_refresh_request(const Authorization& authorization, const json& scope,
                                          const std::optional<Template>& base_uri) {
  switch (authorization.type) {
    case AuthType::BasicAuth:
    case AuthType::ApiKey:
      return cannot("static_credentials", Cause::CredentialsRejected,
                    "These credentials cannot be refreshed: the provider rejected them. Enter new credentials.");
    case AuthType::Multi:
      return Result<RefreshPlan>::failure(authorization.where,
                                          "is multi: select an option before refreshing (select_authorization)");
    case AuthType::OAuth2:
    case AuthType::CustomAuth:
      break;
  }
  if (authorization.refresh_mode == Authorization::Refresh::Disabled)
    return cannot("refresh_disabled", Cause::AuthorizationRevoked,
                  "This provider's tokens cannot be refreshed (the connector sets refresh: false). Reconnect to "
                  "get a new token.");
  if (const Steps* steps = refresh_reading(authorization, std::nullopt).steps)
    return send(build_step_request(*steps, StepRun{}, scope, base_uri));
  if (authorization.type == AuthType::CustomAuth)
    return Result<RefreshPlan>::failure(authorization.where, "is custom_auth without acquire; add acquire");
  // oauth2, standard refresh-token grant (RFC 6749 §6).
  std::string refresh_token = refresh_token_in(scope);
  if (refresh_token.empty())
    return cannot("no_refresh_token", Cause::AuthorizationRevoked,
                  "The provider gave this connection no refresh token, so an expired token cannot be renewed. "
                  "Reconnect to get a new token.");
  QueryParams grant = {{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}};
  return send(build_token_request(authorization, scope, grant, base_uri));
}

RefreshReading refresh_reading(const Authorization& authorization, std::optional<int64_t> default_expires_in) {
  RefreshReading out;
  out.reading.default_expires_in = default_expires_in;
  out.reading.grant = TokenGrant::RefreshToken;
  out.reading.gateway = !authorization.oauth2.token_headers.empty();
  if (authorization.refresh_mode == Authorization::Refresh::Custom && !authorization.refresh.empty()) {
    out.steps = &authorization.refresh;
    out.reading.access_token_required = authorization.type == AuthType::OAuth2;
  } else if (authorization.type == AuthType::CustomAuth && !authorization.acquire.empty()) {
    // Re-acquiring sends the user's (or app's) credentials again.
    out.steps = &authorization.acquire;
    out.reading.grant = TokenGrant::Credentials;
    out.reading.access_token_required = false;
  }
  return out;
}

ConnectionUpdate read_refresh_response(const Authorization& authorization, const json& scope,
                                       const json& connection, const HttpResponse& response, int64_t now,
                                       std::optional<int64_t> default_expires_in) {
  RefreshReading r = refresh_reading(authorization, default_expires_in);
  TokenResult read;
  if (!r.steps) {
    read = read_token_response(response, r.reading);
  } else {
    StepProgress progress = read_step_answer(*r.steps, StepRun{}, response, scope, r.reading);
    if (progress.next) {
      TokenFailure f;
      f.error = "steps_pending";
      f.description = "the refresh is a list of steps: run it with refresh_finish, which carries the run";
      progress.read = TokenResult::fail(std::move(f));
    }
    read = std::move(progress.read);
  }
  return update_connection(read, connection, now, TokenStore::Refresh);
}

NextStep next_step(Action classification, bool refreshed) {
  if (classification == Action::Refresh && !refreshed) return NextStep::RefreshAndRetry;
  return NextStep::Deliver;
}

}  // namespace connauth
