// small_format.h against the C library's vsnprintf, which it stands in for
// in the WebAssembly module (wasm/libc/snprintf.cpp).
#include "small_format.h"

#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace connauth {
namespace {

struct Both {
  std::string ours, libc;
  int ours_n, libc_n;
};

Both format(size_t size, const char* fmt, ...) {
  std::vector<char> a(size + 1, '#'), b(size + 1, '#');
  va_list args, copy;
  va_start(args, fmt);
  va_copy(copy, args);
  Both out;
  out.ours_n = small_vsnprintf(a.data(), size, fmt, args);
  out.libc_n = std::vsnprintf(b.data(), size, fmt, copy);
  va_end(copy);
  va_end(args);
  out.ours.assign(a.data(), a.size());
  out.libc.assign(b.data(), b.size());
  return out;
}

#define EXPECT_SAME(...)                                 \
  do {                                                   \
    Both both = format(__VA_ARGS__);                     \
    EXPECT_EQ(both.ours, both.libc) << #__VA_ARGS__;     \
    EXPECT_EQ(both.ours_n, both.libc_n) << #__VA_ARGS__; \
  } while (0)

int ours(char* out, size_t size, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  int n = small_vsnprintf(out, size, fmt, args);
  va_end(args);
  return n;
}

TEST(SmallFormat, UnsupportedConversionsAreAnErrorNotATrap) {
  for (const char* fmt : {"%f", "x=%g", "%p", "%5.1e", "%a", "%n", "%q"}) {
    char out[16] = "unchanged";
    EXPECT_EQ(ours(out, sizeof out, fmt, 1.5), -1) << fmt;
    EXPECT_STREQ(out, "") << fmt;
  }
  char untouched[4] = "abc";
  EXPECT_EQ(ours(untouched, 0, "%f", 1.5), -1);
  EXPECT_STREQ(untouched, "abc");
}

TEST(SmallFormat, NlohmannFormats) {
  for (unsigned v : {0u, 1u, 0x1fu, 0x7fu, 0xabu, 0xffu, 0xd800u, 0xffffu}) {
    EXPECT_SAME(7, "\\u%04x", v);
    EXPECT_SAME(13, "\\u%04x\\u%04x", v, 0xdc00u + (v & 0x3ff));
    EXPECT_SAME(9, "<U+%.4X>", v & 0xff);
    EXPECT_SAME(3, "%.2X", v & 0xff);
  }
}

TEST(SmallFormat, IntegersWithFlagsWidthsAndPrecisions) {
  const char* flags[] = {"", "-", "0", "+", " ", "#", "-0", "+0", "- ", "#0", "-#"};
  const char* widths[] = {"", "1", "5", "12"};
  const char* precisions[] = {"", ".", ".0", ".1", ".3", ".8"};
  const char* conversions[] = {"d", "i", "u", "x", "X", "o"};
  const long long values[] = {0, 1, -1, 7, 8, 42, -42, 255, 4096, 2147483647, -2147483647 - 1};
  for (const char* f : flags)
    for (const char* w : widths)
      for (const char* p : precisions)
        for (const char* c : conversions)
          for (long long v : values) {
            std::string fmt = std::string("[%") + f + w + p + c + "]";
            EXPECT_SAME(64, fmt.c_str(), static_cast<int>(v));
            std::string lfmt = std::string("[%") + f + w + p + "ll" + c + "]";
            EXPECT_SAME(64, lfmt.c_str(), v * 1000003LL);
          }
}

TEST(SmallFormat, LengthModifiersStarsTextAndTruncation) {
  EXPECT_SAME(64, "%hhd %hhu %hd %hu %ld %lu %zu %jd %td", 300, 300, 70000, 70000, -5L, 5UL, size_t{9},
              intmax_t{-9}, ptrdiff_t{-3});
  EXPECT_SAME(64, "%*d|%-*d|%.*d|%*.*x", 6, 42, -6, 42, 4, 7, 8, 3, 255u);
  EXPECT_SAME(64, "%s|%.2s|%5s|%-5s|%c|%3c|%-3c|%%|100%%", "abc", "abc", "ab", "ab", 'z', 'y', 'x');
  EXPECT_SAME(64, "%s", static_cast<const char*>(nullptr));
  EXPECT_SAME(1, "abc%d", 12345);
  EXPECT_SAME(4, "abc%d", 12345);
  EXPECT_SAME(0, "abc%d", 12345);
  EXPECT_SAME(6, "%lld", -9223372036854775807LL - 1);
  EXPECT_SAME(32, "%llu %llx", 18446744073709551615ULL, 18446744073709551615ULL);
}

}  // namespace
}  // namespace connauth
