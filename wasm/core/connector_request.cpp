#include "connector_request.h"

#include "url.h"

namespace connauth {

using nlohmann::json;

namespace {

// The request's JWTs (jwt.h), built once: their signing inputs stand where
// each JWT goes.
struct BuiltJwts {
  const std::vector<JwtValue>& values;
  std::vector<std::optional<JwtToSign>> built;

  // The JWT whose `{"jwt": …}` was at `where`, or nullptr.
  const JwtToSign* at(const std::string& where) const {
    for (size_t i = 0; i < values.size(); ++i)
      if (values[i].where == where) return built[i] ? &*built[i] : nullptr;
    return nullptr;
  }
  bool is_slot(const std::string& where) const {
    for (const JwtValue& value : values)
      if (value.where == where) return true;
    return false;
  }
};

BuiltJwts build_jwts(const std::vector<JwtValue>& values, const json& scope, Problems& problems) {
  BuiltJwts out{values, {}};
  int ordinal = 0;  // 0 is the client assertion's (jwt.h build_jwt)
  for (const JwtValue& value : values) {
    auto jwt = render_jwt(value, scope, ++ordinal);
    if (jwt.ok()) out.built.emplace_back(std::move(*jwt.value));
    else out.built.emplace_back(std::nullopt), append(problems, jwt.errors);
  }
  return out;
}

// Renders every template of a map, collecting problems instead of stopping
// at the first, so an author sees all missing values at once.
QueryParams render_map(const TemplateMap& map, const json& scope, const BuiltJwts& jwts, Problems& problems) {
  QueryParams out;
  for (const auto& [name, value] : map) {
    if (jwts.is_slot(value.where())) {
      const JwtToSign* jwt = jwts.at(value.where());
      out.emplace_back(name, jwt ? jwt->signing_input : "");
      continue;
    }
    auto rendered = value.render(scope);
    if (rendered.ok()) out.emplace_back(name, std::move(*rendered.value));
    else append(problems, rendered.errors);
  }
  return out;
}

}  // namespace

RenderedBaseUri render_base_uri(const std::optional<Template>& base_uri, const json& scope) {
  if (!base_uri) return std::nullopt;
  auto rendered = base_uri->render(scope);
  if (!rendered.ok()) return Result<BaseUrl>::failure(std::move(rendered.errors));
  return Result<BaseUrl>::success(BaseUrl::prepare(std::move(*rendered.value)));
}

Result<std::string> resolve_request_url(const std::optional<Template>& base_uri, const json& scope,
                                        const std::string& url, const std::string& where) {
  return resolve_request_url(render_base_uri(base_uri, scope), url, where);
}

namespace {

Result<std::string> checked_request_url(std::string absolute, const Url& parsed, const std::string& where) {
  if (parsed.scheme != "https" && parsed.scheme != "http")
    return Result<std::string>::failure(where, "must be an http or https URL, not " + parsed.scheme + ":");
  if (!parsed.userinfo.empty())
    return Result<std::string>::failure(where,
                                        "must not carry credentials before the host (user@host); use `basic`");
  return Result<std::string>::success(std::move(absolute));
}

}  // namespace

Result<std::string> resolve_request_url(const RenderedBaseUri& base_uri, std::string_view url,
                                        const std::string& where) {
  if (has_scheme(url)) {
    auto parsed = parse_url(url, where);
    if (parsed.ok()) return checked_request_url(std::string(url), *parsed.value, where);
  }
  // Relative, or absolute but not valid: resolve_url says what is wrong.
  if (!base_uri)
    return Result<std::string>::failure(
        where, "is relative but the connector has no connection.base_uri; give an absolute URL");
  if (!base_uri->ok()) return Result<std::string>::failure(base_uri->errors);
  const BaseUrl& base = *base_uri->value;
  // The usual proxied request: a plain path under an http(s) base, already
  // known to be a valid request URL (url.h).
  std::string plain;
  if (base.resolve_plain(url, plain)) return Result<std::string>::success(std::move(plain));
  auto resolved = resolve_url(base.text, url, where);
  if (!resolved.ok()) return resolved;
  auto parsed = parse_url(*resolved.value, where);
  if (!parsed.ok()) return Result<std::string>::failure(std::move(parsed.errors));
  return checked_request_url(std::move(*resolved.value), *parsed.value, where);
}

Result<std::string> basic_credentials(const std::string& user_id, const std::string& password,
                                      const std::string& where) {
  if (user_id.find(':') != std::string::npos)
    return Result<std::string>::failure(
        where, "renders to a username containing ':', which Basic authentication cannot carry (RFC 7617 §2)");
  return Result<std::string>::success("Basic " + base64_encode(user_id + ":" + password));
}

Result<HttpRequest> build_request(const ConnectorRequest& request, const json& scope,
                                  const std::optional<Template>& base_uri) {
  Problems problems;
  HttpRequest out;
  out.method = request.method.empty() ? "GET" : to_upper(request.method);

  auto url = request.url.render(scope);
  if (url.ok()) {
    auto absolute = resolve_request_url(base_uri, scope, *url.value, request.url.where());
    if (absolute.ok()) out.url = std::move(*absolute.value);
    else append(problems, absolute.errors);
  } else {
    append(problems, url.errors);
  }

  BuiltJwts jwts = build_jwts(request.jwts, scope, problems);
  QueryParams params = render_map(request.params, scope, jwts, problems);

  // `basic` first, so that an explicit Authorization header is the more
  // specific one and wins (as in apply rules, SPEC §2.4).
  if (request.basic) {
    auto username = request.basic->username.render(scope);
    auto password = request.basic->password.render(scope);
    if (!username.ok()) append(problems, username.errors);
    if (!password.ok()) append(problems, password.errors);
    if (username.ok() && password.ok()) {
      auto header = basic_credentials(*username.value, *password.value, request.basic->username.where());
      if (header.ok()) out.headers.set("Authorization", std::move(*header.value));
      else append(problems, header.errors);
    }
  }
  for (const auto& [name, value] : request.headers) {
    if (jwts.is_slot(value.where())) {
      if (const JwtToSign* jwt = jwts.at(value.where())) out.headers.set(name, jwt->signing_input);
      continue;
    }
    auto rendered = value.render(scope);
    if (!rendered.ok()) {
      append(problems, rendered.errors);
    } else if (const char* problem = header_value_problem(*rendered.value)) {
      add_problem(problems, value.where(), std::string("renders a header value with ") + problem + "; the request is not sent");
    } else {
      out.headers.set(name, std::move(*rendered.value));
    }
  }

  if (request.form) {
    out.body = build_query(render_map(*request.form, scope, jwts, problems));
    if (!out.headers.get("Content-Type")) out.headers.set("Content-Type", "application/x-www-form-urlencoded");
  } else if (request.json) {
    auto rendered = request.json->render(scope);
    if (rendered.ok()) {
      for (size_t i = 0; i < request.jwts.size(); ++i)
        if (jwts.built[i] && request.jwts[i].body_path) {
          // The path exists: the definition had the {"jwt": …} there.
          json* node = &*rendered.value;
          for (const json& token : *request.jwts[i].body_path)
            node = token.is_string() ? &(*node)[token.get_ref<const std::string&>()] : &(*node)[token.get<size_t>()];
          *node = jwts.built[i]->signing_input;
        }
      out.body = rendered.value->dump(-1, ' ', false, json::error_handler_t::replace);
      if (!out.headers.get("Content-Type")) out.headers.set("Content-Type", "application/json");
    } else {
      append(problems, rendered.errors);
    }
  }

  if (!problems.empty()) return Result<HttpRequest>::failure(std::move(problems));
  if (!params.empty()) out.url = set_url_query_params(out.url, params);
  for (auto& jwt : jwts.built) out.jwts.push_back(std::move(*jwt));
  return Result<HttpRequest>::success(std::move(out));
}

}  // namespace connauth
