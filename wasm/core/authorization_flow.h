// The OAuth 2.0 authorization-code flow (SPEC §2.2, §3; RFC 6749 §4.1, PKCE
// RFC 7636, issuer identification RFC 9207), as three steps the host drives:
//
//   begin_authorization   -> URL for the consent popup + a pending record the
//                            host stores bound to org, user and app;
//   verify_callback       -> the callback's query checked against the pending
//                            record (the host deletes the record: single use);
//   build_code_exchange   -> the token request (or the connector's `acquire`);
//   finish_authorization  -> the new connection hash from the token response.
//
// The host passes in the clock and the random bytes, and does the I/O.
#pragma once

#include "json.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connector.h"
#include "diagnosis.h"
#include "http.h"
#include "result.h"
#include "step_run.h"
#include "token_response.h"
#include "url.h"

namespace connauth {

constexpr int64_t kStateLifetime = 600;  // SPEC §3: a state is valid 10 minutes
constexpr size_t kStateBytes = 16;       // SPEC §3: at least 128 random bits
constexpr size_t kVerifierBytes = 32;    // RFC 7636 §4.1: 32 octets -> 43 base64url characters
constexpr size_t kMaxVerifierBytes = 96; // 128 characters, the longest verifier RFC 7636 §4.1 allows
// begin_authorization reads the state from the first kStateBytes and the
// verifier from the bytes after them: kVerifierBytes for the default 43
// characters, up to kMaxVerifierBytes. Hosts pass kAuthorizationRandomBytes.
constexpr size_t kAuthorizationRandomBytes = kStateBytes + kMaxVerifierBytes;

// Random bytes a verifier of `length` base64url characters is cut from.
constexpr size_t verifier_bytes(int length) { return 3 * (static_cast<size_t>(length) - 1) / 4 + 1; }

// What the host keeps between begin and callback. The verifier is a secret
// (RFC 7636 §7.1): store it server-side, never in the browser.
struct PendingAuthorization {
  std::string state;
  std::string verifier;  // empty when the connector turned PKCE off
  int64_t expires_at = 0;
  std::string redirect_uri;
};

nlohmann::json to_json(const PendingAuthorization& pending);
Result<PendingAuthorization> pending_from_json(const nlohmann::json& j, const std::string& where = "");

struct AuthorizationStart {
  std::string url;
  PendingAuthorization pending;
};

// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(verifier))) for S256, the
// verifier itself for plain.
std::string pkce_challenge(std::string_view verifier,
                           OAuth2Settings::PkceMethod method = OAuth2Settings::PkceMethod::S256);

// Compares without an early exit, so the time taken does not tell an
// attacker how much of a guessed state was right (SPEC §3).
bool constant_time_equals(std::string_view a, std::string_view b);

// The authorization URL for an oauth2 authorization: authorization_url, then
// response_type=code, client_id, redirect_uri, state, scope (the connector's
// scopes or else the app's, joined with scope_separator; left out when there
// are none), code_challenge and code_challenge_method (S256 or plain, when
// pkce), then authorization_params; a parameter the URL already carries is
// not added again (SPEC §2.2). `scope` must hold redirect_uri (scope.h
// "flow"); `random_bytes` from a CSPRNG, kStateBytes plus the verifier's
// verifier_bytes (kAuthorizationRandomBytes is always enough).
Result<AuthorizationStart> begin_authorization(const Authorization& authorization, const nlohmann::json& scope,
                                               std::string_view random_bytes, int64_t now);

// Why a callback was refused. `cause` is set for errors the provider
// reported (they say something about the connection); the flow's own checks
// (state, issuer, missing code) leave it empty: nothing is known about the
// connection, the user just starts again.
struct CallbackError {
  std::string code;     // invalid_callback, state_mismatch, state_expired, issuer_missing, issuer_mismatch,
                        // missing_code, or the provider's RFC 6749 §4.1.2.1 code (access_denied, ...)
  std::optional<Cause> cause;
  std::string message;  // for the user: what happened and what to do
};

struct CallbackResult {
  std::optional<std::string> code;  // the authorization code
  std::optional<CallbackError> error;
  bool ok() const { return code.has_value(); }
};

// Checks the callback query (decoded pairs) in the order that keeps an
// attacker's input from being trusted: parameters not repeated (RFC 6749
// §3.1), state equal to the pending one (constant time) and not expired,
// iss present and equal to `issuer` when the app knows it (RFC 9207 §2.4;
// with no issuer known, iss is not required), then the provider's error,
// then the code.
CallbackResult verify_callback(const QueryParams& params, const PendingAuthorization& pending,
                               const std::optional<std::string>& issuer, int64_t now);

// The scope of the code exchange: `scope` plus the flow keys code, verifier,
// state and redirect_uri (SPEC §2.1) for `acquire` templates.
nlohmann::json exchange_scope(nlohmann::json scope, const std::string& code, const PendingAuthorization& pending);

// The code exchange: the connector's `acquire` request when it has one,
// else POST token_url with grant_type=authorization_code, code,
// redirect_uri, code_verifier (when PKCE) and client authentication
// (token_request.h). `scope` is the exchange_scope.
Result<HttpRequest> build_code_exchange(const Authorization& authorization, const nlohmann::json& scope,
                                        const std::optional<Template>& base_uri);

// Reads the code exchange's response (the standard token response, or the
// `acquire` mapping) into a new connection hash: `connection` (the user's
// stored hash) with access_token, refresh_token and expires_at of the new
// grant and the merged values. A refresh token of an earlier grant is not
// kept. `scope` is the exchange_scope.
ConnectionUpdate finish_authorization(const Authorization& authorization, const nlohmann::json& scope,
                                      const nlohmann::json& connection, const HttpResponse& response, int64_t now,
                                      std::optional<int64_t> default_expires_in);

// The scope parameter of the authorization request (RFC 6749 §3.3): the
// connector's own list joined with its separator, else the app's.
std::string requested_scopes(const OAuth2Settings& oauth2, const nlohmann::json& scope);

// The same for an `acquire` that is a list of steps (SPEC §10): the answer to
// `run`'s next step gives the run to go on with (`next`: build its request
// with build_step_request), or after the last step the update.
struct AuthorizationProgress {
  std::optional<StepRun> next;
  ConnectionUpdate update;
};
AuthorizationProgress finish_authorization(const Authorization& authorization, const nlohmann::json& scope,
                                           const nlohmann::json& connection, const HttpResponse& response,
                                           int64_t now, std::optional<int64_t> default_expires_in, StepRun run);

// The identity shown on the connection (SPEC §2.2, e.g. the account email),
// rendered against a scope built from the new connection hash; nothing when
// the connector has none or its values are not there.
std::optional<std::string> render_identity(const Authorization& authorization, const nlohmann::json& scope);

}  // namespace connauth
