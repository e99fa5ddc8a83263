#include "json_order.h"

#include "json_io.h"

namespace connauth {

using nlohmann::json;

namespace {

using Serializer = nlohmann::detail::serializer<json>;

// nlohmann's own writer appending to `out`, as dump(-1, ' ', false,
// error_handler_t::replace) would write.
struct Writer {
  std::string& out;
  Serializer serializer{nlohmann::detail::output_adapter<char>(out), ' ', json::error_handler_t::replace};

  void value(const json& v) { serializer.dump(v, false, false, 0); }
  void name(std::string_view key) {
    value(json(key));
    out.push_back(':');
  }

  // A value whose object keys carry their ordinal.
  void ordered(const json& v) {
    if (v.is_object()) {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, member] : v.get_ref<const json::object_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        name(std::string_view(key).substr(kKeyOrdinalBytes));
        ordered(member);
      }
      out.push_back('}');
    } else if (v.is_array()) {
      out.push_back('[');
      bool first = true;
      for (const json& element : v.get_ref<const json::array_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        ordered(element);
      }
      out.push_back(']');
    } else {
      value(v);
    }
  }
};

}  // namespace

OrderedJsonObject::OrderedJsonObject() : object_(json::object()) {}

std::optional<OrderedJsonObject> OrderedJsonObject::parse(std::string_view text) {
  if (json_text_depth(text) > kMaxJsonDepth) return std::nullopt;
  std::vector<json> key_order;
  json parsed = parse_json_value(text, nullptr, &key_order);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  OrderedJsonObject object;
  object.object_ = std::move(parsed);
  return object;
}

std::string OrderedJsonObject::dump_with(const JsonMembers& members) const {
  std::string out;
  Writer writer{out};
  std::vector<char> written(members.size(), 0);
  out.push_back('{');
  bool first = true;
  for (const auto& [key, member] : object_.get_ref<const json::object_t&>()) {
    std::string_view name = std::string_view(key).substr(kKeyOrdinalBytes);
    size_t i = 0;
    while (i < members.size() && members[i].first != name) ++i;
    if (!first) out.push_back(',');
    first = false;
    writer.name(name);
    if (i < members.size()) {
      writer.value(*members[i].second);
      written[i] = 1;
    } else {
      writer.ordered(member);
    }
  }
  for (size_t i = 0; i < members.size(); ++i) {
    if (written[i]) continue;
    if (!first) out.push_back(',');
    first = false;
    writer.name(members[i].first);
    writer.value(*members[i].second);
  }
  out.push_back('}');
  return out;
}

}  // namespace connauth
