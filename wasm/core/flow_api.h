// The flows of SPEC §3–§4 for the hosts, JSON in and JSON out (the WASM
// bindings expose these; engine.h has validate/apply/classify). Each protocol
// step is a pair: *_begin builds the request the host sends, *_finish reads
// the response the host received (oauth4webapi's shape). The host passes the
// clock (`now`, epoch seconds) and randomness; nothing here reads either.
//
// Every function answers one of:
//   {"ok": true, "value": ...}
//   {"ok": false, "errors": [{"path", "message"}]}          bad input (paths into the arguments)
//   {"ok": false, "error": {"code", "cause", "message", "action", "detail"}}
//                                                           the flow failed; `cause` is a SPEC §4
//                                                           cause (null for a callback the flow
//                                                           itself refused), `action` what to do
// and never throws. A connector template with no value fails a build as
// connector_error, with the problems under "errors" as well.
//
// `context` (scope.h) = {
//   "connection": the user's flat hash (fields, access_token, refresh_token, expires_at, merged values),
//   "app": {"client_id", "client_secret", "scopes", "settings", "default_expires_in",
//           "refresh_buffer", "issuer"},
//   "flow": {"redirect_uri", "code", "state", "verifier"},
//   "state": the connection state (connection_state.h), read for last_working_version only,
//   "steps": the step run of an `acquire` or `refresh` that is a list of steps (SPEC §10), as the
//            previous *_finish answered it; absent for the first step
// }
// A list of steps runs one request at a time: while steps remain, authorize_finish,
// connect_finish and refresh_finish answer {"step", "request", "steps"} instead of the
// connection: send `request`, then call the same *_finish with its response and
// context.steps = `steps`. The run holds earlier answers (secrets among them): the host
// keeps it in memory for this one operation and never stores or logs it (step_run.h).
// A `response` is {"status", "headers", "body"}, or {"network_error": "what happened"} when
// the host got no response at all (provider_unavailable).
#pragma once

#include "json.h"

#include <cstdint>
#include <string>

#include "connector.h"

namespace connauth {

// ---- oauth2 authorization code (SPEC §2.2, §3) ------------------------------

// `random_bytes_hex`: bytes from the host's CSPRNG, 16 for the state and
// what the PKCE verifier needs (32 for the default 43 characters, 96 for 128):
// 112 bytes (224 hex digits) are always enough.
// -> {"url", "pending": {state, verifier, expires_at, redirect_uri}, "noopener"}.
// The host stores `pending` server-side, bound to org, user and app.
nlohmann::json authorize_begin(const Connector& connector, const nlohmann::json& context,
                               const std::string& random_bytes_hex, int64_t now);

// `params`: the callback query as a string ("code=..&state=.."), an object of
// strings, or a list of [name, value] pairs. The host deletes `pending`
// whatever the outcome (single use). -> {"request", "flow"}: send `request`,
// then pass `flow` as context.flow to authorize_finish.
nlohmann::json authorize_callback(const Connector& connector, const nlohmann::json& context,
                                  const nlohmann::json& pending, const nlohmann::json& params, int64_t now);

// -> {"connection", "warnings", "scope", "identity"?, "identity_problem"?,
// "owner_id"?}: the new hash to store; `scope` the granted scope (the token
// response's, else the one requested: RFC 6749 §5.1, §3.3); `identity` may
// read the response's id_token claims ({{id_token.email}}); when the
// connector's identity has no value, `identity_problem` says why. A
// connector with an identity request leaves the identity to identity_begin.
nlohmann::json authorize_finish(const Connector& connector, const nlohmann::json& context,
                                const nlohmann::json& response, int64_t now);

// ---- refresh (SPEC §2.5 rule 3, §3) ------------------------------------------

// -> true when the connection's token is within app.refresh_buffer (default
// 60 s) of expires_at.
nlohmann::json refresh_needed(const nlohmann::json& context, int64_t now);

// -> when a refresh is due (epoch seconds; refresh_needed is true from then
// on), or null when the expiry is unknown (signals only).
nlohmann::json refresh_deadline(const nlohmann::json& context);

// -> {"request"}, or an error with code refresh_disabled / no_refresh_token /
// static_credentials when no refresh is possible (the connection is lost).
nlohmann::json refresh_begin(const Connector& connector, const nlohmann::json& context, int64_t now);

// -> {"connection", "warnings", "scope"?}: the refreshed hash (old refresh
// token kept unless a new one came). The host writes it atomically. oauth2:
// `scope` is the response's granted scope, which may be narrower (RFC 6749
// §6); absent when the response has none: the granted scope is unchanged.
nlohmann::json refresh_finish(const Connector& connector, const nlohmann::json& context,
                              const nlohmann::json& response, int64_t now);

// SPEC §2.5 rule 3: `classification` "ok" | "refresh" | "error" of the latest
// response, `refreshed` whether this request already had its refresh.
// -> {"next": "deliver" | "refresh_and_retry"}. The retry's outcome is final.
nlohmann::json request_next_step(const std::string& classification, bool refreshed);

// ---- connect without a redirect, and "Check connection" (SPEC §4) ------------

// api_key, basic_auth, custom_auth: -> {"step": "acquire", "request"} when
// the authorization has `acquire` (send it, then connect_finish), else
// {"step": "test", "request"} or {"step": "done"} (no test defined).
nlohmann::json connect_begin(const Connector& connector, const nlohmann::json& context, int64_t now);

// Reads the acquire response -> {"connection", "warnings", "owner_id"?}; then test_begin.
nlohmann::json connect_finish(const Connector& connector, const nlohmann::json& context,
                              const nlohmann::json& response, int64_t now);

// The connector's test with credentials applied -> {"request"} (null: no test).
// "Check connection" runs it at once, whatever the state's next_retry_at.
nlohmann::json test_begin(const Connector& connector, const nlohmann::json& context);

// -> {"outcome": "ok"} | {"outcome": "refresh"} (refresh, then test once more
// with refreshed = true) | an error with the SPEC §4 cause.
nlohmann::json test_finish(const Connector& connector, const nlohmann::json& context,
                           const nlohmann::json& response, bool refreshed);

// SPEC §10 identity request, made after connecting with the new connection
// in `context`: -> {"request"} (null: the connector has none). Then
// identity_finish reads the answer -> {"identity"} or {"identity": null,
// "identity_problem"}: a failed identity request never fails the connection.
nlohmann::json identity_begin(const Connector& connector, const nlohmann::json& context);
nlohmann::json identity_finish(const Connector& connector, const nlohmann::json& context,
                               const nlohmann::json& response);

// -> SPEC §2.2 `identity` of the authorization in force rendered against the
// connection (e.g. the account e-mail), or null when it has none or a value
// it reads is missing.
nlohmann::json connection_identity(const Connector& connector, const nlohmann::json& context);

// ---- revocation (SPEC §9, RFC 7009) -------------------------------------------

// After the host has deleted a connection's tokens (disconnect, app reset or
// delete): -> {"request"} to send, best effort, or {"request": null} when
// there is nothing to revoke (no revocation_url, no token). The answer's
// status does not matter to the connection, which is already gone.
nlohmann::json revoke_begin(const Connector& connector, const nlohmann::json& context);

// ---- connection state (SPEC §4) ----------------------------------------------

// `connector_version`: integer, or null when unknown. -> the new state.
nlohmann::json state_success(const nlohmann::json& state, int64_t now, const nlohmann::json& connector_version);
// `random_fraction` in [0, 1) from the host, for the backoff jitter.
// `settings`: {"lost_after_failures", "backoff_base_seconds", "backoff_cap_seconds"} or null.
nlohmann::json state_failure(const nlohmann::json& state, const std::string& cause, const std::string& detail,
                             int64_t now, double random_fraction, const nlohmann::json& settings);
nlohmann::json state_disconnect(const nlohmann::json& state, int64_t now, const std::string& detail);
// What a connection view shows (SPEC §7 GET connection): {"status" (disabled
// while the app is), "lost": {"cause", "message", "action", "detail"} when
// degraded or lost, "next_retry_at", "last_success_at", "history"}.
nlohmann::json state_view(const nlohmann::json& state, bool app_enabled);

}  // namespace connauth
