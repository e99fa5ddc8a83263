// Answers of the bound path (bound_connection.h) as text the JS wrapper
// reads cheaply (wasm/connauth.mjs), written without a JSON DOM: a request
// must not pay for building and serialising one.
//
// A failure is the Result envelope of json_io.h as JSON text (it starts with
// '{'): {"ok":false,"errors":[{"path","message"}...]}, rare and written by
// nlohmann as for every other call. A success is lines:
//
//   edits           "b" or "n" (a body follows or not), then the number of
//                   headers; the URL; each header's name and value on a line
//                   of its own; then, for "b", the body up to the end.
//   classification  the action; the reason; then the matched pointer (maybe
//                   empty) up to the end.
//
// Lines can carry these values because none holds a line break: a request
// URL holds no control character (url.h), a header name is a token and a
// header value holds no CR, LF or NUL (apply_rule.h), a reason is one of a
// fixed set. What may hold anything (a body, a pointer into the definition)
// comes last.
#pragma once

#include <string>
#include <string_view>

#include "apply_rule.h"
#include "result.h"
#include "signals.h"

namespace connauth {

// {"ok":false,"errors":[{"path","message"}...]}
std::string problems_text(const Problems& problems);

// Each writes `out` anew (its capacity is reused: the binding keeps one
// buffer per bound connection).
void write_problems(std::string& out, const Problems& problems);
void write_edits(std::string& out, const Result<RequestEdits>& edits);
// The same for edits given as their parts (BoundConnection::write_apply
// writes them without building RequestEdits); `body` null: none.
void write_edits(std::string& out, std::string_view url,
                 const std::vector<std::pair<std::string_view, std::string_view>>& headers, const std::string* body);
void write_classification(std::string& out, const Result<Classification>& classification);

}  // namespace connauth
