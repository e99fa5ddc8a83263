#include "small_format.h"

#include <cstdint>
#include <cstdlib>

namespace connauth {

namespace {

// Writes what fits (leaving room for the NUL) and counts everything.
struct Sink {
  char* out;
  size_t size;
  size_t length = 0;

  void put(char c) {
    if (length + 1 < size) out[length] = c;
    ++length;
  }
  void repeat(char c, int n) {
    for (; n > 0; --n) put(c);
  }
};

enum class Length { Int, Char, Short, Long, LongLong, Max, Size, Ptrdiff };

uintmax_t unsigned_arg(va_list& args, Length length) {
  switch (length) {
    case Length::Char: return static_cast<unsigned char>(va_arg(args, unsigned));
    case Length::Short: return static_cast<unsigned short>(va_arg(args, unsigned));
    case Length::Long: return va_arg(args, unsigned long);
    case Length::LongLong: return va_arg(args, unsigned long long);
    case Length::Max: return va_arg(args, uintmax_t);
    case Length::Size: return va_arg(args, size_t);
    case Length::Ptrdiff: return static_cast<uintmax_t>(va_arg(args, ptrdiff_t));
    case Length::Int: break;
  }
  return va_arg(args, unsigned);
}

intmax_t signed_arg(va_list& args, Length length) {
  switch (length) {
    case Length::Char: return static_cast<signed char>(va_arg(args, int));
    case Length::Short: return static_cast<short>(va_arg(args, int));
    case Length::Long: return va_arg(args, long);
    case Length::LongLong: return va_arg(args, long long);
    case Length::Max: return va_arg(args, intmax_t);
    case Length::Size: return static_cast<intmax_t>(va_arg(args, size_t));
    case Length::Ptrdiff: return va_arg(args, ptrdiff_t);
    case Length::Int: break;
  }
  return va_arg(args, int);
}

struct Spec {
  bool left = false, zero = false, plus = false, space = false, alt = false;
  int width = 0;
  int precision = -1;  // none
};

// An integer: sign or prefix, zeros up to the precision (or, with the 0
// flag and no precision, up to the width), the digits, spaces to the width.
void write_integer(Sink& sink, const Spec& spec, uintmax_t magnitude, bool negative, unsigned base, bool upper) {
  const char* digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char digits[24];
  int count = 0;
  for (uintmax_t v = magnitude; v != 0; v /= base) digits[count++] = digit_chars[v % base];
  if (spec.precision < 0 && count == 0) digits[count++] = '0';
  int zeros = spec.precision > count ? spec.precision - count : 0;
  if (base == 8 && spec.alt && zeros == 0 && (count == 0 || digits[count - 1] != '0')) zeros = 1;
  char prefix[2];
  int prefix_length = 0;
  if (base == 10) {
    if (negative) prefix[prefix_length++] = '-';
    else if (spec.plus) prefix[prefix_length++] = '+';
    else if (spec.space) prefix[prefix_length++] = ' ';
  } else if (base == 16 && spec.alt && magnitude != 0) {
    prefix[prefix_length++] = '0';
    prefix[prefix_length++] = upper ? 'X' : 'x';
  }
  int padding = spec.width - (prefix_length + zeros + count);
  if (spec.zero && !spec.left && spec.precision < 0 && padding > 0) {
    zeros += padding;
    padding = 0;
  }
  if (!spec.left) sink.repeat(' ', padding);
  for (int i = 0; i < prefix_length; ++i) sink.put(prefix[i]);
  sink.repeat('0', zeros);
  while (count > 0) sink.put(digits[--count]);
  if (spec.left) sink.repeat(' ', padding);
}

void write_text(Sink& sink, const Spec& spec, const char* text, size_t length) {
  int padding = spec.width - static_cast<int>(length);
  if (!spec.left) sink.repeat(' ', padding);
  for (size_t i = 0; i < length; ++i) sink.put(text[i]);
  if (spec.left) sink.repeat(' ', padding);
}

int read_number(const char*& p) {
  int n = 0;
  while (*p >= '0' && *p <= '9') n = n * 10 + (*p++ - '0');
  return n;
}

}  // namespace

int small_vsnprintf(char* out, size_t size, const char* format, va_list args) {
  Sink sink{out, size};
  va_list ap;
  va_copy(ap, args);
  for (const char* p = format; *p; ++p) {
    if (*p != '%') {
      sink.put(*p);
      continue;
    }
    ++p;
    Spec spec;
    for (;; ++p) {
      if (*p == '-') spec.left = true;
      else if (*p == '0') spec.zero = true;
      else if (*p == '+') spec.plus = true;
      else if (*p == ' ') spec.space = true;
      else if (*p == '#') spec.alt = true;
      else break;
    }
    if (*p == '*') {
      ++p;
      spec.width = va_arg(ap, int);
      if (spec.width < 0) {
        spec.left = true;
        spec.width = -spec.width;
      }
    } else {
      spec.width = read_number(p);
    }
    if (*p == '.') {
      ++p;
      if (*p == '*') {
        ++p;
        spec.precision = va_arg(ap, int);
        if (spec.precision < 0) spec.precision = -1;
      } else {
        spec.precision = read_number(p);
      }
    }
    Length length = Length::Int;
    if (*p == 'h') length = *++p == 'h' ? (++p, Length::Char) : Length::Short;
    else if (*p == 'l') length = *++p == 'l' ? (++p, Length::LongLong) : Length::Long;
    else if (*p == 'j') ++p, length = Length::Max;
    else if (*p == 'z') ++p, length = Length::Size;
    else if (*p == 't') ++p, length = Length::Ptrdiff;
    switch (*p) {
      case 'd':
      case 'i': {
        intmax_t v = signed_arg(ap, length);
        uintmax_t magnitude = v < 0 ? uintmax_t(0) - static_cast<uintmax_t>(v) : static_cast<uintmax_t>(v);
        write_integer(sink, spec, magnitude, v < 0, 10, false);
        break;
      }
      case 'u':
        spec.plus = spec.space = false;  // signed conversions only
        write_integer(sink, spec, unsigned_arg(ap, length), false, 10, false);
        break;
      case 'o': write_integer(sink, spec, unsigned_arg(ap, length), false, 8, false); break;
      case 'x': write_integer(sink, spec, unsigned_arg(ap, length), false, 16, false); break;
      case 'X': write_integer(sink, spec, unsigned_arg(ap, length), false, 16, true); break;
      case 'c': {
        char c = static_cast<char>(va_arg(ap, int));
        write_text(sink, spec, &c, 1);
        break;
      }
      case 's': {
        const char* s = va_arg(ap, const char*);
        if (!s) s = "(null)";
        size_t n = 0;
        while ((spec.precision < 0 || n < static_cast<size_t>(spec.precision)) && s[n]) ++n;
        write_text(sink, spec, s, n);
        break;
      }
      case '%': sink.put('%'); break;
      default:  // not supported (small_format.h): an error, never a trap
        va_end(ap);
        if (size > 0) out[0] = '\0';
        return -1;
    }
  }
  va_end(ap);
  if (size > 0) out[sink.length < size ? sink.length : size - 1] = '\0';
  return static_cast<int>(sink.length);
}

}  // namespace connauth
