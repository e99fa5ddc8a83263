#include "connect_form.h"

#include <algorithm>
#include <string_view>

#include "context.h"

namespace connauth {

using nlohmann::json;

namespace {

constexpr std::string_view kConnectionPrefix = "connection.";

const json& member_or_null(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

// What the app's admin has set (SPEC §5 settings): a non-null setting, or a
// secret setting the host names without its value.
struct AppValues {
  const json& settings;
  const json& secret_names;

  bool sets(const std::string& name) const {
    const json& value = member_or_null(settings, name.c_str());
    if (!value.is_null()) return true;
    if (!secret_names.is_array()) return false;
    return std::any_of(secret_names.begin(), secret_names.end(),
                       [&](const json& n) { return n.is_string() && n.get_ref<const std::string&>() == name; });
  }
};

// The connection field named by a template path "connection.<field>", if any.
std::string connection_field(std::string_view path) {
  if (path.substr(0, kConnectionPrefix.size()) != kConnectionPrefix) return "";
  path.remove_prefix(kConnectionPrefix.size());
  return std::string(path.substr(0, path.find('.')));
}

// An entered value is a scalar a template can render (SPEC §2.1); "" and a
// missing value mean "not entered".
bool entered(const json& values, const std::string& name) {
  const json& value = member_or_null(values, name.c_str());
  return !value.is_null() && !(value.is_string() && value.get_ref<const std::string&>().empty());
}

// The fields a form asks for: not the app's, and not the choice (a form
// sets that one with its option picker).
void add_asked(std::vector<const Field*>& into, const std::vector<Field>& fields, const AppValues& app,
               const std::string& choice_field) {
  for (const Field& field : fields)
    if (!app.sets(field.name) && field.name != choice_field) into.push_back(&field);
}

std::string option_keys(const Authorization& multi) {
  std::string out;
  for (const AuthOption& option : multi.options) out += (out.empty() ? "" : ", ") + option.key;
  return out;
}

}  // namespace

ConnectForm connect_form(const Connector& connector, const json& context) {
  ConnectForm form;
  const json& given = member_or_null(context, "connection");
  const json& app = member_or_null(context, "app");
  const AppValues app_values{member_or_null(app, "settings"), member_or_null(app, "secret_settings")};
  if (!given.is_null() && !given.is_object()) add_problem(form.problems, "/fields", "must be an object of field values");

  // The entered values as the connection hash starts: "" is "not entered".
  form.values = json::object();
  if (given.is_object())
    for (auto it = given.begin(); it != given.end(); ++it)
      if (!(it->is_string() && it->get_ref<const std::string&>().empty())) form.values[it.key()] = *it;

  // The authorization in force, through `selected` as every flow resolves it.
  json resolving = json::object();
  resolving["connection"] = form.values;
  if (app.is_object()) resolving["app"] = app;
  auto resolved = resolve_context(connector, resolving);
  if (resolved.ok()) form.authorization = resolved.value->authorization;

  const Authorization& top = connector.authorization;
  std::vector<std::string> selector_fields;  // connection fields `selected` reads
  if (top.type == AuthType::Multi) {
    for (const std::string& path : top.selected->paths()) {
      std::string field = connection_field(path);
      if (!field.empty() && std::find(selector_fields.begin(), selector_fields.end(), field) == selector_fields.end())
        selector_fields.push_back(field);
    }
    std::optional<std::string> sole = top.selected->sole_path();
    std::string field = sole ? connection_field(*sole) : "";
    if (!field.empty() && kConnectionPrefix.size() + field.size() == sole->size() && !app_values.sets(field))
      form.choice_field = field;
    for (const AuthOption& option : top.options) {
      ConnectOption offered{option.key, option.authorization.get(), {}};
      add_asked(offered.fields, connector.fields, app_values, form.choice_field);
      add_asked(offered.fields, option.authorization->fields, app_values, form.choice_field);
      form.options.push_back(std::move(offered));
      if (option.authorization.get() == form.authorization) form.option = option.key;
    }
  }

  // The fields that apply: the connector's, the option in force's (every
  // option's while none is), and what the selector reads.
  std::vector<const Field*> declared;
  for (const Field& field : connector.fields) declared.push_back(&field);
  if (form.authorization) {
    for (const Field& field : form.authorization->fields) declared.push_back(&field);
  } else {
    for (const AuthOption& option : top.options)
      for (const Field& field : option.authorization->fields) declared.push_back(&field);
  }
  auto is_declared = [&](const std::string& name) {
    return std::any_of(declared.begin(), declared.end(), [&](const Field* f) { return f->name == name; }) ||
           std::find(selector_fields.begin(), selector_fields.end(), name) != selector_fields.end();
  };

  if (given.is_object())
    for (auto it = given.begin(); it != given.end(); ++it) {
      std::string at = pointer_append("/fields", it.key());
      if (!is_declared(it.key())) add_problem(form.problems, at, "is not a field of this connector");
      else if (!it->is_string() && !it->is_number() && !it->is_boolean())
        add_problem(form.problems, at, "must be a string, number or boolean");
    }

  if (top.type == AuthType::Multi && !form.authorization) {
    // The user fixes this with the selector's field; a selector that reads
    // something else is the connector's or the app's to fix.
    std::string field = !form.choice_field.empty() ? form.choice_field
                        : selector_fields.size() == 1 && !app_values.sets(selector_fields.front()) ? selector_fields.front()
                                                                                                   : "";
    if (!field.empty()) add_problem(form.problems, pointer_append("/fields", field), "must be one of " + option_keys(top));
    else
      for (const Problem& p : resolved.errors)
        add_problem(form.problems, "/fields", "select no authorization: " + p.message + " (" + p.path + ")");
  }

  std::vector<const Field*> applying(declared.begin(), declared.begin() + connector.fields.size());
  if (form.authorization)
    for (const Field& field : form.authorization->fields) applying.push_back(&field);
  for (const Field* field : applying) {
    if (app_values.sets(field->name)) continue;
    const bool choice = field->name == form.choice_field;  // its problem is the selection's
    if (!choice) form.fields.push_back(field);
    if (entered(form.values, field->name)) continue;
    if (!field->default_value.is_null()) form.values[field->name] = field->default_value;
    else if (!field->optional && !choice) add_problem(form.problems, pointer_append("/fields", field->name), "is required");
  }
  return form;
}

}  // namespace connauth
