// decimal_float.h against the C library's strtod, strtof and strtof128
// (glibc rounds correctly), which it stands in for in the WebAssembly module
// (wasm/libc/strtod.cpp): end positions, bits and ERANGE.
#include "decimal_float.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

// glibc declares strtof128 only for compilers it knows have _Float128 (GCC);
// clang (the sanitize build) has __float128 and links the same function.
#if defined(__clang__)
extern "C" __float128 strtof128(const char* text, char** end);
#endif

namespace connauth {
namespace {

__extension__ typedef __float128 quad;

template <class T, class Word, int P, int EB>
void expect_same(const std::string& text, T (*libc)(const char*, char**)) {
  const char* ours_end = nullptr;
  bool ours_range = false;
  Word ours = decimal_to_float<Word, P, EB>(text.c_str(), &ours_end, &ours_range);
  char* libc_end = nullptr;
  errno = 0;
  T value = libc(text.c_str(), &libc_end);
  bool libc_range = errno == ERANGE;
  Word libc_bits = 0;
  std::memcpy(&libc_bits, &value, sizeof value);
  EXPECT_EQ(ours_end - text.c_str(), libc_end - text.c_str()) << text;
  if (value != value) {  // NaN: musl's is positive, glibc's keeps the sign
    Word exponent = Word(2 * ((1 << (EB - 1)) - 1) + 1) << (P - 1);
    EXPECT_EQ(ours & exponent, exponent) << text;
    return;
  }
  EXPECT_TRUE(ours == libc_bits) << text << ": " << std::uint64_t(ours >> (sizeof(Word) * 8 - 64)) << " "
                                 << std::uint64_t(ours) << " vs " << std::uint64_t(libc_bits);
  EXPECT_EQ(ours_range, libc_range) << text;
}

quad strtoq(const char* s, char** end) { return strtof128(s, end); }

void expect_all(const std::string& text) {
  expect_same<double, std::uint64_t, 53, 11>(text, std::strtod);
  expect_same<float, std::uint64_t, 24, 8>(text, std::strtof);
  expect_same<quad, uint128, 113, 15>(text, strtoq);
}

TEST(DecimalFloat, Forms) {
  for (const char* text :
       {"0", "-0", "+0", "0.0", "00000.000e5", "1", "-1", "1.5", "  \t\n1.5x", "1.", ".5", "-.5", ".", "-",
        "", "e5", "1e", "1e+", "1e-", "1E5", "1e+5", "1e-5", "1.5e3.2", "1..5", "+-1", "inf", "-INF",
        "Infinity", "infin", "infinityx", "nan", "NaN", "nan(123abc_)", "nan(12", "nan()",
        "123456789012345678901234567890", "3.141592653589793238462643383279", "0.1", "0.2", "0.3",
        "1e22", "1e23", "9007199254740993", "9007199254740992", "4503599627370497.5",
        "2.2250738585072011e-308", "2.2250738585072014e-308", "4.9406564584124654e-324",
        "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400", "-1e-400", "1e400", "-1e400",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e308", "1e309",
        "1e99999999999999999999", "1e-99999999999999999999", "0e99999999999", "3.4028235e38",
        "3.4028236e38", "1.4e-45", "7e-46", "1.18e4932", "1.19e4932", "6e-4966", "3e-4966",
        "1.000000000000000000000000000000000000001"})
    expect_all(text);
}

// Hexadecimal floating point is not read: the 0 before the x is the number.
TEST(DecimalFloat, NoHexadecimal) {
  const char* text = "0x1p3";
  const char* end = nullptr;
  bool range_error = false;
  EXPECT_EQ((decimal_to_float<std::uint64_t, 53, 11>(text, &end, &range_error)), 0u);
  EXPECT_EQ(end, text + 1);
}

TEST(DecimalFloat, LongDigitStrings) {
  // A million digits: past the ones that decide the rounding, the rest is
  // only read (linear time).
  expect_same<double, std::uint64_t, 53, 11>("0." + std::string(1000000, '3'), std::strtod);
  expect_same<double, std::uint64_t, 53, 11>(std::string(1000000, '7') + "e-1000000", std::strtod);
  std::string ones = "1." + std::string(20000, '0') + "1";
  expect_all(ones);
  expect_all("0." + std::string(5000, '0') + "123e5000");
  expect_all(std::string(3000, '9') + "e-3000");
  expect_all(std::string(400, '0') + "1" + std::string(400, '0') + "e-400");
}

// Numbers exactly halfway between two neighbours of binary64 and binary32,
// and a digit above and below them: the hardest cases for rounding. The
// midpoints are exact in x87 long double and in double, and glibc prints
// them exactly.
TEST(DecimalFloat, Halfway) {
  std::mt19937_64 random(6);
  char buffer[2000];
  for (int i = 0; i < 3000; ++i) {
    std::uint64_t bits = random();
    if (i % 3 == 0) bits &= 0x800FFFFFFFFFFFFFull;  // subnormal
    if (i % 3 == 1) bits = (bits & 0x800FFFFFFFFFFFFFull) | (std::uint64_t(random() % 3 + 1) << 52);
    double a;
    std::memcpy(&a, &bits, sizeof a);
    if (!std::isfinite(a)) continue;
    double b = std::nextafter(a, INFINITY);
    long double mid = (static_cast<long double>(a) + b) / 2;
    std::snprintf(buffer, sizeof buffer, "%.800Le", mid);
    std::string text = buffer;
    expect_same<double, std::uint64_t, 53, 11>(text, std::strtod);
    size_t e = text.find('e');
    size_t last = text.find_last_not_of('0', e - 1);
    std::string exact = text.substr(0, last + 1) + text.substr(e);
    expect_same<double, std::uint64_t, 53, 11>(exact, std::strtod);
    std::string above = text.substr(0, last + 1) + "000001" + text.substr(e);
    expect_same<double, std::uint64_t, 53, 11>(above, std::strtod);
    std::snprintf(buffer, sizeof buffer, "%.30Le", mid);
    expect_same<double, std::uint64_t, 53, 11>(buffer, std::strtod);
    float fa = float(a);
    if (!std::isfinite(fa)) continue;
    float fb = std::nextafter(fa, INFINITY);
    std::snprintf(buffer, sizeof buffer, "%.200e", (double(fa) + double(fb)) / 2);
    expect_same<float, std::uint64_t, 24, 8>(buffer, std::strtof);
  }
}

TEST(DecimalFloat, RandomDecimals) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    if (random() % 4 == 0) text += '-';
    int digits = 1 + int(random() % (i % 10 == 0 ? 60 : 20));
    int point = int(random() % (digits + 1));
    for (int k = 0; k < digits; ++k) {
      if (k == point) text += '.';
      text += char('0' + random() % 10);
    }
    if (random() % 2) text += "e" + std::to_string(int(random() % 700) - 350);
    expect_all(text);
  }
}

TEST(DecimalFloat, ShortestRoundTrips) {
  std::mt19937_64 random(8);
  char buffer[64];
  for (int i = 0; i < 20000; ++i) {
    std::uint64_t bits = random() & 0x7FFFFFFFFFFFFFFFull;
    double x;
    std::memcpy(&x, &bits, sizeof x);
    if (!std::isfinite(x)) continue;
    std::snprintf(buffer, sizeof buffer, "%.17g", x);
    expect_same<double, std::uint64_t, 53, 11>(buffer, std::strtod);
    std::snprintf(buffer, sizeof buffer, "%.16g", x);
    expect_same<double, std::uint64_t, 53, 11>(buffer, std::strtod);
  }
}

}  // namespace
}  // namespace connauth
