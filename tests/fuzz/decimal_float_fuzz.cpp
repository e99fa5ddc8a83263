// libFuzzer target, differential: any text read by decimal_to_float (the
// WebAssembly module's strtod and strtof, wasm/libc/strtod.cpp) must give what
// glibc's strtod and strtof give, which round correctly: the same bits, the
// same end position and the same ERANGE. A difference traps. Hexadecimal
// floating point, which connauth's reader does not take (nlohmann's lexer
// never passes one), is skipped; NaNs compare as NaNs (musl's and ours are
// positive and carry no payload, glibc's keep both). One ERANGE differs by
// design: a value just below the least normal number that rounds up to it
// is tiny for glibc, which detects tininess before rounding, and not for
// decimal_to_float, which detects it after (IEEE 754 §7.5 allows either;
// nlohmann's lexer, the only caller, does not read errno).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "decimal_float.h"

namespace {

bool is_hex_float(const char* p) {
  while (*p == ' ' || (*p >= '\t' && *p <= '\r')) ++p;
  if (*p == '+' || *p == '-') ++p;
  return p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
}

template <class T, int P, int EB>
void compare(const std::string& text, T (*libc)(const char*, char**)) {
  const char* ours_end = nullptr;
  bool ours_range = false;
  std::uint64_t ours = connauth::decimal_to_float<std::uint64_t, P, EB>(text.c_str(), &ours_end, &ours_range);
  char* libc_end = nullptr;
  errno = 0;
  T value = libc(text.c_str(), &libc_end);
  const bool libc_range = errno == ERANGE;
  if (ours_end != libc_end) __builtin_trap();
  const std::uint64_t exponent = std::uint64_t(2 * ((1 << (EB - 1)) - 1) + 1) << (P - 1);
  if (value != value) {
    if ((ours & exponent) != exponent || (ours & ((std::uint64_t(1) << (P - 1)) - 1)) == 0) __builtin_trap();
    return;
  }
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof value);
  if (ours != bits) __builtin_trap();
  const bool least_normal = (bits & ~(std::uint64_t(1) << (P - 1 + EB))) == (std::uint64_t(1) << (P - 1));
  if (ours_range != libc_range && !(least_normal && libc_range)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  text.resize(std::strlen(text.c_str()));  // the C functions stop at a NUL
  if (is_hex_float(text.c_str())) return 0;
  compare<double, 53, 11>(text, std::strtod);
  compare<float, 24, 8>(text, std::strtof);
  return 0;
}
