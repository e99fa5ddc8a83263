// Which account a connection belongs to (SPEC §2.2 `identity`, §10): the
// claims of the token response's id_token, the identity request made after
// connecting, the scope the provider granted, and whether a reconnect landed
// on another account than before.
#pragma once

#include "json.h"

#include <optional>
#include <string>

#include "connector.h"
#include "http.h"
#include "result.h"
#include "stamp.h"

namespace connauth {

// The payload of the token response's `id_token` (OIDC Core §2), decoded but
// not verified: it came straight from the token endpoint over TLS, which
// OIDC Core §3.1.3.7 (6) lets a client accept instead of checking the
// signature. `claims` is an object, or null when there is no usable id_token;
// `problem` says why one that is there cannot be read ("" otherwise).
struct IdTokenClaims {
  nlohmann::json claims;
  std::string problem;
};
IdTokenClaims read_id_token(const HttpResponse& token_response);

// RFC 6749 §5.1: the token response's `scope`; when it has none, the scope
// is the one requested (§3.3), `requested`.
std::string granted_scope(const HttpResponse& token_response, const std::string& requested);

// `identity.request` built like the test (SPEC §2.3) and authorized by the
// apply rules with the new credentials; nothing when the connector has none.
Result<std::optional<HttpRequest>> build_identity_request(const Connector& connector,
                                                          const Authorization& authorization,
                                                          const nlohmann::json& scope, const Stamp& stamp = {});

// What the identity request's answer says: `value` rendered against `scope`
// plus the response (SPEC §2.1 response keys), or nothing and the reason
// (the answer was not 2xx, the value has no value in it).
struct IdentityReading {
  std::optional<std::string> identity;
  std::string problem;
};
IdentityReading read_identity_response(const Authorization& authorization, const nlohmann::json& scope,
                                       const HttpResponse& response);

// A reconnect's account against the previous connection's
// (`previous` = {"identity", "owner_id"} as the host stored them): compared
// by owner_id when both have one, else by identity. Nothing when the
// accounts are the same or cannot be compared (either side unknown).
struct AccountChange {
  std::string from;  // what the user saw before (the identity, else the owner id)
  std::string to;
};
std::optional<AccountChange> account_change(const nlohmann::json& previous, const std::optional<std::string>& identity,
                                            const std::optional<std::string>& owner_id);

}  // namespace connauth
