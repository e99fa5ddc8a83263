// Errors as values: every failure in the core is a Problem with a
// JSON-pointer path into the input it concerns and a message that tells the
// author what to change. Nothing in the core throws across its public API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace connauth {

struct Problem {
  std::string path;     // RFC 6901 JSON pointer ("" = the whole document)
  std::string message;  // what is wrong and what to do; never a secret
};

using Problems = std::vector<Problem>;

// {path, message} as a list: one out-of-line copy for every Result<T>.
Problems one_problem(std::string_view path, std::string_view message);

// A value or the problems that prevented it. `ok()` <=> `errors.empty()`.
template <class T>
struct Result {
  std::optional<T> value;
  Problems errors;

  bool ok() const { return value.has_value(); }
  static Result success(T v) {
    Result r;
    r.value = std::move(v);
    return r;
  }
  static Result failure(Problems p) {
    Result r;
    r.errors = std::move(p);
    return r;
  }
  // Views: a std::string parameter costs each caller a construction, a
  // destruction and its exception cleanup (module size).
  static Result failure(std::string_view path, std::string_view message) {
    return failure(one_problem(path, message));
  }
};

// Adds the problem {path, message} (one out-of-line copy for the ~36 places
// that report one: module size).
void add_problem(Problems& into, std::string_view path, std::string_view message);

// Adds `more` at the end of `into` (one out-of-line copy for the ~24 places
// that collect a part's problems: module size).
void append(Problems& into, const Problems& more);

// Appends an RFC 6901 reference token to a pointer ("~" -> "~0", "/" -> "~1").
std::string pointer_append(const std::string& pointer, std::string_view token);
std::string pointer_append(const std::string& pointer, size_t index);

}  // namespace connauth
