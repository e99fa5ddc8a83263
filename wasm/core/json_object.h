// JSON objects built out of line: json_object("a", x, "b", y) is the object
// that json{{"a", x}, {"b", y}} builds (a repeated key keeps its first
// value, as there). nlohmann's initializer-list form creates, at each call
// site, an array per member, checks that each is a [string, value] pair and
// moves them into the object: several times the code of a call to these.
#pragma once

#include "json.h"

namespace connauth {

nlohmann::json json_object(const char* k1, nlohmann::json v1);
nlohmann::json json_object(const char* k1, nlohmann::json v1, const char* k2, nlohmann::json v2);
nlohmann::json json_object(const char* k1, nlohmann::json v1, const char* k2, nlohmann::json v2,
                           const char* k3, nlohmann::json v3);
nlohmann::json json_object(const char* k1, nlohmann::json v1, const char* k2, nlohmann::json v2,
                           const char* k3, nlohmann::json v3, const char* k4, nlohmann::json v4);

}  // namespace connauth
