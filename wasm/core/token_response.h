// Reading a token endpoint's answer (SPEC §3; RFC 6749 §5.1 and §5.2) and
// storing the tokens in the flat connection hash (SPEC §6). The caller built
// the request (authorization_flow.h, refresh.h) and did the I/O; this turns
// the response into tokens, or into a failure with its SPEC §4 cause.
#pragma once

#include "json.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connector.h"
#include "diagnosis.h"
#include "http.h"

namespace connauth {

// Which grant the response answers. It decides what a 401/403 that names no
// OAuth error means (classify_token_failure).
enum class TokenGrant {
  AuthorizationCode,  // the code exchange of the authorization flow (or oauth2 acquire)
  RefreshToken,       // the refresh-token grant, or a custom `refresh` step
  Credentials,        // custom_auth acquire: the user's or app's credentials are sent
};

struct TokenSet {
  std::string access_token;                 // empty only when not required
  std::optional<std::string> refresh_token;
  std::optional<int64_t> expires_in;        // seconds; the app default fills a missing one
  std::optional<std::string> owner_id;      // a Step's owner_id
  nlohmann::json merge = nlohmann::json::object();  // a Step's merge values
  std::vector<std::string> warnings;        // e.g. an unusable expires_in; never a token value
};

struct TokenFailure {
  Cause cause = Cause::ConnectorError;
  std::string error;        // RFC 6749 §5.2 code from the provider, or the engine's own
                            // ("malformed_response", "missing_access_token", "unreachable", ...)
  std::string description;  // the provider's error_description (sanitised) or the engine's
  std::string error_uri;    // the provider's error_uri (RFC 6749 §5.2), for logs; may be empty
  int status = 0;           // HTTP status; 0 = no response

  // One line for the connection history (SPEC §4): code, status, description.
  std::string detail() const;
};

struct TokenResult {
  std::optional<TokenSet> tokens;
  std::optional<TokenFailure> failure;
  bool ok() const { return tokens.has_value(); }
  static TokenResult success(TokenSet t);
  static TokenResult fail(TokenFailure f);
};

struct TokenReading {
  TokenGrant grant = TokenGrant::AuthorizationCode;
  // SPEC §3: the app's default lifetime, used when the response has none.
  std::optional<int64_t> default_expires_in;
  // oauth2 always needs an access token: a standard token response must
  // carry one, and its steps together must yield one (step_run.h). A
  // custom_auth step that says "tokens": false yields only `merge` values (a
  // session id, an instance URL).
  bool access_token_required = true;
  // The request carried the connector's token_headers for a gateway in
  // front of the token endpoint: a 401/403 naming no OAuth error is that
  // gateway refusing the app's settings, which an admin fixes
  // (client_misconfigured), not the OAuth server's verdict on the grant.
  bool gateway = false;
};

// SPEC §4 cause of a failed token request: provider signals first (5xx, 429,
// RFC 6749 §5.2 codes), then what an unexplained 4xx means for `grant`.
Cause classify_token_failure(int status, const std::string& error, TokenGrant grant);

// A standard token response: RFC 6749 §5.1 member names.
TokenResult read_token_response(const HttpResponse& response, const TokenReading& reading);

// The response to a connector step (`acquire` or custom `refresh`, SPEC §2.3):
// `tokens` (standard names where absent; none when the step does not yield
// tokens, connector.h), `owner_id` and `merge` are rendered against `scope`
// plus `response`, `response_headers` and `status`. A step that yields
// tokens must yield an access token.
TokenResult read_step_response(const HttpResponse& response, const Step& step, const nlohmann::json& scope,
                               const TokenReading& reading);

// The host could not get a response at all (DNS, connect, TLS, timeout):
// provider_unavailable (SPEC §4).
TokenFailure unreachable_failure(const std::string& what);

// `scope` plus the response keys of SPEC §2.1: `response` (the body parsed as
// JSON, or the body text when it is not JSON), `response_headers` (by lower-case
// name) and `status`.
nlohmann::json response_scope(nlohmann::json scope, const HttpResponse& response);

// How new tokens replace the old ones in the connection hash.
enum class TokenStore {
  NewGrant,  // a new authorization: a refresh token of an earlier grant is dropped
  Refresh,   // SPEC §3: a response without refresh_token keeps the old one
};

// The connection hash with `tokens` stored: merge values, access_token,
// refresh_token (per `mode`), expires_at = now + expires_in, or no expires_at
// when the lifetime is unknown (refresh then happens on signals only).
nlohmann::json store_tokens(nlohmann::json connection, const TokenSet& tokens, int64_t now, TokenStore mode);

// The outcome of a token request for the connection: the new hash, or why
// there is none.
struct ConnectionUpdate {
  std::optional<nlohmann::json> connection;
  std::optional<std::string> owner_id;
  std::vector<std::string> warnings;
  std::optional<TokenFailure> failure;
  bool ok() const { return connection.has_value(); }
};

// store_tokens for a successful read, the failure otherwise.
ConnectionUpdate update_connection(const TokenResult& read, nlohmann::json connection, int64_t now,
                                   TokenStore mode);

// RFC 6749 §5.1 `expires_in`: a number or numeric string of seconds.
// Non-numeric, negative, non-finite or out-of-range values are unusable
// (SPEC §3): nullopt, with the reason in `warning`.
std::optional<int64_t> read_expires_in(const nlohmann::json& value, std::string& warning);

}  // namespace connauth
