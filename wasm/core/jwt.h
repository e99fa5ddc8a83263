// Signed JWTs in the requests the engine builds (SPEC §10): the request value
// `{"jwt": {"alg", "key", "kid"?, "claims"}}` and the client assertion of
// `client_auth: "private_key_jwt"` (RFC 7523 §2.2, OIDC Core §9).
//
// The engine decides everything a JWT says: its header, its claims (with
// `iat`, `exp` and `jti` from the host's stamp) and which key signs it. It
// does not sign: RSA and ECDSA belong to the host's WebCrypto (through jose),
// which keeps the core small and synchronous. So a built request carries,
// where the JWT goes, its signing input (RFC 7515 §5.1: BASE64URL(header) "."
// BASE64URL(claims)) and a JwtToSign entry (http.h); the host's
// wasm/jwt_sign.mjs signs that input and appends "." and the signature in
// place. base64url and "." pass unchanged through form, query, JSON and header
// encoding, and the input (which holds a fresh `jti`) cannot collide with
// other request text.
#pragma once

#include "json.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http.h"
#include "result.h"
#include "template.h"

namespace connauth {

class DefinitionReader;

// A parsed `{"jwt": …}` request value.
struct JwtValue {
  std::string where;         // JSON pointer of the {"jwt": …} value
  // In a `json` body: the path to the value there, member names (strings)
  // and array indexes (numbers).
  std::optional<std::vector<nlohmann::json>> body_path;
  std::string alg;           // RS256 | ES256
  Template key;              // PEM PKCS#8 private key
  std::optional<Template> kid;
  JsonTemplate claims;
};

// Whether `value` is written as a JWT request value: an object whose only
// member is `jwt`.
bool is_jwt_value(const nlohmann::json& value);

// Reads `{"jwt": {...}}` at `where`; problems (unknown alg, a missing key or
// claims object, template syntax) are appended to the reader.
std::optional<JwtValue> read_jwt_value(DefinitionReader& in, const nlohmann::json& value, const std::string& where);

// Builds the JWT of `value` against `scope`, whose `now` and `uuid` are the
// host's stamp (stamp.h); `ordinal` numbers the JWTs of one request (below).
Result<JwtToSign> render_jwt(const JwtValue& value, const nlohmann::json& scope, int ordinal);

// The header and claims of any JWT the engine builds: `claims` must be an
// object; `iat` (scope `now`), `exp` (`iat` + 300) and `jti` are added
// unless it sets them. `jti` is the stamp's `uuid` for the client assertion
// (ordinal 0) and the uuid + "-<n>" for a request's n-th `{"jwt"}` value, so
// no two JWTs of one request are alike
// (RFC 7519 §4.1.7) — nor their signing inputs, which hosts replace in place.
// A PEM problem is reported at `key_where`, a missing stamp at `where`.
Result<JwtToSign> build_jwt(const std::string& alg, const std::string& key, const std::string& key_where,
                            const std::optional<std::string>& kid, nlohmann::json claims,
                            const nlohmann::json& scope, const std::string& where, int ordinal);

// RS256 or ES256 (what every host's WebCrypto signs, RFC 7518 §3.1).
bool is_supported_jwt_alg(std::string_view alg);

// Why `pem` is not a PEM PKCS#8 private key (RFC 7468 §10: "-----BEGIN
// PRIVATE KEY-----", base64 body), or nullopt. The message never quotes it.
std::optional<std::string> pem_problem(std::string_view pem);

}  // namespace connauth
