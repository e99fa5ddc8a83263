#include "context.h"

#include "scope.h"
#include "url.h"

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

Result<std::string> absolute_request_url(const Connector& connector, const json& scope,
                                         const std::string& url, const std::string& where) {
  std::string absolute = url;
  if (!parse_url(url).ok()) {
    if (!connector.base_uri)
      return Result<std::string>::failure(
          where, "is relative (\"" + url + "\") but the connector has no connection.base_uri; give an absolute URL");
    auto base = connector.base_uri->render(scope);
    if (!base.ok()) return Result<std::string>::failure(std::move(base.errors));
    auto resolved = resolve_url(*base.value, url, where);
    if (!resolved.ok()) return resolved;
    absolute = std::move(*resolved.value);
  }
  auto parsed = parse_url(absolute, where);
  if (!parsed.ok()) return Result<std::string>::failure(std::move(parsed.errors));
  if (parsed.value->scheme != "https" && parsed.value->scheme != "http")
    return Result<std::string>::failure(where, "must be an http or https URL, not " + parsed.value->scheme + ":");
  if (!parsed.value->userinfo.empty())
    return Result<std::string>::failure(where, "must not carry credentials before the host (user@host); use apply rules");
  return Result<std::string>::success(std::move(absolute));
}

}  // namespace connauth
