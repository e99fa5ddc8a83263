// Signals and response classification (SPEC §2.5).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http.h"
#include "pattern.h"

namespace connauth {

struct Signal {
  enum class Kind { Status, BodyEquals, BodyRegex };
  Kind kind = Kind::Status;
  int status = 0;                          // Status
  std::string body;                        // BodyEquals: the whole body
  std::shared_ptr<const Pattern> pattern;  // BodyRegex
  std::string where;                       // JSON pointer of the entry

  bool matches(const HttpResponse& response, std::string_view body) const;
};

using Signals = std::vector<Signal>;

// Bodies longer than this are matched on their first kBodyLimit bytes only
// (SPEC §2.5: "a documented size limit (default 1 MiB)").
constexpr size_t kDefaultBodyLimit = 1 << 20;

enum class Action { Ok, Refresh, Error };
const char* to_string(Action a);

struct Classification {
  Action action = Action::Ok;
  std::string reason;   // human-readable: which rule of SPEC §2.5 decided
  std::string matched;  // JSON pointer of the deciding signal, if any
};

Classification classify(const Signals& refresh_on, const Signals& detect_on,
                        const HttpResponse& response, size_t body_limit = kDefaultBodyLimit);

}  // namespace connauth
