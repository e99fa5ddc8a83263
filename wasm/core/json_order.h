// A JSON object that keeps its members in order, for the two places that
// write JSON a caller reads in order: a request body a payload rule rewrites
// (apply_rule.cpp: the caller's member order is kept) and a JSON token
// request (token_request.cpp: parameters in the order they were added).
//
// It holds an nlohmann::ordered_json, whose objects keep their members in
// the order they were read or added, at every depth. The rest of the module
// reads JSON as nlohmann::json (members by name); only these bodies are
// written back in order, so only this file uses ordered_json.
#pragma once

#include "json.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace connauth {

// Members to set, in order, with distinct names; values are written as
// nlohmann::json writes them.
using JsonMembers = std::vector<std::pair<std::string_view, const nlohmann::json*>>;

class OrderedJsonObject {
 public:
  OrderedJsonObject();  // {}

  // An untrusted body: nothing when it is not JSON, nests deeper than
  // kMaxJsonDepth (json_io.h) or is not an object. Nested objects keep
  // their order too; a repeated key keeps its first place and last value.
  static std::optional<OrderedJsonObject> parse(std::string_view text);

  // The object with `members` set — a member it has keeps its place and
  // takes the new value, the others are appended in order — as compact
  // text (dump(-1)), invalid UTF-8 replaced by U+FFFD, never thrown on.
  std::string dump_with(const JsonMembers& members) const;

 private:
  nlohmann::ordered_json object_;
};

}  // namespace connauth
