#include "engine.h"

#include <algorithm>

#include "applied_secrets.h"
#include "connector_request.h"
#include "context.h"
#include "json_io.h"
#include "json_object.h"

namespace connauth {

using nlohmann::json;

json field_to_json(const Field& f) {
  json field = json_object("name", f.name, "label", f.label.empty() ? f.name : f.label,
                           "optional", f.optional, "secret", f.secret);
  if (!f.default_value.is_null()) field["default"] = f.default_value;
  if (!f.hint.empty()) field["hint"] = f.hint;
  return field;
}

namespace {

json fields_to_json(const std::vector<Field>& fields) {
  json out = json::array();
  for (const auto& f : fields) out.push_back(field_to_json(f));
  return out;
}

}  // namespace

namespace {

// The connection values that sign JWTs (SPEC §10): the app's private_key for
// private_key_jwt, and each `{"jwt": …}` key read from the connection. They
// are secrets whether or not the connector declares them as secret fields.
void add_signing_keys(const Authorization& auth, std::vector<std::string>& names) {
  auto add = [&](std::string name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
  };
  if (auth.type == AuthType::OAuth2 && auth.oauth2.client_auth == OAuth2Settings::ClientAuth::PrivateKeyJwt)
    add("private_key");
  for (const Steps* steps : {&auth.acquire, &auth.refresh})
    for (const Step& step : *steps)
      for (const JwtValue& jwt : step.request.jwts)
        for (const std::string& path : jwt.key.paths())
          if (path.rfind("connection.", 0) == 0) add(path.substr(11, path.find('.', 11) - 11));
  for (const AuthOption& option : auth.options) add_signing_keys(*option.authorization, names);
}

}  // namespace

json describe_connector(const Connector& connector) {
  const Authorization& auth = connector.authorization;
  json out = json_object("name", connector.name,
                         "title", connector.title.empty() ? connector.name : connector.title,
                         "type", to_string(auth.type),
                         "fields", fields_to_json(connector.fields));
  out["has_test"] = connector.test.has_value();
  std::vector<std::string> signing_keys;
  add_signing_keys(auth, signing_keys);
  if (!signing_keys.empty()) out["signing_keys"] = signing_keys;
  if (auth.type == AuthType::Multi) {
    json options = json::array();
    for (const auto& option : auth.options)
      options.push_back(json_object("key", option.key,
                                    "type", to_string(option.authorization->type),
                                    "fields", fields_to_json(option.authorization->fields)));
    out["options"] = std::move(options);
  }
  return out;
}

json validate_connector(std::string_view definition_text) {
  auto parsed = parse_connector(definition_text);
  if (!parsed.ok()) return error_envelope(parsed.errors);
  json out = describe_connector(*parsed.value);
  // docs/security.md: what apply rules send, every member's upstream can echo.
  json warnings = json::array();
  json applied = json::array();
  for (const AppliedSecret& s : applied_secrets(*parsed.value)) {
    if (s.secret == "client_secret")
      warnings.push_back(json_object(
          "path", s.path, "message",
          "sends the app's client_secret with every request: any member can read it back through an upstream "
          "that echoes request headers; send it only in the token request"));
    else
      applied.push_back(json_object("field", s.secret, "path", s.path));
  }
  if (!warnings.empty()) out["warnings"] = std::move(warnings);
  if (!applied.empty()) out["secret_fields_applied"] = std::move(applied);
  return ok_envelope(std::move(out));
}

json apply_to_request(const Connector& connector, const json& context, const json& request_json) {
  auto resolved = resolve_context(connector, context);
  if (!resolved.ok()) return error_envelope(resolved.errors);
  auto request = request_from_json(request_json, "/request");
  if (!request.ok()) return error_envelope(request.errors);
  auto url = resolve_request_url(connector.base_uri, resolved.value->scope, request.value->url, "/request/url");
  if (!url.ok()) return error_envelope(url.errors);
  request.value->url = std::move(*url.value);
  auto applied = apply_rules(resolved.value->authorization->apply, std::move(*request.value),
                             resolved.value->scope, resolved.value->stamp);
  if (!applied.ok()) return error_envelope(applied.errors);
  return ok_envelope(request_to_json(*applied.value));
}

json classify_response(const Connector& connector, const json& context, const json& response_json) {
  auto resolved = resolve_context(connector, context);
  if (!resolved.ok()) return error_envelope(resolved.errors);
  auto response = response_from_json(response_json, "/response");
  if (!response.ok()) return error_envelope(response.errors);
  const Authorization& auth = *resolved.value->authorization;
  Classification c = classify(auth.refresh_on, auth.detect_on, *response.value);
  json out = json_object("action", to_string(c.action), "reason", c.reason);
  if (!c.matched.empty()) out["matched"] = c.matched;
  return ok_envelope(std::move(out));
}

}  // namespace connauth
