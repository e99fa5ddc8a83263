// SHA-1 (FIPS 180-4 §6.1), only for the HMAC-SHA1 that OAuth 1.0a signatures
// (RFC 5849 §3.4.2) and the `hmac_sha1` template filter need: providers
// still ask for it. Never used on its own as a collision-resistant hash.
#pragma once

#include <string>
#include <string_view>

namespace connauth {

// The digest of `bytes` as 20 raw bytes.
std::string sha1(std::string_view bytes);

}  // namespace connauth
