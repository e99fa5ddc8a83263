// Request signers of apply rules (SPEC §10): `"sign": "oauth1"` and
// `"sign": {"aws_sigv4": {"service", "region"}}`. Unlike templates, a
// signer reads the outgoing request — its method, URL, query and body, as
// the matching rules left them — so it runs last, once per request, with
// the timestamp and nonce of the host's stamp (stamp.h).
#pragma once

#include "json.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "result.h"
#include "stamp.h"

namespace connauth {

struct Signer {
  enum class Kind { OAuth1, AwsSigV4 };
  Kind kind = Kind::OAuth1;
  std::string service;  // AwsSigV4
  std::string region;   // AwsSigV4
  std::string where;    // JSON pointer of the rule's `sign`
};

// The request a signer signs: the final method, absolute URL, Content-Type
// (none: the request has none) and body.
struct SignedRequestView {
  std::string_view method;
  std::string_view url;
  std::optional<std::string_view> content_type;
  std::string_view body;
};

using SignedHeaders = std::vector<std::pair<std::string, std::string>>;

// The headers the signer sets, from the credentials in `scope`:
//   oauth1     Authorization (RFC 5849 §3.5.1, HMAC-SHA1). Consumer key and
//              secret: the app's client_id and client_secret; token and
//              token secret: the connection's oauth_token and
//              oauth_token_secret, both optional (without a token the
//              request is signed with the consumer's credentials alone,
//              RFC 5849 §3.1).
//   aws_sigv4  X-Amz-Date, X-Amz-Content-Sha256 (the body's SHA-256),
//              X-Amz-Security-Token with the connection's session_token,
//              and Authorization, signed over host and those x-amz-*
//              headers. Keys: the connection's access_key_id and
//              secret_access_key.
// Credentials are strings; one absent, empty or not a string is a problem
// at the signer's pointer that names it, and nothing is signed then.
Result<SignedHeaders> sign_request(const Signer& signer, const SignedRequestView& request,
                                   const nlohmann::json& scope, const Stamp& stamp);

}  // namespace connauth
