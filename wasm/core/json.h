// The one way the project includes nlohmann/json: every source (core, tests,
// fuzzers, benchmark) gets it through this header, so every translation unit
// sees the same nlohmann.
//
// A misuse nlohmann reports by throwing (get<>, get_ref<>, operator[] or
// push_back on a value of another type, dump() of invalid UTF-8 without
// error_handler_t::replace, ...) throws json_misuse()'s one exception instead
// of nlohmann's own. nlohmann builds its message (the value's type name, the
// index, the key...) and its exception object at every throw site, inlined
// into connauth's code, which makes the module larger.
// The core checks every type before it reads a value, so none of these is
// reachable from input, and nothing in connauth catches nlohmann's exception
// types or reads their messages: the handlers in wasm/bindings.cpp and
// flow_api.cpp catch std::exception, as before. Syntax errors are not thrown:
// the parser hands them to json_io.cpp's SAX builder, with nlohmann's
// message, as before. (JSON_NOEXCEPTION would abort instead: never.)
#pragma once

#ifdef INCLUDE_NLOHMANN_JSON_HPP_
#error "nlohmann/json.hpp was included before json.h: include json.h instead"
#endif

namespace connauth {
// Throws std::logic_error("unexpected JSON value"); defined in json.cpp.
[[noreturn]] void json_misuse();
}  // namespace connauth

#define JSON_THROW_USER(exception) ::connauth::json_misuse()

#include <nlohmann/json.hpp>
