// Decimal text to binary floating point, correctly rounded (to nearest,
// ties to even), with integer arithmetic only: the strtod, strtof and
// strtold of the WebAssembly module (strtod.cpp). musl's strtod
// computes in long double, which WebAssembly does not have: every long
// double operation is a call into compiler-rt's 128-bit soft float
// (__addtf3, __multf3, __divtf3, fmodl, scalbnl...), and with them the
// strtod inlined into nlohmann's lexer is several times the size of this
// one. nlohmann/json is the module's only caller (a JSON
// number with a fraction or an exponent, or an integer too large for 64
// bits); strtof and strtold are linked only to keep musl's strtod.o out.
// tests/native/decimal_float_test.cpp compares it with the C library's.
#pragma once

#include <cstdint>

namespace connauth {

__extension__ typedef unsigned __int128 uint128;

// Reads what C's strtod reads, except hexadecimal floating point: leading
// white space, a sign, decimal digits with at most one '.', an optional
// exponent (e or E, a sign, digits); or inf, infinity, nan, nan(chars) in
// any case. Answers the IEEE 754 encoding of the nearest value of the
// format with `mantissa_bits` (the leading bit included) and
// `exponent_bits`: binary32 is <uint64_t, 24, 8>, binary64 <uint64_t, 53,
// 11>, binary128 <uint128, 113, 15>. *end is after the last character
// used, or `text` when there is no number (the answer is then +0).
// *range_error is set when the answer is infinite from a finite number, or
// zero or subnormal and not exact (C's ERANGE), and left alone otherwise.
// The time is linear in the text's length: past the digits that can decide
// the rounding, the others count only as being zero or not.
template <class Word, int mantissa_bits, int exponent_bits>
Word decimal_to_float(const char* text, const char** end, bool* range_error);

extern template std::uint64_t decimal_to_float<std::uint64_t, 24, 8>(const char*, const char**, bool*);
extern template std::uint64_t decimal_to_float<std::uint64_t, 53, 11>(const char*, const char**, bool*);
extern template uint128 decimal_to_float<uint128, 113, 15>(const char*, const char**, bool*);

}  // namespace connauth
