#include "sha1.h"

#include <cstdint>

namespace connauth {

namespace {

uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// FIPS 180-4 §6.1.2: one 64-byte block into the state.
void compress(uint32_t state[5], const unsigned char* block) {
  uint32_t w[80];
  for (int t = 0; t < 16; ++t)
    w[t] = uint32_t(block[4 * t]) << 24 | uint32_t(block[4 * t + 1]) << 16 | uint32_t(block[4 * t + 2]) << 8 |
           uint32_t(block[4 * t + 3]);
  for (int t = 16; t < 80; ++t) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
  for (int t = 0; t < 80; ++t) {
    // FIPS 180-4 §4.1.1 (Ch, Parity, Maj) and §4.2.1 (the constants).
    uint32_t f, k;
    if (t < 20) f = (b & c) | (~b & d), k = 0x5a827999;
    else if (t < 40) f = b ^ c ^ d, k = 0x6ed9eba1;
    else if (t < 60) f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
    else f = b ^ c ^ d, k = 0xca62c1d6;
    uint32_t temp = rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = temp;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
}

}  // namespace

std::string sha1(std::string_view bytes) {
  uint32_t state[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};  // §5.3.1
  // FIPS 180-4 §5.1.1 padding: the message, a 1 bit, zeros up to 56 mod 64
  // bytes, then the length in bits as a 64-bit big-endian integer.
  std::string padded(bytes);
  padded += char(0x80);
  while (padded.size() % 64 != 56) padded += char(0);
  uint64_t bits = uint64_t(bytes.size()) * 8;
  for (int i = 7; i >= 0; --i) padded += char(bits >> (8 * i));
  for (size_t at = 0; at < padded.size(); at += 64)
    compress(state, reinterpret_cast<const unsigned char*>(padded.data() + at));
  std::string out;
  for (uint32_t word : state)
    for (int shift = 24; shift >= 0; shift -= 8) out += char(word >> shift);
  return out;
}

}  // namespace connauth
