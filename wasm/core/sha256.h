// SHA-256 (FIPS 180-4 §6.2) for PKCE's S256 code challenge (RFC 7636 §4.2).
// WebAssembly has no crypto library to lean on and the core must stay
// host-independent, so the digest is computed here. Not for secrets at rest:
// hosts hash or encrypt stored secrets with their own platform crypto.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace connauth {

// Incremental hashing: update() any number of times, then digest() once.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // The 32-byte digest. The object must not be updated afterwards.
  std::array<uint8_t, 32> digest();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // message length in bytes
};

// The digest of `bytes` as 32 raw bytes.
std::string sha256(std::string_view bytes);
// The digest of `bytes` as 64 lower-case hex digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace connauth
