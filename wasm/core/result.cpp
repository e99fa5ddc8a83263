#include "result.h"

namespace connauth {

void add_problem(Problems& into, std::string_view path, std::string_view message) {
  into.push_back({std::string(path), std::string(message)});
}

Problems one_problem(std::string_view path, std::string_view message) {
  Problems out;
  add_problem(out, path, message);
  return out;
}

void append(Problems& into, const Problems& more) {
  for (const Problem& problem : more) into.push_back(problem);
}

std::string pointer_append(const std::string& pointer, std::string_view token) {
  std::string out = pointer;
  out.reserve(pointer.size() + token.size() + 1);
  out += '/';
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string pointer_append(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

}  // namespace connauth
