// Why a connection failed and what the user should do (SPEC §4). Every
// failure the flows recognise is reduced to one of five causes; each cause has
// a stable code (its name, used on the wire and in the connection history), a
// message saying what happened and an action saying what to do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace connauth {

enum class Cause {
  ProviderUnavailable,   // unreachable, timeout, 5xx, 429: transient
  AuthorizationRevoked,  // invalid_grant, refresh rejected, 401/403 after a fresh token
  CredentialsRejected,   // api_key / basic / custom_auth credentials rejected
  ClientMisconfigured,   // invalid_client, unauthorized_client
  ConnectorError,        // malformed token response, missing template value, unexpected 4xx
};

// The stable code: "provider_unavailable", "authorization_revoked", ...
const char* to_string(Cause cause);
std::optional<Cause> cause_from_string(std::string_view code);

// Only provider_unavailable recovers by itself (SPEC §4: retried with backoff);
// every other cause needs a person to act.
bool is_transient(Cause cause);

struct Diagnosis {
  Cause cause;
  std::string code;     // to_string(cause)
  std::string message;  // what happened, for the user
  std::string action;   // what to do about it (SPEC §4, last column)
};

// The SPEC §4 diagnosis of `cause`. `last_working_version` is the connector
// version under which the connection last worked (ConnectionState): a
// connector_error names it, because restoring it is the fix when a recent
// change broke the definition.
Diagnosis diagnose(Cause cause, std::optional<int64_t> last_working_version = std::nullopt);

}  // namespace connauth
