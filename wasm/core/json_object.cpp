#include "json_object.h"

#include <utility>

namespace connauth {

using nlohmann::json;

// Each arity adds its last member to the one before: emplace, so that a
// repeated key keeps its first value as in json{{k, v}, ...}.
json json_object(const char* k1, json v1) {
  json object = json::object();
  object.emplace(k1, std::move(v1));
  return object;
}

json json_object(const char* k1, json v1, const char* k2, json v2) {
  json object = json_object(k1, std::move(v1));
  object.emplace(k2, std::move(v2));
  return object;
}

json json_object(const char* k1, json v1, const char* k2, json v2, const char* k3, json v3) {
  json object = json_object(k1, std::move(v1), k2, std::move(v2));
  object.emplace(k3, std::move(v3));
  return object;
}

json json_object(const char* k1, json v1, const char* k2, json v2, const char* k3, json v3,
                 const char* k4, json v4) {
  json object = json_object(k1, std::move(v1), k2, std::move(v2), k3, std::move(v3));
  object.emplace(k4, std::move(v4));
  return object;
}

}  // namespace connauth
