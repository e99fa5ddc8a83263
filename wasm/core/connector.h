// The connector definition (SPEC §2), parsed once into an immutable model.
// `parse_connector` validates every key and collects *all* problems, each at
// its JSON pointer, so an author can fix a definition in one pass.
#pragma once

#include "json.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apply_rule.h"
#include "jwt.h"
#include "result.h"
#include "signals.h"
#include "template.h"

namespace connauth {

// A connection field the user (or the app, via settings) fills in (SPEC §2).
struct Field {
  std::string name;
  std::string label;
  bool optional = false;
  bool secret = false;
  nlohmann::json default_value;  // null = none
  std::string hint;
  std::string where;
};

// A request made by the engine itself: acquire, refresh, test (SPEC §2.3).
struct ConnectorRequest {
  std::string where;
  std::string method = "GET";  // upper case
  Template url;                // absolute, or relative to connection.base_uri
  TemplateMap headers;
  TemplateMap params;
  std::optional<TemplateMap> form;   // exclusive with json
  std::optional<JsonTemplate> json;  // exclusive with form
  std::optional<BasicCredentials> basic;
  // `{"jwt": …}` values (SPEC §10): each stands as an empty literal in the
  // map or body above, at its `where`, and is built by build_request.
  std::vector<JwtValue> jwts;
};

// How a token response maps onto tokens. Absent entries use the standard
// names (`{{response.access_token}}` ...).
struct TokenMapping {
  std::optional<Template> access_token;
  std::optional<Template> refresh_token;
  std::optional<Template> expires_in;
};

// One step of `acquire` or custom `refresh`: a request plus how to read its
// response (SPEC §2.3). In a list of steps (SPEC §10) a named step's answer
// is readable by later steps as steps.<name>.response / .response_headers.
struct Step {
  std::string where;
  std::string name;  // empty: later steps cannot read its answer
  ConnectorRequest request;
  // Whether the answer yields tokens (access, refresh, expiry) by `tokens`
  // or, without it, by the standard names. False for `"tokens": false` (the
  // step only merges values or feeds later steps) and for a step without
  // `tokens` that is not the last of its list.
  bool yields_tokens = true;
  TokenMapping tokens;
  std::optional<Template> owner_id;
  TemplateMap merge;  // values added to the connection hash
};

// `acquire` or custom `refresh`: one step, or several run in order (SPEC
// §10). Empty when the definition has none.
using Steps = std::vector<Step>;

struct OAuth2Settings {
  std::optional<Template> authorization_url;  // required unless acquire
  std::optional<Template> token_url;          // required unless acquire
  std::optional<Template> revocation_url;     // RFC 7009; none: tokens are only deleted
  Template client_id;                         // default {{client_id}}
  Template client_secret;                     // default {{client_secret}}
  std::optional<std::vector<std::string>> scopes;  // default: the app's
  std::string scope_separator = " ";
  TemplateMap authorization_params;
  // PKCE (RFC 7636 §4.1-4.2): `pkce` is true (S256, a 43-character
  // verifier), false, or {"method": "S256"|"plain", "verifier_length": 43..128}.
  bool pkce = true;
  enum class PkceMethod { S256, Plain } pkce_method = PkceMethod::S256;
  int pkce_verifier_length = 43;
  // private_key_jwt: RFC 7523 §2.2 client assertion signed with the app's
  // private_key setting (token_request.h).
  enum class ClientAuth { Body, Basic, PrivateKeyJwt } client_auth = ClientAuth::Body;
  TemplateMap token_params;
  // Headers on every token endpoint request (code exchange, refresh,
  // revocation): a gateway in front of a private server, e.g. an access
  // service token read from the app's secret settings.
  TemplateMap token_headers;
  enum class TokenFormat { Form, Json } token_format = TokenFormat::Form;
  bool noopener = false;
};

enum class AuthType { BasicAuth, ApiKey, OAuth2, CustomAuth, Multi };
const char* to_string(AuthType t);

struct Authorization;

// One entry of `multi.options`.
struct AuthOption {
  std::string key;
  std::shared_ptr<const Authorization> authorization;
};

struct Authorization {
  std::string where;  // JSON pointer ("/authorization" or an option's)
  AuthType type = AuthType::BasicAuth;

  // Shared by all types. `apply` already holds the type's default rules when
  // the definition gave none (oauth2: Bearer; basic_auth: Basic).
  std::vector<ApplyRule> apply;
  Signals refresh_on;
  Signals detect_on;
  // SPEC §2.2, §10 `identity`: a template over the connection (it may read
  // the token response's `id_token` claims), or the `value` read from the
  // answer to `identity_request`, a request made after connecting.
  std::optional<Template> identity;
  std::optional<ConnectorRequest> identity_request;

  // oauth2
  OAuth2Settings oauth2;
  // oauth2 (optional) and custom_auth (required)
  Steps acquire;
  // Refresh: Standard = refresh-token grant at token_url (oauth2) or
  // re-acquire (custom_auth); Custom = `refresh` step; Disabled = `false`.
  enum class Refresh { Standard, Custom, Disabled } refresh_mode = Refresh::Standard;
  Steps refresh;

  // multi
  std::optional<Template> selected;  // default {{connection.auth_type}}
  std::vector<AuthOption> options;
  // An option's own extra connection fields.
  std::vector<Field> fields;
};

struct Connector {
  std::string name;
  std::string title;
  std::vector<Field> fields;
  std::optional<Template> base_uri;
  Authorization authorization;
  std::optional<ConnectorRequest> test;
};

// Parses and validates a connector definition (JSON text). Never throws.
Result<Connector> parse_connector(std::string_view json_text);
Result<Connector> parse_connector(const nlohmann::json& definition);
// Text overloads: without them a std::string or string literal would be
// ambiguous between string_view and nlohmann::json's converting constructor.
Result<Connector> parse_connector(const std::string& json_text);
Result<Connector> parse_connector(const char* json_text);

// The authorization in force for a connection: for `multi`, the option
// `selected` names (rendered against `scope`); otherwise the top level.
Result<const Authorization*> select_authorization(const Connector& connector,
                                                  const nlohmann::json& scope);

}  // namespace connauth
