// printf-style formatting of integers, characters and strings only: the
// snprintf of the WebAssembly module (snprintf.cpp). nlohmann/json is
// the module's only caller of snprintf ("\\u%04x" in its serializer,
// "<U+%.4X>" and "%.2X" in its messages), and musl's printf core, which also
// formats floating point, is several times the size of this one.
#pragma once

#include <cstdarg>
#include <cstddef>

namespace connauth {

// vsnprintf(out, size, format, args) for the conversions d i u o x X c s %,
// with the flags - 0 + space #, width and precision (also *) and the length
// modifiers hh h l ll j z t, as C specifies them. Any other conversion
// (floating point, %p, %n) writes an empty string and answers -1 (C's
// "encoding error"): nothing in the module asks for one, and a mistake must
// not trap the module.
int small_vsnprintf(char* out, size_t size, const char* format, va_list args);

}  // namespace connauth
