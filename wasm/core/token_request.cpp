#include "token_request.h"

#include <algorithm>

#include "connector_request.h"
#include "connector_reader.h"
#include "json_object.h"
#include "json_order.h"
#include "jwt.h"

namespace connauth {

using nlohmann::json;

namespace {

bool has_name(const QueryParams& params, const std::string& name) {
  return std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
}

void add_new(QueryParams& params, std::string name, std::string value) {
  if (!has_name(params, name)) params.emplace_back(std::move(name), std::move(value));
}

// The app has no secret and the connector only reads the app's: a public
// client, not a missing value.
bool is_public_client(const Template& client_secret, const json& scope) {
  std::vector<std::string> paths = client_secret.paths();
  if (paths != std::vector<std::string>{"client_secret"}) return false;
  if (!scope.is_object()) return true;
  auto it = scope.find("client_secret");
  return it == scope.end() || it->is_null();
}

// The parameters in the order they were added, so the body is predictable
// for tests and logs; a repeated name keeps its first place and takes the
// last value (json_order.h).
std::string json_body(const QueryParams& params) {
  std::vector<json> values;
  values.reserve(params.size());  // `members` points into it
  JsonMembers members;
  for (const auto& param : params) {
    values.emplace_back(param.second);
    auto same = std::find_if(members.begin(), members.end(), [&](const auto& m) { return m.first == param.first; });
    if (same != members.end()) same->second = &values.back();
    else members.emplace_back(param.first, &values.back());
  }
  return OrderedJsonObject().dump_with(members);
}

}  // namespace

Result<ClientCredentials> client_credentials(const OAuth2Settings& oauth2, const json& scope) {
  Problems problems;
  ClientCredentials client;
  auto id = oauth2.client_id.render(scope);
  if (id.ok()) client.id = std::move(*id.value);
  else problems = std::move(id.errors);
  // private_key_jwt authenticates with a signed assertion, never a secret.
  if (oauth2.client_auth != OAuth2Settings::ClientAuth::PrivateKeyJwt) {
    auto secret = oauth2.client_secret.render(scope);
    if (secret.ok()) client.secret = std::move(*secret.value);
    else if (!is_public_client(oauth2.client_secret, scope))
      append(problems, secret.errors);
  }
  if (!problems.empty()) return Result<ClientCredentials>::failure(std::move(problems));
  return Result<ClientCredentials>::success(std::move(client));
}

std::string client_basic_authorization(const std::string& id, const std::string& secret) {
  return "Basic " + base64_encode(form_encode(id) + ":" + form_encode(secret));
}

namespace {

// An app setting (connection hash, scope.h) as text: a string, or a number's
// decimal form; absent otherwise.
std::optional<std::string> app_setting(const json& scope, const char* name) {
  auto connection = scope.find("connection");
  if (connection == scope.end() || !connection->is_object()) return std::nullopt;
  auto it = connection->find(name);
  if (it == connection->end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return std::nullopt;
}

// RFC 7523 §3 / OIDC Core §9: iss and sub the client_id, aud the token
// endpoint (the revocation request sends the same audience: the server's
// token endpoint identifies it), signed with the app's private_key setting;
// alg from client_assertion_alg (RS256 by default), kid from key_id.
Result<JwtToSign> client_assertion(const Authorization& authorization, const json& scope, const std::string& client_id,
                                   const std::string& audience) {
  const std::string where = authorization.where + "/client_auth";
  std::optional<std::string> key = app_setting(scope, "private_key");
  if (!key)
    return Result<JwtToSign>::failure(
        "/app/settings/private_key",
        "has no value: client_auth private_key_jwt signs with the app's private_key setting (a PEM PKCS#8 private key)");
  std::string alg = app_setting(scope, "client_assertion_alg").value_or("RS256");
  if (!is_supported_jwt_alg(alg))
    return Result<JwtToSign>::failure("/app/settings/client_assertion_alg",
                                      "unsupported alg " + in_quotes(alg) + ": use \"RS256\" or \"ES256\"");
  json claims = json_object("iss", client_id, "sub", client_id, "aud", audience);
  return build_jwt(alg, *key, "/app/settings/private_key", app_setting(scope, "key_id"), std::move(claims), scope,
                   where, 0);
}

// POST `url_template` with `params`, then `extra` (token_params), the
// connector's token_headers, then client authentication: `body` puts
// client_id and client_secret in the body, `basic` puts them in the
// Authorization header. A name already present is not added again. A JSON
// body only when `json_body_format`.
Result<HttpRequest> client_request(const Authorization& authorization, const Template& url_template, const json& scope,
                                   QueryParams params, const TemplateMap& extra, bool json_body_format,
                                   const std::optional<Template>& base_uri) {
  const OAuth2Settings& oauth2 = authorization.oauth2;
  Problems problems;
  HttpRequest request;
  request.method = "POST";
  auto url = url_template.render(scope);
  if (url.ok()) {
    auto absolute = resolve_request_url(base_uri, scope, *url.value, url_template.where());
    if (absolute.ok()) request.url = std::move(*absolute.value);
    else append(problems, absolute.errors);
  } else {
    append(problems, url.errors);
  }

  for (const auto& [name, value] : extra) {
    auto rendered = value.render(scope);
    if (rendered.ok()) add_new(params, name, std::move(*rendered.value));
    else append(problems, rendered.errors);
  }

  for (const auto& [name, value] : oauth2.token_headers) {
    auto rendered = value.render(scope);
    if (!rendered.ok()) append(problems, rendered.errors);
    else if (const char* problem = header_value_problem(*rendered.value))
      add_problem(problems, value.where(), std::string("renders a header value with ") + problem + "; the request is not sent");
    else request.headers.set(name, std::move(*rendered.value));
  }

  auto client = client_credentials(oauth2, scope);
  if (!client.ok()) append(problems, client.errors);
  if (!problems.empty()) return Result<HttpRequest>::failure(std::move(problems));

  // RFC 6749 §2.3.1: Basic is the method servers must support; the body is
  // allowed. A public client only identifies itself (§4.1.3 client_id).
  if (oauth2.client_auth == OAuth2Settings::ClientAuth::PrivateKeyJwt) {
    std::string audience = request.url;
    if (oauth2.token_url && &url_template != &*oauth2.token_url) {
      auto token_url = oauth2.token_url->render(scope);
      auto absolute = token_url.ok() ? resolve_request_url(base_uri, scope, *token_url.value, oauth2.token_url->where())
                                     : Result<std::string>::failure(std::move(token_url.errors));
      if (!absolute.ok()) return Result<HttpRequest>::failure(std::move(absolute.errors));
      audience = std::move(*absolute.value);
    }
    auto assertion = client_assertion(authorization, scope, client.value->id, audience);
    if (!assertion.ok()) return Result<HttpRequest>::failure(std::move(assertion.errors));
    add_new(params, "client_id", client.value->id);
    add_new(params, "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    add_new(params, "client_assertion", assertion.value->signing_input);
    request.jwts.push_back(std::move(*assertion.value));
  } else if (!client.value->secret) {
    add_new(params, "client_id", client.value->id);
  } else if (oauth2.client_auth == OAuth2Settings::ClientAuth::Basic) {
    request.headers.set("Authorization", client_basic_authorization(client.value->id, *client.value->secret));
  } else {
    add_new(params, "client_id", client.value->id);
    add_new(params, "client_secret", *client.value->secret);
  }

  request.headers.set("Accept", "application/json");
  if (json_body_format) {
    request.headers.set("Content-Type", "application/json");
    request.body = json_body(params);
  } else {
    request.headers.set("Content-Type", "application/x-www-form-urlencoded");
    request.body = build_query(params);
  }
  return Result<HttpRequest>::success(std::move(request));
}

std::string token_in(const json& scope, const char* name) {
  if (!scope.is_object()) return "";
  auto it = scope.find(name);
  return it != scope.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Result<HttpRequest> build_token_request(const Authorization& authorization, const json& scope,
                                        const QueryParams& grant, const std::optional<Template>& base_uri) {
  const OAuth2Settings& oauth2 = authorization.oauth2;
  if (!oauth2.token_url)
    return Result<HttpRequest>::failure(authorization.where,
                                        "has no token_url, so no token can be requested; add token_url");
  return client_request(authorization, *oauth2.token_url, scope, grant, oauth2.token_params,
                        oauth2.token_format == OAuth2Settings::TokenFormat::Json, base_uri);
}

Result<std::optional<HttpRequest>> build_revocation_request(const Authorization& authorization, const json& scope,
                                                            const std::optional<Template>& base_uri) {
  using Answer = Result<std::optional<HttpRequest>>;
  const OAuth2Settings& oauth2 = authorization.oauth2;
  if (authorization.type != AuthType::OAuth2 || !oauth2.revocation_url) return Answer::success(std::nullopt);
  // The refresh token first: revoking it ends the grant, and RFC 7009 §2.1
  // lets the server revoke the grant's access tokens with it.
  QueryParams params;
  for (const char* kind : {"refresh_token", "access_token"}) {
    std::string token = token_in(scope, kind);
    if (token.empty()) continue;
    params = {{"token", std::move(token)}, {"token_type_hint", kind}};
    break;
  }
  if (params.empty()) return Answer::success(std::nullopt);
  // §2.1: always form-encoded, whatever token_format says; no token_params.
  auto request = client_request(authorization, *oauth2.revocation_url, scope, std::move(params), {}, false, base_uri);
  if (!request.ok()) return Answer::failure(std::move(request.errors));
  return Answer::success(std::move(*request.value));
}

}  // namespace connauth
