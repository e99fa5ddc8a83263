#include "json_order.h"

#include "json_io.h"

namespace connauth {

using nlohmann::ordered_json;

OrderedJsonObject::OrderedJsonObject() : object_(ordered_json::object()) {}

std::optional<OrderedJsonObject> OrderedJsonObject::parse(std::string_view text) {
  if (json_text_depth(text) > kMaxJsonDepth) return std::nullopt;
  // nlohmann's DOM builder without exceptions, as in parse_json_value:
  // ordered_json::parse would compile the parser a second time, for its
  // callback builder.
  ordered_json parsed;
  nlohmann::detail::json_sax_dom_parser<ordered_json> builder(parsed, false);
  if (!ordered_json::sax_parse(text.data(), text.data() + text.size(), &builder) || !parsed.is_object())
    return std::nullopt;
  OrderedJsonObject object;
  object.object_ = std::move(parsed);
  return object;
}

std::string OrderedJsonObject::dump_with(const JsonMembers& members) const {
  ordered_json out = object_;
  // ordered_json's operator[] keeps an existing member's place and appends
  // a new one; a nlohmann::json value converts with its members by name.
  for (const auto& [key, value] : members) out[std::string(key)] = ordered_json(*value);
  return out.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace connauth
