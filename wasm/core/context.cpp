#include "context.h"

#include "scope.h"

namespace connauth {

using nlohmann::json;

Result<ConnectionContext> resolve_context(const Connector& connector, const json& context) {
  // `selected` may itself read the connection (default {{connection.auth_type}}),
  // so select against a scope with the default separator first, then rebuild
  // the scope with the chosen option's scope separator.
  json scope = make_scope(context);
  auto selected = select_authorization(connector, scope);
  if (!selected.ok()) return Result<ConnectionContext>::failure(std::move(selected.errors));
  const Authorization* auth = *selected.value;
  if (auth->oauth2.scope_separator != " ") scope = make_scope(context, auth->oauth2.scope_separator);
  return Result<ConnectionContext>::success(ConnectionContext{auth, std::move(scope)});
}

}  // namespace connauth
