// The module's snprintf (WebAssembly build only): connauth::small_vsnprintf
// instead of musl's, whose printf core also formats floating point. Only
// nlohmann/json calls snprintf here, with integer formats; defining it in
// the program keeps the linker from taking musl's snprintf.o, and with it
// printf_core, which would make connauth.wasm larger. small_format.h says
// what it supports; tests/native/small_format_test.cpp compares it with the
// C library's.
#include <cstdarg>
#include <cstddef>

#include "small_format.h"

extern "C" int snprintf(char* out, size_t size, const char* format, ...) {
  va_list args;
  va_start(args, format);
  int n = connauth::small_vsnprintf(out, size, format, args);
  va_end(args);
  return n;
}
