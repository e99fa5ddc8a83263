// HMAC (RFC 2104) over SHA-256 and SHA-1: the `hmac_sha256` / `hmac_sha1`
// template filters (SPEC §10) and the request signers (OAuth 1.0a
// HMAC-SHA1, AWS Signature Version 4 HMAC-SHA256). Digests are raw bytes
// (url.h hex_encode / base64_encode print them).
#pragma once

#include <string>
#include <string_view>

namespace connauth {

std::string hmac_sha256(std::string_view key, std::string_view message);
std::string hmac_sha1(std::string_view key, std::string_view message);

}  // namespace connauth
