#include "connector.h"

#include "json_io.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <utility>

#include "connector_reader.h"
#include "connector_rules.h"
#include "url.h"

namespace connauth {

using nlohmann::json;

const char* to_string(AuthType t) {
  switch (t) {
    case AuthType::BasicAuth: return "basic_auth";
    case AuthType::ApiKey: return "api_key";
    case AuthType::OAuth2: return "oauth2";
    case AuthType::CustomAuth: return "custom_auth";
    case AuthType::Multi: return "multi";
  }
  return "unknown";
}

namespace {

// Deeper documents are refused before anything walks them: the model's
// readers recurse, and no real connector nests anywhere near this.
constexpr size_t kMaxDepth = 64;

// Keys of each object in SPEC §2. `$schema`, `description` and
// `documentation` are accepted at the top level for editors, authors and
// admins (they change nothing the engine does); versions are assigned by the
// server on every save (SPEC §1), so there is no `version` key.
constexpr std::string_view kTopLevelKeys[] = {"$schema",       "name",       "title",
                                              "description",   "documentation", "connection",
                                              "authorization", "test"};
constexpr std::string_view kConnectionKeys[] = {"fields", "base_uri"};
constexpr std::string_view kFieldKeys[] = {"name",   "label",   "optional",
                                           "secret", "default", "hint"};
constexpr std::string_view kRequestKeys[] = {"method", "url",  "headers", "params",
                                             "form",   "json", "basic"};
constexpr std::string_view kStepKeys[] = {"name", "request", "tokens", "owner_id", "merge"};
constexpr std::string_view kTokenKeys[] = {"access_token", "refresh_token", "expires_in"};
// SPEC §10: `identity` as a request made after connecting, and RFC 7636 options.
constexpr std::string_view kIdentityKeys[] = {"request", "value"};
constexpr std::string_view kPkceKeys[] = {"method", "verifier_length"};
constexpr std::string_view kPkceMethods[] = {"S256", "plain"};

// SPEC §2.2, per authorization type.
constexpr std::string_view kTypeNames[] = {"basic_auth", "api_key", "oauth2", "custom_auth",
                                           "multi"};
constexpr std::string_view kSharedKeys[] = {"type", "apply", "refresh_on", "detect_on",
                                            "identity"};
constexpr std::string_view kOAuth2Keys[] = {"authorization_url",    "token_url",    "client_id",
                                            "client_secret",        "scopes",       "scope_separator",
                                            "authorization_params", "pkce",         "client_auth",
                                            "token_params",         "token_format", "acquire",
                                            "refresh",              "noopener",     "revocation_url"};
// RFC 6749 §2.3.1: client credentials in the body or as HTTP Basic.
constexpr std::string_view kClientAuthValues[] = {"body", "basic", "private_key_jwt"};
constexpr std::string_view kTokenFormatValues[] = {"form", "json"};
constexpr std::string_view kCustomAuthKeys[] = {"acquire", "refresh"};
constexpr std::string_view kMultiKeys[] = {"selected", "options"};
// Only an option of `multi` may declare its own connection fields.
constexpr std::string_view kOptionFieldsKey = "fields";

// Parameters the engine itself puts on the authorization URL and the token
// request (SPEC §2.2): letting a connector set them would break state/PKCE
// checks (RFC 6749 §10.12, RFC 7636) or the redirect.
constexpr std::string_view kEngineAuthorizationParams[] = {
    "response_type", "client_id", "redirect_uri", "state", "scope", "code_challenge",
    "code_challenge_method"};
constexpr std::string_view kEngineTokenParams[] = {"grant_type", "code", "redirect_uri",
                                                   "code_verifier"};
// Tokens are written through `tokens`, never through `merge`.
constexpr std::string_view kTokenConnectionKeys[] = {"access_token", "refresh_token",
                                                     "expires_at"};

const char* const kConnectorNameRule = "^[a-z][a-z0-9_-]{0,63}$";
const char* const kFieldNameRule = "^[a-z_][a-z0-9_]*$";

bool contains(const KeyList& list, std::string_view key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

std::vector<std::string_view> concat(std::initializer_list<KeyList> lists) {
  std::vector<std::string_view> out;
  for (KeyList list : lists)
    for (std::string_view key : list) out.push_back(key);
  return out;
}

bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_connector_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_lower_or_digit(c) || c == '_' || c == '-'; });
}

bool is_field_name(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_lower_or_digit(c) || c == '_'; });
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// How a URL template begins, judged from its source: a leading `{{` is only
// known at run time.
enum class UrlShape { Http, TemplateFirst, OtherScheme, Relative, Empty };

UrlShape url_shape(std::string_view source) {
  if (source.empty()) return UrlShape::Empty;
  if (source.compare(0, 2, "{{") == 0) return UrlShape::TemplateFirst;
  if (starts_with_ci(source, "https://") || starts_with_ci(source, "http://")) return UrlShape::Http;
  // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
  size_t colon = source.find(':');
  size_t slash = source.find_first_of("/?#");
  if (colon != std::string_view::npos && colon < slash && colon > 0) return UrlShape::OtherScheme;
  return UrlShape::Relative;
}

// Builds the Connector model while validating (SPEC §2). One instance per
// parse; all problems go to the shared list.
class ConnectorParser {
 public:
  explicit ConnectorParser(Problems& problems) : in_(problems) {}

  Connector connector(const json& definition);

 private:
  void connection(const json& value, Connector& out);
  std::vector<Field> fields(const json& value, const std::string& where);
  std::optional<Field> field(const json& value, const std::string& where);

  std::optional<ConnectorRequest> request(const json& value, const std::string& where);
  json jwt_slots(const json& value, const std::string& where, const std::optional<std::vector<json>>& body_path,
                 std::vector<JwtValue>& jwts, bool nested = false, size_t depth = 0);
  void check_url(const Template& url, const std::string& where, bool allow_relative);
  Steps step_list(const json& value, const std::string& where);
  std::vector<std::string> step_names(const json& list, const std::string& where, bool single);
  std::optional<Step> step(const json& value, const std::string& where, std::vector<std::string> readable,
                           const std::string& name, bool last);
  TokenMapping tokens(const json& value, const std::string& where);

  // `parent` is the enclosing multi authorization (and its source) when
  // parsing one of its options.
  struct Parent {
    const Authorization* model;
    const json* source;
  };
  Authorization authorization(const json& value, const std::string& where, const Parent* parent);
  std::optional<AuthType> auth_type(const json& value, const std::string& where, bool is_option);
  void check_authorization_keys(const json& value, const std::string& where,
                                std::optional<AuthType> type, bool is_option);
  void shared_keys(const json& value, const std::string& where, Authorization& out,
                   const Parent* parent);
  void oauth2(const json& value, const std::string& where, OAuth2Settings& out);
  void identity(const json& value, const std::string& where, Authorization& out);
  void pkce(const json& value, const std::string& where, OAuth2Settings& out);
  TemplateMap engine_checked_params(const json& value, const std::string& where,
                                    std::string_view key, const KeyList& reserved);
  void steps(const json& value, const std::string& where, Authorization& out);
  void multi(const json& value, const std::string& where, Authorization& out);
  void requirements(const json& value, const std::string& where, Authorization& out,
                    const Parent* parent);
  Template default_template(const char* source, const std::string& where);

  DefinitionReader in_;
  bool has_base_uri_ = false;
  std::map<std::string, std::string> field_names_;  // name -> pointer of its first definition
};

// ---- top level and fields -------------------------------------------------

Connector ConnectorParser::connector(const json& definition) {
  Connector out;
  if (!definition.is_object()) {
    in_.problem("", "a connector definition must be a JSON object, not " + type_name(definition));
    return out;
  }
  in_.reject_unknown_keys(definition, "", kTopLevelKeys);
  in_.string(definition, "", "$schema");
  in_.string(definition, "", "description");
  // The provider's documentation the connector was written from, linked by
  // consoles: only an https page is worth a link.
  if (std::optional<std::string> doc = in_.string(definition, "", "documentation")) {
    Result<Url> url = parse_url(*doc);
    if (!url.ok() || url.value->scheme != "https" || url.value->host.empty())
      in_.problem("/documentation", "must be an absolute https:// URL (the provider's documentation)");
  }
  if (in_.required(definition, "", "name")) {
    if (std::optional<std::string> name = in_.string(definition, "", "name")) {
      if (is_connector_name(*name)) out.name = *name;
      else in_.problem("/name", std::string("must match ") + kConnectorNameRule);
    }
  }
  out.title = in_.string(definition, "", "title").value_or("");
  if (const json* connection = DefinitionReader::member(definition, "connection"))
    this->connection(*connection, out);
  if (const json* authorization = in_.required(definition, "", "authorization"))
    out.authorization = this->authorization(*authorization, "/authorization", nullptr);
  if (const json* test = DefinitionReader::member(definition, "test"))
    out.test = request(*test, "/test");
  return out;
}

void ConnectorParser::connection(const json& value, Connector& out) {
  const std::string where = "/connection";
  if (!in_.expect_object(value, where)) return;
  in_.reject_unknown_keys(value, where, kConnectionKeys);
  // Present counts, valid or not: a broken base_uri is reported once, not
  // again at every relative request URL.
  has_base_uri_ = DefinitionReader::member(value, "base_uri") != nullptr;
  out.base_uri = in_.template_member(value, where, "base_uri");
  if (out.base_uri) check_url(*out.base_uri, where + "/base_uri", false);
  if (const json* list = DefinitionReader::member(value, "fields"))
    out.fields = fields(*list, where + "/fields");
}

std::vector<Field> ConnectorParser::fields(const json& value, const std::string& where) {
  std::vector<Field> out;
  if (!value.is_array()) {
    in_.problem(where, "must be an array of field objects, not " + type_name(value));
    return out;
  }
  for (size_t i = 0; i < value.size(); ++i)
    if (std::optional<Field> f = field(value[i], pointer_append(where, i)))
      out.push_back(std::move(*f));
  return out;
}

std::optional<Field> ConnectorParser::field(const json& value, const std::string& where) {
  if (!in_.expect_object(value, where)) return std::nullopt;
  in_.reject_unknown_keys(value, where, kFieldKeys);
  Field out;
  out.where = where;
  if (in_.required(value, where, "name")) {
    if (std::optional<std::string> name = in_.string(value, where, "name")) {
      auto first = field_names_.find(*name);
      if (!is_field_name(*name)) {
        in_.problem(where + "/name", std::string("must match ") + kFieldNameRule);
      } else if (first != field_names_.end()) {
        // The connection hash is flat (SPEC §6): one name, one value.
        in_.problem(where + "/name", "duplicate field name " + in_quotes(*name) +
                                         "; already defined at " + first->second);
      } else {
        field_names_.emplace(*name, where);
        out.name = *name;
      }
    }
  }
  out.label = in_.string(value, where, "label").value_or("");
  out.hint = in_.string(value, where, "hint").value_or("");
  out.optional = in_.boolean(value, where, "optional").value_or(false);
  out.secret = in_.boolean(value, where, "secret").value_or(false);
  if (const json* d = DefinitionReader::member(value, "default")) {
    if (d->is_structured()) in_.problem(where + "/default", "must be a string, number, boolean or null");
    else out.default_value = *d;
  }
  return out;
}

// ---- requests and steps (SPEC §2.3) -----------------------------------------

std::optional<ConnectorRequest> ConnectorParser::request(const json& value,
                                                        const std::string& where) {
  if (!in_.expect_object(value, where)) return std::nullopt;
  in_.reject_unknown_keys(value, where, kRequestKeys);
  ConnectorRequest out;
  out.where = where;
  if (std::optional<std::string> method = in_.string(value, where, "method")) {
    if (is_token(*method)) out.method = to_upper(*method);
    else in_.problem(where + "/method", "must be an HTTP method such as GET or POST");
  }
  if (const json* url = in_.required(value, where, "url")) {
    if (std::optional<Template> t = in_.template_value(*url, where + "/url")) {
      check_url(*t, where + "/url", true);
      out.url = std::move(*t);
    }
  }
  if (const json* headers = DefinitionReader::member(value, "headers"))
    out.headers = in_.template_map(jwt_slots(*headers, where + "/headers", std::nullopt, out.jwts), where + "/headers",
                                   DefinitionReader::Names::HeaderToken);
  if (const json* params = DefinitionReader::member(value, "params"))
    out.params = in_.template_map(jwt_slots(*params, where + "/params", std::nullopt, out.jwts), where + "/params",
                                  DefinitionReader::Names::Any);
  if (const json* form = DefinitionReader::member(value, "form"))
    out.form = in_.template_map(jwt_slots(*form, where + "/form", std::nullopt, out.jwts), where + "/form",
                                DefinitionReader::Names::Any);
  if (const json* body = DefinitionReader::member(value, "json"))
    out.json = in_.json_template(jwt_slots(*body, where + "/json", std::vector<json>(), out.jwts, true), where + "/json");
  if (const json* basic = DefinitionReader::member(value, "basic")) {
    out.basic = read_basic(in_, *basic, where + "/basic");
    if (has_header(out.headers, "Authorization"))
      in_.problem(where, "give either basic or an Authorization header, not both");
  }
  bool has_form = DefinitionReader::member(value, "form") != nullptr;
  bool has_json = DefinitionReader::member(value, "json") != nullptr;
  if (has_form && has_json) in_.problem(where, "give either form or json, not both");
  if ((has_form || has_json) && (out.method == "GET" || out.method == "HEAD"))
    in_.problem(where + (has_form ? "/form" : "/json"),
                "a " + out.method + " request has no body; use params, or set method to POST");
  return out;
}

namespace {

std::optional<std::vector<json>> extended(const std::optional<std::vector<json>>& path, json token) {
  if (!path) return std::nullopt;
  std::vector<json> out = *path;
  out.push_back(std::move(token));
  return out;
}

}  // namespace

// `value` with each `{"jwt": …}` in it (a member of a map; anywhere in a
// `nested` json body) read into `jwts` and replaced by an empty string, which
// build_request fills with the JWT (jwt.h). Deeper than a json body may nest
// is left to json_template to report.
json ConnectorParser::jwt_slots(const json& value, const std::string& where,
                                const std::optional<std::vector<json>>& body_path,
                                std::vector<JwtValue>& jwts, bool nested, size_t depth) {
  if (nested && is_jwt_value(value)) {
    if (std::optional<JwtValue> jwt = read_jwt_value(in_, value, where)) {
      jwt->body_path = body_path;
      jwts.push_back(std::move(*jwt));
    }
    return "";
  }
  if (!value.is_structured() || depth > 64 || (!nested && !value.is_object())) return value;
  json out = value;
  if (value.is_object()) {
    for (auto it = out.begin(); it != out.end(); ++it)
      if (nested || is_jwt_value(it.value()))
        it.value() = jwt_slots(it.value(), pointer_append(where, it.key()), extended(body_path, it.key()), jwts,
                               true, depth + 1);
  } else {
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = jwt_slots(out[i], pointer_append(where, i), extended(body_path, i), jwts, true, depth + 1);
  }
  return out;
}

// Absolute http(s) URLs, or (for connector requests) paths resolved against
// connection.base_uri (SPEC §2.3). A URL that starts with a template is only
// known at run time.
void ConnectorParser::check_url(const Template& url, const std::string& where,
                                bool allow_relative) {
  switch (url_shape(url.source())) {
    case UrlShape::Http:
    case UrlShape::TemplateFirst: return;
    case UrlShape::Empty: in_.problem(where, "must not be empty"); return;
    case UrlShape::OtherScheme: in_.problem(where, "must be an http:// or https:// URL"); return;
    case UrlShape::Relative:
      if (!allow_relative)
        in_.problem(where, "must be an absolute URL starting with https://");
      else if (!has_base_uri_)
        in_.problem(where, "is relative but /connection/base_uri is not set; give an absolute "
                           "https:// URL or set base_uri");
      return;
  }
}

// `acquire` / `refresh`: one step object, or a non-empty list run in order
// (SPEC §10). Names are read first, so that a template reading a later step
// is told it is not an earlier one.
Steps ConnectorParser::step_list(const json& value, const std::string& where) {
  Steps out;
  if (!value.is_array()) {
    std::vector<std::string> names = step_names(json::array({value}), where, true);
    std::optional<Step> one = step(value, where, {}, names[0], true);
    if (!one) return out;
    if (!one->yields_tokens && one->merge.empty())
      in_.problem(where, "obtains no credentials: the step neither yields tokens nor merges a value");
    out.push_back(std::move(*one));
    return out;
  }
  if (value.empty()) {
    in_.problem(where, "must list at least one step");
    return out;
  }
  std::vector<std::string> names = step_names(value, where, false);
  std::vector<std::string> earlier;
  for (size_t i = 0; i < value.size(); ++i) {
    if (std::optional<Step> s = step(value[i], pointer_append(where, i), earlier, names[i], i + 1 == value.size()))
      out.push_back(std::move(*s));
    if (!names[i].empty()) earlier.push_back(names[i]);
  }
  bool yields = std::any_of(out.begin(), out.end(), [](const Step& s) { return s.yields_tokens || !s.merge.empty(); });
  if (out.size() == value.size() && !out.empty() && !yields)
    in_.problem(where, "obtains no credentials: no step yields tokens or merges a value");
  return out;
}

// Each step's `name` ("" when it has none or it is unusable), one problem per
// bad or repeated name. A single step object is a list of one, at `where`.
std::vector<std::string> ConnectorParser::step_names(const json& list, const std::string& where, bool single) {
  std::vector<std::string> names(list.size());
  std::map<std::string, std::string> seen;  // name -> pointer of its first use
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object()) continue;
    std::string step_where = single ? where : pointer_append(where, i);
    if (!DefinitionReader::member(list[i], "name")) continue;
    std::string name_at = step_where + "/name";
    std::optional<std::string> name = in_.string(list[i], step_where, "name");
    if (!name) continue;
    if (!is_field_name(*name)) {
      in_.problem(name_at, std::string("must match ") + kFieldNameRule + " (later steps read steps.<name>)");
    } else if (auto first = seen.find(*name); first != seen.end()) {
      in_.problem(name_at, "step name " + in_quotes(*name) + " is already used at " + first->second);
    } else {
      seen.emplace(*name, name_at);
      names[i] = *name;
    }
  }
  return names;
}

// One step. `readable`: the names of earlier steps, which its request may
// read; its mappings may read its own answer as steps.<name> too.
std::optional<Step> ConnectorParser::step(const json& value, const std::string& where,
                                          std::vector<std::string> readable, const std::string& name, bool last) {
  if (!in_.expect_object(value, where)) return std::nullopt;
  in_.reject_unknown_keys(value, where, kStepKeys);
  Step out;
  out.where = where;
  out.name = name;
  in_.readable_steps(&readable);
  if (const json* request = in_.required(value, where, "request"))
    if (std::optional<ConnectorRequest> r = this->request(*request, where + "/request"))
      out.request = std::move(*r);
  if (!name.empty()) readable.push_back(name);
  // SPEC §10: without `tokens` only the last step yields them by the
  // standard names; `false` says a step yields none (it merges values).
  const json* tokens = DefinitionReader::member(value, "tokens");
  bool no_tokens = tokens && tokens->is_boolean() && !tokens->get<bool>();
  out.yields_tokens = tokens ? !no_tokens : last;
  if (tokens && tokens->is_boolean() && !no_tokens)
    in_.problem(where + "/tokens", "must be an object of token templates, or false when the step yields no tokens");
  else if (tokens && !tokens->is_boolean())
    out.tokens = this->tokens(*tokens, where + "/tokens");
  out.owner_id = in_.template_member(value, where, "owner_id");
  if (const json* merge = DefinitionReader::member(value, "merge")) {
    out.merge = in_.template_map(*merge, where + "/merge", DefinitionReader::Names::Any);
    for (const auto& entry : out.merge)
      if (contains(kTokenConnectionKeys, entry.first))
        in_.problem(pointer_append(where + "/merge", entry.first),
                    in_quotes(entry.first) + " is a token; map it under tokens instead of merge");
  }
  in_.readable_steps(nullptr);
  return out;
}

TokenMapping ConnectorParser::tokens(const json& value, const std::string& where) {
  TokenMapping out;
  if (!in_.expect_object(value, where)) return out;
  in_.reject_unknown_keys(value, where, kTokenKeys);
  out.access_token = in_.template_member(value, where, "access_token");
  out.refresh_token = in_.template_member(value, where, "refresh_token");
  out.expires_in = in_.template_member(value, where, "expires_in");
  return out;
}

// ---- authorization (SPEC §2.2) ------------------------------------------------

Authorization ConnectorParser::authorization(const json& value, const std::string& where,
                                             const Parent* parent) {
  Authorization out;
  out.where = where;
  if (!in_.expect_object(value, where)) return out;
  std::optional<AuthType> type = auth_type(value, where, parent != nullptr);
  check_authorization_keys(value, where, type, parent != nullptr);
  shared_keys(value, where, out, parent);
  if (parent)
    if (const json* list = DefinitionReader::member(value, kOptionFieldsKey))
      out.fields = fields(*list, where + "/fields");
  if (!type) return out;
  out.type = *type;
  if (*type == AuthType::OAuth2) oauth2(value, where, out.oauth2);
  if (*type == AuthType::OAuth2 || *type == AuthType::CustomAuth) steps(value, where, out);
  if (*type == AuthType::Multi) multi(value, where, out);
  requirements(value, where, out, parent);
  return out;
}

std::optional<AuthType> ConnectorParser::auth_type(const json& value, const std::string& where,
                                                   bool is_option) {
  const std::string expected = "expected one of " + join_list(kTypeNames, ", ");
  const json* type = in_.required(value, where, "type", "missing required key \"type\"; " + expected);
  if (!type) return std::nullopt;
  std::optional<std::string> name = in_.string(value, where, "type");
  if (!name) return std::nullopt;
  for (size_t i = 0; i < std::size(kTypeNames); ++i) {
    if (kTypeNames[i] != *name) continue;
    AuthType t = static_cast<AuthType>(i);
    if (is_option && t == AuthType::Multi) {
      in_.problem(where + "/type", "an option of a multi authorization cannot itself be multi; "
                                   "use basic_auth, api_key, oauth2 or custom_auth");
      return std::nullopt;
    }
    return t;
  }
  in_.problem(where + "/type", "unknown authorization type " + in_quotes(*name) + "; " + expected);
  return std::nullopt;
}

void ConnectorParser::check_authorization_keys(const json& value, const std::string& where,
                                               std::optional<AuthType> type, bool is_option) {
  static constexpr std::string_view kOptionField[] = {kOptionFieldsKey};
  const std::vector<std::string_view> all_keys = concat({kSharedKeys, kOAuth2Keys, kMultiKeys});
  std::vector<std::string_view> allowed = all_keys;
  if (type) {
    allowed = concat({kSharedKeys});
    if (*type == AuthType::OAuth2) allowed = concat({kSharedKeys, kOAuth2Keys});
    if (*type == AuthType::CustomAuth) allowed = concat({kSharedKeys, kCustomAuthKeys});
    if (*type == AuthType::Multi) allowed = concat({kSharedKeys, kMultiKeys});
  }
  if (is_option) allowed = concat({allowed, kOptionField});
  for (const auto& item : value.items()) {
    const std::string& key = item.key();
    if (contains(allowed, key)) continue;
    std::string at = pointer_append(where, key);
    if (key == kOptionFieldsKey)
      in_.problem(at, "connection fields belong in /connection/fields; only options of a multi "
                      "authorization have their own fields");
    else if (contains(all_keys, key))
      in_.problem(at, std::string("not used by ") + to_string(*type) + " authorization; remove it");
    else
      in_.unknown_key(key, where, allowed);
  }
}

// apply, refresh_on, detect_on and identity (SPEC §2.2). An option of multi
// that leaves one out inherits the multi's, so shared settings are written once.
void ConnectorParser::shared_keys(const json& value, const std::string& where,
                                  Authorization& out, const Parent* parent) {
  if (const json* apply = DefinitionReader::member(value, "apply"))
    out.apply = read_apply_rules(in_, *apply, where + "/apply");
  else if (parent)
    out.apply = parent->model->apply;
  if (const json* signals = DefinitionReader::member(value, "refresh_on"))
    out.refresh_on = read_signals(in_, *signals, where + "/refresh_on");
  else if (parent)
    out.refresh_on = parent->model->refresh_on;
  if (const json* signals = DefinitionReader::member(value, "detect_on"))
    out.detect_on = read_signals(in_, *signals, where + "/detect_on");
  else if (parent)
    out.detect_on = parent->model->detect_on;
  if (const json* identity = DefinitionReader::member(value, "identity")) {
    this->identity(*identity, where + "/identity", out);
  } else if (parent) {
    out.identity = parent->model->identity;
    out.identity_request = parent->model->identity_request;
  }
}

// `identity`: a template, or {"request", "value"} (SPEC §10): the request is
// a bare request object like `test`, `value` reads its answer.
void ConnectorParser::identity(const json& value, const std::string& where, Authorization& out) {
  if (!value.is_object()) {
    if (!value.is_string())
      in_.problem(where, "must be a template string or {\"request\": {...}, \"value\": \"{{response...}}\"}");
    else
      out.identity = in_.template_value(value, where, "id_token");
    return;
  }
  in_.reject_unknown_keys(value, where, kIdentityKeys);
  if (const json* request = in_.required(value, where, "request")) out.identity_request = this->request(*request, where + "/request");
  if (const json* read = in_.required(value, where, "value"))
    out.identity = in_.template_value(*read, where + "/value", "id_token");
}

// RFC 7636 §4.1: a verifier has 43 to 128 characters; §4.2: S256 or plain.
void ConnectorParser::pkce(const json& value, const std::string& where, OAuth2Settings& out) {
  if (value.is_boolean()) {
    out.pkce = value.get<bool>();
    return;
  }
  if (!value.is_object()) {
    in_.problem(where, "must be true, false or {\"method\": \"S256\"|\"plain\", \"verifier_length\": 43..128}");
    return;
  }
  in_.reject_unknown_keys(value, where, kPkceKeys);
  if (in_.choice(value, where, "method", kPkceMethods).value_or("S256") == "plain")
    out.pkce_method = OAuth2Settings::PkceMethod::Plain;
  if (const json* length = DefinitionReader::member(value, "verifier_length")) {
    if (length->is_number_integer() && length->get<int64_t>() >= 43 && length->get<int64_t>() <= 128)
      out.pkce_verifier_length = static_cast<int>(length->get<int64_t>());
    else
      in_.problem(where + "/verifier_length", "must be an integer from 43 to 128 (RFC 7636 §4.1)");
  }
}

void ConnectorParser::oauth2(const json& value, const std::string& where, OAuth2Settings& out) {
  out.authorization_url = in_.template_member(value, where, "authorization_url");
  // The user's browser opens it: it cannot be relative to base_uri.
  if (out.authorization_url) check_url(*out.authorization_url, where + "/authorization_url", false);
  out.token_url = in_.template_member(value, where, "token_url");
  if (out.token_url) check_url(*out.token_url, where + "/token_url", true);
  out.revocation_url = in_.template_member(value, where, "revocation_url");
  if (out.revocation_url) check_url(*out.revocation_url, where + "/revocation_url", true);
  std::optional<Template> id = in_.template_member(value, where, "client_id");
  out.client_id = id ? std::move(*id) : default_template("{{client_id}}", where + "/client_id");
  std::optional<Template> secret = in_.template_member(value, where, "client_secret");
  out.client_secret =
      secret ? std::move(*secret) : default_template("{{client_secret}}", where + "/client_secret");
  out.scopes = in_.string_list(value, where, "scopes");
  if (out.scopes)
    for (size_t i = 0; i < out.scopes->size(); ++i)
      if ((*out.scopes)[i].empty())
        in_.problem(pointer_append(where + "/scopes", i), "must not be empty");
  if (std::optional<std::string> separator = in_.string(value, where, "scope_separator")) {
    if (separator->empty()) in_.problem(where + "/scope_separator", "must not be empty");
    else out.scope_separator = *separator;
  }
  out.authorization_params =
      engine_checked_params(value, where, "authorization_params", kEngineAuthorizationParams);
  out.token_params = engine_checked_params(value, where, "token_params", kEngineTokenParams);
  if (const json* pkce = DefinitionReader::member(value, "pkce")) this->pkce(*pkce, where + "/pkce", out);
  out.noopener = in_.boolean(value, where, "noopener").value_or(false);
  std::string client_auth = in_.choice(value, where, "client_auth", kClientAuthValues).value_or("body");
  if (client_auth == "basic") out.client_auth = OAuth2Settings::ClientAuth::Basic;
  if (client_auth == "private_key_jwt") out.client_auth = OAuth2Settings::ClientAuth::PrivateKeyJwt;
  if (in_.choice(value, where, "token_format", kTokenFormatValues).value_or("form") == "json")
    out.token_format = OAuth2Settings::TokenFormat::Json;
}

TemplateMap ConnectorParser::engine_checked_params(const json& value, const std::string& where,
                                                   std::string_view key, const KeyList& reserved) {
  const json* params = DefinitionReader::member(value, key);
  if (!params) return {};
  std::string at = pointer_append(where, key);
  TemplateMap out = in_.template_map(*params, at, DefinitionReader::Names::Any);
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](const auto& param) {
                             if (!contains(reserved, param.first)) return false;
                             in_.problem(pointer_append(at, param.first),
                                         in_quotes(param.first) +
                                             " is added by the engine (SPEC §2.2); remove it");
                             return true;
                           }),
            out.end());
  return out;
}

void ConnectorParser::steps(const json& value, const std::string& where, Authorization& out) {
  if (const json* acquire = DefinitionReader::member(value, "acquire"))
    out.acquire = step_list(*acquire, where + "/acquire");
  const json* refresh = DefinitionReader::member(value, "refresh");
  if (!refresh) return;
  if (refresh->is_boolean() && !refresh->get<bool>()) {
    out.refresh_mode = Authorization::Refresh::Disabled;
  } else if (refresh->is_object() || refresh->is_array()) {
    out.refresh_mode = Authorization::Refresh::Custom;
    out.refresh = step_list(*refresh, where + "/refresh");
  } else {
    in_.problem(where + "/refresh", "must be a refresh step object, or false when the provider cannot refresh, "
                                    "or a list of steps (omit it for the standard refresh)");
  }
}

void ConnectorParser::multi(const json& value, const std::string& where, Authorization& out) {
  std::optional<Template> selected = in_.template_member(value, where, "selected");
  out.selected = selected ? std::move(*selected)
                          : default_template("{{connection.auth_type}}", where + "/selected");
  const json* options = DefinitionReader::member(value, "options");
  if (!options) return;
  std::string at = where + "/options";
  if (!in_.expect_object(*options, at)) return;
  if (options->empty()) in_.problem(at, "must have at least one option");
  Parent parent{&out, &value};
  for (const auto& item : options->items()) {
    std::string option_where = pointer_append(at, item.key());
    if (!is_field_name(item.key())) {
      in_.problem(option_where, std::string("option key must match ") + kFieldNameRule);
      continue;
    }
    Authorization option = authorization(item.value(), option_where, &parent);
    out.options.push_back({item.key(), std::make_shared<const Authorization>(std::move(option))});
  }
}

// Required keys per type (SPEC §2.2) and the defaults that stand in for
// keys left out.
void ConnectorParser::requirements(const json& value, const std::string& where,
                                   Authorization& out, const Parent* parent) {
  // Only the shared keys are inherited from an enclosing multi.
  auto given = [&](std::string_view key) {
    return DefinitionReader::member(value, key) ||
           (parent && contains(kSharedKeys, key) && DefinitionReader::member(*parent->source, key));
  };
  switch (out.type) {
    case AuthType::BasicAuth:
      if (!given("apply")) {
        ApplyRule rule;
        rule.where = where;
        rule.basic = BasicCredentials{default_template("{{connection.username}}", where),
                                      default_template("{{connection.password}}", where)};
        out.apply.push_back(std::move(rule));
      }
      break;
    case AuthType::ApiKey:
      if (!given("apply"))
        in_.problem(where, "api_key requires apply (rules that put the key on each request)");
      break;
    case AuthType::OAuth2:
      if (!given("apply")) {
        ApplyRule rule;
        rule.where = where;
        rule.headers.emplace_back("Authorization", default_template("Bearer {{access_token}}", where));
        out.apply.push_back(std::move(rule));
      }
      if (!given("authorization_url")) in_.problem(where, "oauth2 requires authorization_url");
      if (!given("token_url") && !given("acquire"))
        in_.problem(where, "oauth2 requires token_url (or an acquire step)");
      else if (!given("token_url") && out.refresh_mode == Authorization::Refresh::Standard)
        in_.problem(where, "oauth2 without token_url cannot use the standard refresh-token grant; "
                           "give a refresh step, or set refresh to false");
      break;
    case AuthType::CustomAuth:
      if (!given("acquire"))
        in_.problem(where, "custom_auth requires acquire (the request that obtains credentials)");
      if (!given("apply"))
        in_.problem(where, "custom_auth requires apply (rules that put the credentials on each request)");
      break;
    case AuthType::Multi:
      if (!given("options"))
        in_.problem(where, "multi requires options (an object of authorization methods)");
      break;
  }
}

Template ConnectorParser::default_template(const char* source, const std::string& where) {
  Result<Template> parsed = Template::parse(source, where);
  if (parsed.ok()) return std::move(*parsed.value);
  for (const Problem& p : parsed.errors) in_.problem(p.path, p.message);
  return Template::literal(source, where);
}

}  // namespace

Result<Connector> parse_connector(std::string_view json_text) {
  Result<json> definition = parse_json_text(json_text, "");
  if (!definition.ok()) return Result<Connector>::failure(std::move(definition.errors));
  return parse_connector(*definition.value);
}

Result<Connector> parse_connector(const std::string& json_text) {
  return parse_connector(std::string_view(json_text));
}

Result<Connector> parse_connector(const char* json_text) {
  return parse_connector(std::string_view(json_text ? json_text : ""));
}

Result<Connector> parse_connector(const json& definition) {
  if (json_depth(definition) > kMaxDepth)
    return Result<Connector>::failure(
        "", "nested more than " + std::to_string(kMaxDepth) + " levels deep; flatten the definition");
  Problems problems;
  try {
    ConnectorParser parser(problems);
    Connector connector = parser.connector(definition);
    if (problems.empty()) return Result<Connector>::success(std::move(connector));
  } catch (const std::exception&) {
    // Only allocation failure can get here; the readers check every type.
    add_problem(problems, "", "the definition could not be read (out of memory)");
  }
  return Result<Connector>::failure(std::move(problems));
}

Result<const Authorization*> select_authorization(const Connector& connector,
                                                  const json& scope) {
  const Authorization& top = connector.authorization;
  if (top.type != AuthType::Multi) return Result<const Authorization*>::success(&top);
  const std::string where = top.where + "/selected";
  Template selected;
  if (top.selected) {
    selected = *top.selected;
  } else {
    Result<Template> fallback = Template::parse("{{connection.auth_type}}", where);
    if (!fallback.ok()) return Result<const Authorization*>::failure(fallback.errors);
    selected = *fallback.value;
  }
  Result<std::string> key = selected.render(scope);
  if (!key.ok()) return Result<const Authorization*>::failure(key.errors);
  std::vector<std::string> names;
  for (const AuthOption& option : top.options) {
    if (option.key == *key.value) return Result<const Authorization*>::success(option.authorization.get());
    names.push_back(option.key);
  }
  std::vector<std::string_view> available(names.begin(), names.end());
  return Result<const Authorization*>::failure(
      where, "selected authorization " + in_quotes(*key.value) + " is not an option; expected one of " +
                 join_list(available, ", "));
}

}  // namespace connauth
