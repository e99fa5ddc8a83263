// The module's strtod, strtof and strtold (WebAssembly build only):
// connauth::decimal_to_float instead of musl's, which computes in 128-bit
// soft float, so the module is smaller (decimal_float.h).
// Only nlohmann/json's lexer calls strtod here; RE2 and libc++ also refer
// to strtof, strtold and the _l forms in code the linker drops, and all six
// are defined so that the linker never takes musl's strtod.o, which
// defines them together. Hexadecimal floating point is not read (no caller
// gives one).
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <locale.h>

#include "decimal_float.h"

namespace {

template <class T, class Word, int P, int EB>
T convert(const char* s, char** end) {
  const char* stop = s;
  bool range_error = false;
  Word bits = connauth::decimal_to_float<Word, P, EB>(s, &stop, &range_error);
  if (end) *end = const_cast<char*>(stop);
  if (range_error) errno = ERANGE;
  T value;
  std::memcpy(&value, &bits, sizeof value);  // little-endian: the low bytes
  return value;
}

}  // namespace

static_assert(sizeof(long double) == 16, "WebAssembly's long double is IEEE binary128");

extern "C" {

double strtod(const char* s, char** end) { return convert<double, std::uint64_t, 53, 11>(s, end); }
float strtof(const char* s, char** end) { return convert<float, std::uint64_t, 24, 8>(s, end); }
long double strtold(const char* s, char** end) {
  return convert<long double, connauth::uint128, 113, 15>(s, end);
}
double strtod_l(const char* s, char** end, locale_t) { return strtod(s, end); }
float strtof_l(const char* s, char** end, locale_t) { return strtof(s, end); }
long double strtold_l(const char* s, char** end, locale_t) { return strtold(s, end); }

}  // extern "C"
