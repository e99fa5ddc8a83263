// Keeping a connection's tokens fresh (SPEC §2.5 rule 3, §3): when to
// refresh, the refresh request, reading its answer into the connection hash,
// and the retry-once rule for an authorized request. The host makes refresh
// single-flight per connection (SPEC §3) and writes the new hash atomically.
#pragma once

#include "json.h"

#include <cstdint>
#include <optional>
#include <string>

#include "connector.h"
#include "diagnosis.h"
#include "http.h"
#include "result.h"
#include "signals.h"
#include "token_response.h"

namespace connauth {

constexpr int64_t kDefaultRefreshBuffer = 60;  // SPEC §3: app setting, default 60 s

// Proactive refresh (SPEC §3): true when the hash has an expires_at and
// now >= expires_at - refresh_buffer. Without a known expiry, tokens are
// refreshed on signals only (SPEC §2.5).
bool needs_refresh(const nlohmann::json& connection, int64_t now, int64_t refresh_buffer = kDefaultRefreshBuffer);

// The same rule as a deadline: needs_refresh is true exactly when
// now >= the deadline (expires_at - refresh_buffer, saturating; a negative
// buffer counts as 0). None without a known expiry: refreshed on signals
// only. A host caches credentials until then without asking per request.
std::optional<int64_t> refresh_deadline(const nlohmann::json& connection, int64_t refresh_buffer = kDefaultRefreshBuffer);

// Why no refresh request can be made. The connection cannot recover by
// itself: it is lost with `cause` and the user must act.
struct CannotRefresh {
  std::string code;  // refresh_disabled, no_refresh_token, static_credentials
  Cause cause;
  std::string message;
};

struct RefreshPlan {
  std::optional<HttpRequest> request;  // send this, then read_refresh_response
  std::optional<CannotRefresh> cannot;
};

// What refreshing means for the authorization in force:
//   oauth2, standard   — the refresh-token grant at token_url (RFC 6749 §6):
//                        grant_type=refresh_token, refresh_token and client
//                        authentication; the scope is not resent, so the
//                        grant keeps the scope the user approved;
//   refresh step       — the connector's `refresh` request;
//   custom_auth        — `acquire` again (Workato re-runs acquire on
//                        refresh_on / detect_on);
//   `refresh: false`, no refresh token, basic_auth, api_key — cannot refresh.
// Template problems (a missing value) fail the Result: a connector_error.
Result<RefreshPlan> build_refresh_request(const Authorization& authorization, const nlohmann::json& scope,
                                          const std::optional<Template>& base_uri);

// How a refresh answer is read: the steps refreshing runs (the `refresh`
// steps, or custom_auth's `acquire` again; step_run.h), or none for the
// refresh-token grant's standard token response.
struct RefreshReading {
  const Steps* steps = nullptr;  // points into the Authorization
  TokenReading reading;
};
RefreshReading refresh_reading(const Authorization& authorization, std::optional<int64_t> default_expires_in);

// Reads the refresh answer into `connection` (the user's stored hash): the
// new access token and expiry, merged values, and the refresh token: a new
// one replaces the old, none keeps the old (SPEC §3). For a refresh of one
// request; a list of steps runs through flow_api.h refresh_finish.
ConnectionUpdate read_refresh_response(const Authorization& authorization, const nlohmann::json& scope,
                                       const nlohmann::json& connection, const HttpResponse& response,
                                       int64_t now, std::optional<int64_t> default_expires_in);

// SPEC §2.5 rule 3 for one authorized request. `classification` is the
// signal classification of the latest response; `refreshed` says whether a
// refresh already happened for this request. A request is retried at most
// once: after the refresh and retry, the retry's response is final whatever
// it is; a retry classified `refresh` is delivered as an error (and, when it
// was a 401/403, means authorization_revoked: rejected even with a fresh
// token, SPEC §4).
enum class NextStep {
  Deliver,          // hand the response to the caller as it is
  RefreshAndRetry,  // refresh (single-flight), then send the request once more
};
NextStep next_step(Action classification, bool refreshed);

}  // namespace connauth
