// OAuth 1.0a request signing (RFC 5849 §3.4–§3.5): the `"sign": "oauth1"`
// apply rule (SPEC §10). HMAC-SHA1 only (§3.4.2), the parameters sent in
// the Authorization header (§3.5.1).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "url.h"

namespace connauth {

// RFC 5849 §3.4.1: METHOD&base-URI&normalized-parameters, each part
// percent-encoded (§3.6). The parameters are the URL's query, `form_body`
// (the body of an application/x-www-form-urlencoded request, else empty)
// and the protocol parameters `oauth` (without oauth_signature and realm).
// The base URI (§3.4.1.2) is the URL's scheme and host in lower case, its
// port unless the scheme's default, and its path; none when `url` is not
// an absolute http(s) URL.
std::optional<std::string> oauth1_base_string(std::string_view method, std::string_view url,
                                              std::string_view form_body, const QueryParams& oauth);

// RFC 5849 §3.4.2: base64(HMAC-SHA1(encode(consumer secret) "&"
// encode(token secret), base string)).
std::string oauth1_signature(std::string_view base_string, std::string_view consumer_secret,
                             std::string_view token_secret);

// RFC 5849 §3.5.1: `OAuth name="value", ...`, each name and value
// percent-encoded.
std::string oauth1_header(const QueryParams& oauth);

}  // namespace connauth
