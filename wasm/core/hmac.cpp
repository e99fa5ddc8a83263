#include "hmac.h"

#include "sha1.h"
#include "sha256.h"

namespace connauth {

namespace {

// RFC 2104 §2: H(K ^ opad, H(K ^ ipad, text)), with a key longer than the
// block first hashed; both SHA-1 and SHA-256 have 64-byte blocks.
std::string hmac(std::string (*hash)(std::string_view), std::string_view key, std::string_view message) {
  constexpr size_t kBlock = 64;
  std::string k = key.size() > kBlock ? hash(key) : std::string(key);
  k.resize(kBlock, '\0');
  std::string inner(kBlock, '\0'), outer(kBlock, '\0');
  for (size_t i = 0; i < kBlock; ++i) {
    inner[i] = char(k[i] ^ 0x36);
    outer[i] = char(k[i] ^ 0x5c);
  }
  inner.append(message);
  return hash(outer + hash(inner));
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view message) { return hmac(sha256, key, message); }

std::string hmac_sha1(std::string_view key, std::string_view message) { return hmac(sha1, key, message); }

}  // namespace connauth
