// A JSON object that keeps its members in order, for the two places that
// write JSON a caller reads in order: a request body a payload rule rewrites
// (apply_rule.cpp: the caller's member order is kept) and a JSON token
// request (token_request.cpp: parameters in the order they were added).
//
// Both used nlohmann::ordered_json, a second instantiation of basic_json
// (its parser, serializer, map and conversions) for these two uses only.
// This keeps the order in the keys of a plain nlohmann::json instead
// (parse_json_value in json_io.h) and writes the text itself, which keeps
// ordered_json's code out of the module. The text is what ordered_json's dump(-1) writes.
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
  nlohmann::json object_;  // keys prefixed with their ordinal (json_io.h parse_json_value)
};

}  // namespace connauth
