// AWS Signature Version 4 (the `"sign": {"aws_sigv4": {...}}` apply rule,
// SPEC §10), as AWS documents it in "Create a signed AWS API request":
// canonical request, string to sign, signing key derived from the secret,
// date, region and service, and the Authorization header.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace connauth {

struct SigV4Credentials {
  std::string_view access_key_id;
  std::string_view secret_access_key;
};

struct SigV4Scope {
  std::string_view region;
  std::string_view service;
};

// The request as signed: `headers` are the ones to sign (any case and order;
// values trimmed and inner spaces collapsed when canonicalized), `amz_date`
// the X-Amz-Date value ("20150830T123600Z"), `payload_hash` the body's
// SHA-256 in lowercase hex.
struct SigV4Request {
  std::string_view method;
  std::string_view url;  // absolute http(s)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view payload_hash;
  std::string_view amz_date;
};

// The canonical request; empty when `url` is not an absolute http(s) URL.
std::string sigv4_canonical_request(const SigV4Request& request, std::string_view service);

// The Authorization header value: `AWS4-HMAC-SHA256 Credential=<key>/<scope>,
// SignedHeaders=<names>, Signature=<hex>`; empty when `url` is not an
// absolute http(s) URL.
std::string sigv4_authorization(const SigV4Request& request, const SigV4Credentials& credentials,
                                const SigV4Scope& scope);

}  // namespace connauth
