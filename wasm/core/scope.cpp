// The template scope (SPEC §2.1). Hosts hand us whatever they stored, so
// every input is read defensively: a member of the wrong type is ignored and
// the template that needs it reports the missing path instead.
#include "scope.h"

#include <optional>

namespace connauth {

using nlohmann::json;

namespace {

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json* object_member(const json& object, const char* key) {
  const json* value = member(object, key);
  return value && value->is_object() ? value : nullptr;
}

// The connection hash (Workato's `connection`): the user's values, then the
// app's settings over them (SPEC §5: app-level field values are the admin's
// and win over the user's for the same field). A null setting is treated as
// "not set" so it never erases a user's value.
std::optional<json> connection_hash(const json* connection, const json& app) {
  const json* settings = object_member(app, "settings");
  if (!connection && !settings) return std::nullopt;
  json hash = connection ? *connection : json::object();
  if (settings)
    for (auto it = settings->begin(); it != settings->end(); ++it)
      if (!it.value().is_null()) hash[it.key()] = it.value();
  return hash;
}

// The app's scopes joined with the authorization's separator (SPEC §2.2
// `scope_separator`). Non-string entries are skipped.
std::optional<std::string> joined_scopes(const json& app, const std::string& separator) {
  const json* scopes = member(app, "scopes");
  if (!scopes || !scopes->is_array()) return std::nullopt;
  std::string out;
  bool first = true;
  for (const json& scope : *scopes) {
    if (!scope.is_string()) continue;
    if (!first) out += separator;
    out += scope.get_ref<const std::string&>();
    first = false;
  }
  return out;
}

void copy_string(const json& from, const char* key, json& to) {
  const json* value = member(from, key);
  if (value && value->is_string()) to[key] = *value;
}

void copy_present(const json& from, const char* key, json& to) {
  const json* value = member(from, key);
  if (value && !value->is_null()) to[key] = *value;
}

}  // namespace

json make_scope(const json& context, const std::string& scope_separator) {
  json scope = json::object();
  if (!context.is_object()) return scope;
  static const json kNone;
  const json* app_ptr = object_member(context, "app");
  const json& app = app_ptr ? *app_ptr : kNone;
  const json* connection_ptr = object_member(context, "connection");
  const json& connection = connection_ptr ? *connection_ptr : kNone;
  const json* flow_ptr = object_member(context, "flow");
  const json& flow = flow_ptr ? *flow_ptr : kNone;

  if (auto hash = connection_hash(connection_ptr, app)) scope["connection"] = std::move(*hash);
  copy_string(app, "client_id", scope);
  copy_string(app, "client_secret", scope);
  if (auto scopes = joined_scopes(app, scope_separator)) scope["scopes"] = std::move(*scopes);
  // Tokens come from the user's own connection, never from app settings.
  copy_present(connection, "access_token", scope);
  copy_present(connection, "refresh_token", scope);
  for (const char* key : {"redirect_uri", "code", "verifier", "state", "callback"}) copy_present(flow, key, scope);
  return scope;
}

}  // namespace connauth
