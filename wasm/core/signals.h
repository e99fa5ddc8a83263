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

  // Whether this entry matches `response`. `body` is the part of
  // response.body to match: all of it, or its first body_limit bytes as
  // classify() passes it. A truncated body equals no BodyEquals string (the
  // string must equal the whole body); a null pattern matches nothing.
  bool matches(const HttpResponse& response, std::string_view body) const;
  // The same for a response known by its status and the part of its body
  // to match; `cut` says that part is not the whole body.
  bool matches(int status, std::string_view body, bool cut) const;
};

using Signals = std::vector<Signal>;

// Bodies longer than this are matched on their first kDefaultBodyLimit bytes
// only (SPEC §2.5: "a documented size limit (default 1 MiB)"): a regex
// searches that prefix (so `$` matches at the cut), and a whole-body string
// never equals a truncated body.
constexpr size_t kDefaultBodyLimit = 1 << 20;

enum class Action { Ok, Refresh, Error };
const char* to_string(Action a);

struct Classification {
  Action action = Action::Ok;
  std::string reason;   // human-readable: which rule of SPEC §2.5 decided
  std::string matched;  // JSON pointer of the deciding signal, if any
};

// SPEC §2.5 rules 1 and 2 for one response to an authorized request; the
// caller does the single retry of rule 3. Entries are tried in order and the
// first match decides `matched`. Never throws.
Classification classify(const Signals& refresh_on, const Signals& detect_on,
                        const HttpResponse& response, size_t body_limit = kDefaultBodyLimit);
// The same on the status and a view of the body: signals read nothing else
// of a response, and a bound connection must not copy a 1 MiB body.
Classification classify(const Signals& refresh_on, const Signals& detect_on, int status,
                        std::string_view body, size_t body_limit = kDefaultBodyLimit);

}  // namespace connauth
