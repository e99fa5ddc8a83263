// Regular expressions for `when.url.regex` (SPEC §2.4) and `{"regex"}` signals
// (SPEC §2.5). RE2 syntax, linear time in the subject and bounded memory: a
// connector can never make the edge backtrack on an attacker's response body.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "result.h"

namespace connauth {

class Pattern {
 public:
  // `flags` is a subset of "ims": i = case-insensitive, m = ^/$ match at line
  // breaks, s = `.` matches \n. A pattern RE2 rejects, or an unknown flag, is
  // a problem at `where` that quotes RE2's reason. Patterns over 4 KiB, or
  // whose compiled program exceeds RE2's 8 MiB memory budget, are rejected.
  static Result<std::shared_ptr<const Pattern>> compile(std::string_view pattern,
                                                        std::string_view flags,
                                                        const std::string& where);
  // Unanchored search (like JavaScript's RegExp.test).
  bool search(std::string_view text) const;

  const std::string& source() const;
  ~Pattern();

  struct Impl;

 private:
  explicit Pattern(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace connauth
