#include "context.h"

#include "scope.h"

namespace connauth {

using nlohmann::json;

namespace {

// A field's declared `default` (SPEC §2) stands in for a value the user left
// out, so templates and `selected` see it like an entered value.
void fill_field_defaults(json& scope, const std::vector<Field>& fields) {
  json& connection = scope["connection"];
  if (!connection.is_object()) connection = json::object();
  for (const Field& field : fields) {
    if (field.default_value.is_null()) continue;
    auto it = connection.find(field.name);
    if (it == connection.end() || it->is_null()) connection[field.name] = field.default_value;
  }
}

json scope_for(const Connector& connector, const json& context, const std::string& separator) {
  json scope = make_scope(context, separator);
  fill_field_defaults(scope, connector.fields);
  return scope;
}

}  // namespace

Result<ConnectionContext> resolve_context(const Connector& connector, const json& context) {
  auto stamp = stamp_from_context(context);
  if (!stamp.ok()) return Result<ConnectionContext>::failure(std::move(stamp.errors));
  // `selected` may itself read the connection (default {{connection.auth_type}}),
  // so select against a scope with the default separator first, then rebuild
  // the scope with the chosen option's scope separator and its own fields.
  json scope = scope_for(connector, context, " ");
  auto selected = select_authorization(connector, scope);
  if (!selected.ok()) return Result<ConnectionContext>::failure(std::move(selected.errors));
  const Authorization* auth = *selected.value;
  if (auth->oauth2.scope_separator != " ") scope = scope_for(connector, context, auth->oauth2.scope_separator);
  fill_field_defaults(scope, auth->fields);
  if (context.contains("stamp") && !context["stamp"].is_null()) stamp_scope(scope, *stamp.value);
  return Result<ConnectionContext>::success(ConnectionContext{auth, std::move(scope), std::move(*stamp.value)});
}

}  // namespace connauth
