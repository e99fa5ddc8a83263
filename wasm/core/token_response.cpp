#include "token_response.h"
#include "json_io.h"

#include <cmath>
#include <limits>

namespace connauth {

using nlohmann::json;

namespace {

// Lifetimes beyond a century are not lifetimes but provider bugs; they would
// also overflow `now + expires_in`.
constexpr int64_t kMaxExpiresIn = int64_t(100) * 365 * 24 * 3600;

// Provider text shown to users and kept in the history: control characters
// dropped, length bounded, cut on a UTF-8 boundary.
std::string sanitised(const std::string& text, size_t max_bytes) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) continue;
    out += c;
  }
  if (out.size() > max_bytes) {
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out = out.substr(0, cut) + "...";
  }
  return out;
}

bool is_success(int status) { return status >= 200 && status <= 299; }

const json* member(const json& body, const char* name) {
  if (!body.is_object()) return nullptr;
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string string_member(const json& body, const char* name) {
  const json* m = member(body, name);
  return m && m->is_string() ? m->get<std::string>() : "";
}

TokenFailure make_failure(Cause cause, std::string error, std::string description, int status) {
  TokenFailure f;
  f.cause = cause;
  f.error = std::move(error);
  f.description = std::move(description);
  f.status = status;
  return f;
}

// The failure a response reports, if any: a non-2xx status (RFC 6749 §5.2),
// or a 2xx carrying an `error` member (GitHub answers a bad code with 200 and
// {"error": "bad_verification_code"}; SPEC §3). A null or empty `error` next
// to a token is not an error: some providers always send the member.
std::optional<TokenFailure> reported_failure(const HttpResponse& response, const json& body, TokenGrant grant) {
  std::string error = sanitised(string_member(body, "error"), 64);
  std::string description = sanitised(string_member(body, "error_description"), 300);
  if (is_success(response.status) && error.empty()) return std::nullopt;
  Cause cause = classify_token_failure(response.status, error, grant);
  if (error.empty()) {
    error = "unexpected_status";
    if (description.empty()) description = "the token endpoint answered HTTP " + std::to_string(response.status);
  }
  TokenFailure failure = make_failure(cause, std::move(error), std::move(description), response.status);
  failure.error_uri = sanitised(string_member(body, "error_uri"), 200);
  return failure;
}

TokenFailure connector_failure(const char* error, std::string description, int status) {
  return make_failure(Cause::ConnectorError, error, std::move(description), status);
}

// The standard `expires_in` member, or the app default, with a warning when
// the provider's value is unusable.
void settle_expiry(TokenSet& tokens, std::optional<int64_t> read, const std::string& warning,
                   const TokenReading& reading) {
  tokens.expires_in = read ? read : reading.default_expires_in;
  if (warning.empty()) return;
  tokens.warnings.push_back(warning + (reading.default_expires_in ? "; the app's default lifetime applies"
                                                                    : "; the expiry is unknown, so the token "
                                                                      "is refreshed on signals only"));
}

std::optional<std::string> non_empty_string(const json* value) {
  if (value && value->is_string() && !value->get_ref<const std::string&>().empty())
    return value->get<std::string>();
  return std::nullopt;
}

// Reads a numeric string strictly: [-]digits[.digits]. Returns false for
// anything else (exponents, spaces, "inf", hex).
bool parse_decimal(const std::string& s, bool& negative, std::string& integer_digits) {
  size_t i = 0;
  negative = !s.empty() && s[0] == '-';
  if (negative) ++i;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == start) return false;
  integer_digits = s.substr(start, i - start);
  if (i < s.size() && s[i] == '.') {
    size_t frac = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == frac) return false;
  }
  return i == s.size();
}

std::string quoted_value(const json& value) {
  std::string text = value.is_string() ? "\"" + value.get<std::string>() + "\""
                                       : value.dump(-1, ' ', false, json::error_handler_t::replace);
  return sanitised(text, 40);
}

}  // namespace

std::string TokenFailure::detail() const {
  std::string out = error;
  if (status != 0) out += " (HTTP " + std::to_string(status) + ")";
  if (!description.empty()) out += ": " + description;
  return out;
}

TokenResult TokenResult::success(TokenSet t) {
  TokenResult r;
  r.tokens = std::move(t);
  return r;
}

TokenResult TokenResult::fail(TokenFailure f) {
  TokenResult r;
  r.failure = std::move(f);
  return r;
}

Cause classify_token_failure(int status, const std::string& error, TokenGrant grant) {
  // A struggling provider may answer anything; losing a connection over an
  // outage costs a user a reconnect, while degrading a revoked one only
  // delays the verdict. So the transient statuses win over the body.
  if (status >= 500 || status == 429) return Cause::ProviderUnavailable;
  // RFC 6749 §5.2 codes, plus the spellings of providers that answer their
  // own: GitHub (bad_*, incorrect_client_credentials), Slack
  // (invalid_refresh_token, invalid_code, bad_client_secret), Zoho (invalid_code).
  if (error == "invalid_client" || error == "unauthorized_client" || error == "incorrect_client_credentials" ||
      error == "bad_client_secret" || error == "invalid_client_id")
    return Cause::ClientMisconfigured;
  if (error == "invalid_grant" || error == "access_denied" || error == "bad_verification_code" ||
      error == "bad_refresh_token" || error == "invalid_refresh_token" || error == "invalid_code")
    return Cause::AuthorizationRevoked;
  if (error == "temporarily_unavailable" || error == "server_error") return Cause::ProviderUnavailable;
  if (!error.empty()) return Cause::ConnectorError;  // invalid_request, invalid_scope, unsupported_*
  // No code: what the status means depends on what was sent.
  bool auth_status = status == 401 || status == 403;
  switch (grant) {
    case TokenGrant::RefreshToken:
      // SPEC §4: a rejected refresh means the grant is gone.
      if (auth_status || status == 400) return Cause::AuthorizationRevoked;
      break;
    case TokenGrant::Credentials:
      if (auth_status) return Cause::CredentialsRejected;
      break;
    case TokenGrant::AuthorizationCode:
      // RFC 6749 §5.2: 401 from the token endpoint is failed client authentication.
      if (status == 401) return Cause::ClientMisconfigured;
      break;
  }
  return Cause::ConnectorError;
}

std::optional<int64_t> read_expires_in(const json& value, std::string& warning) {
  warning.clear();
  if (value.is_null()) return std::nullopt;
  auto unusable = [&](const char* why) -> std::optional<int64_t> {
    warning = "expires_in " + quoted_value(value) + " " + why;
    return std::nullopt;
  };
  const char* kOutOfRange = "is out of range (over 100 years)";
  if (value.is_number_unsigned()) {
    auto v = value.get<json::number_unsigned_t>();
    if (v > static_cast<json::number_unsigned_t>(kMaxExpiresIn)) return unusable(kOutOfRange);
    return static_cast<int64_t>(v);
  }
  if (value.is_number_integer()) {
    auto v = value.get<json::number_integer_t>();
    if (v < 0) return unusable("is negative");
    if (v > kMaxExpiresIn) return unusable(kOutOfRange);
    return static_cast<int64_t>(v);
  }
  if (value.is_number_float()) {
    double v = value.get<double>();
    if (!std::isfinite(v)) return unusable("is not finite");
    if (v < 0) return unusable("is negative");
    if (v > static_cast<double>(kMaxExpiresIn)) return unusable(kOutOfRange);
    return static_cast<int64_t>(std::floor(v));
  }
  if (value.is_string()) {
    bool negative = false;
    std::string digits;
    if (!parse_decimal(value.get<std::string>(), negative, digits)) return unusable("is not a number of seconds");
    size_t first = digits.find_first_not_of('0');
    digits = first == std::string::npos ? "0" : digits.substr(first);
    if (negative && digits != "0") return unusable("is negative");
    if (digits.size() > 12) return unusable(kOutOfRange);
    // At most 12 digits: no overflow. A loop rather than std::stoll, whose
    // strtoll and exceptions would add to the module.
    int64_t v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    if (v > kMaxExpiresIn) return unusable(kOutOfRange);
    return v;
  }
  return unusable("is not a number of seconds");
}

TokenResult read_token_response(const HttpResponse& response, const TokenReading& reading) {
  json body = parse_json_body(response.body);
  if (auto failure = reported_failure(response, body, reading.grant)) return TokenResult::fail(*failure);
  if (!body.is_object())
    return TokenResult::fail(connector_failure(
        "malformed_response", "the token response is not a JSON object (RFC 6749 §5.1)", response.status));
  TokenSet tokens;
  if (auto access = non_empty_string(member(body, "access_token"))) {
    tokens.access_token = std::move(*access);
  } else if (reading.access_token_required) {
    return TokenResult::fail(connector_failure(
        "missing_access_token", "the token response has no access_token string (RFC 6749 §5.1)",
        response.status));
  }
  if (const json* refresh = member(body, "refresh_token")) {
    tokens.refresh_token = non_empty_string(refresh);
    if (!tokens.refresh_token) tokens.warnings.push_back("refresh_token is not a string; it is ignored");
  }
  std::string warning;
  std::optional<int64_t> expires_in;
  if (const json* e = member(body, "expires_in")) expires_in = read_expires_in(*e, warning);
  settle_expiry(tokens, expires_in, warning, reading);
  return TokenResult::success(std::move(tokens));
}

TokenResult read_step_response(const HttpResponse& response, const Step& step, const json& scope,
                               const TokenReading& reading) {
  json rscope = response_scope(scope, response);
  const json& body = rscope["response"];
  if (auto failure = reported_failure(response, body, reading.grant)) return TokenResult::fail(*failure);

  // A mapped token is looked up by its template; an unmapped one by its
  // standard name in a JSON body. Only a missing access token (when needed)
  // fails: refresh_token and expires_in are optional by nature, so a path
  // with no value there just means the provider did not send one.
  auto mapped = [&](const std::optional<Template>& t, const char* standard) -> std::optional<json> {
    if (!t) {
      const json* m = member(body, standard);
      return m ? std::optional<json>(*m) : std::nullopt;
    }
    auto rendered = t->render(rscope);
    if (!rendered.ok()) return std::nullopt;
    return json(std::move(*rendered.value));
  };

  TokenSet tokens;
  if (step.yields_tokens) {
    std::optional<json> access = mapped(step.tokens.access_token, "access_token");
    std::optional<std::string> access_text = access ? non_empty_string(&*access) : std::nullopt;
    // A step that yields tokens and answers without an access token is
    // broken: accepting it would keep the old token (a re-acquire) or store
    // none (a connect) as if it had worked. A step that only merges values
    // says so with "tokens": false (SPEC §10).
    if (access_text) {
      tokens.access_token = std::move(*access_text);
    } else if (step.tokens.access_token) {
      return TokenResult::fail(connector_failure(
          "missing_access_token",
          "the response gave no access token where " + step.tokens.access_token->where() + " looks for it",
          response.status));
    } else {
      return TokenResult::fail(connector_failure(
          "missing_access_token",
          "the answer to " + step.where +
              " has no response.access_token and the step maps no other name for it (tokens), so it obtained "
              "no credentials; a step that only merges values says \"tokens\": false",
          response.status));
    }
    if (std::optional<json> refresh = mapped(step.tokens.refresh_token, "refresh_token")) {
      tokens.refresh_token = non_empty_string(&*refresh);
      if (!tokens.refresh_token && !refresh->is_string())
        tokens.warnings.push_back("refresh_token is not a string; it is ignored");
    }
    std::string warning;
    std::optional<int64_t> expires_in;
    if (std::optional<json> e = mapped(step.tokens.expires_in, "expires_in")) {
      // A rendered template is text; an empty rendering means "not sent".
      if (!(e->is_string() && e->get_ref<const std::string&>().empty())) expires_in = read_expires_in(*e, warning);
    }
    settle_expiry(tokens, expires_in, warning, reading);
  } else {
    tokens.expires_in = reading.default_expires_in;
  }

  // owner_id and merge follow SPEC §2.1: a path with no value is an error
  // that names it, because the connector promised the value.
  if (step.owner_id) {
    auto owner = step.owner_id->render(rscope);
    if (!owner.ok())
      return TokenResult::fail(connector_failure("missing_value", owner.errors[0].path + ": " + owner.errors[0].message,
                                                 response.status));
    tokens.owner_id = std::move(*owner.value);
  }
  for (const auto& [key, value] : step.merge) {
    auto rendered = value.render(rscope);
    if (!rendered.ok())
      return TokenResult::fail(connector_failure(
          "missing_value", rendered.errors[0].path + ": " + rendered.errors[0].message, response.status));
    tokens.merge[key] = std::move(*rendered.value);
  }
  return TokenResult::success(std::move(tokens));
}

TokenFailure unreachable_failure(const std::string& what) {
  return make_failure(Cause::ProviderUnavailable, "unreachable",
                      what.empty() ? "the provider could not be reached" : sanitised(what, 200), 0);
}

json response_scope(json scope, const HttpResponse& response) {
  if (!scope.is_object()) scope = json::object();
  json body = parse_json_body(response.body);
  // A body that is not JSON (a session id as text, an HTML error page) is
  // still readable as a whole: {{response}}.
  scope["response"] = body.is_discarded() ? json(response.body) : std::move(body);
  json headers = json::object();
  for (const auto& [name, value] : response.headers.entries()) {
    std::string key;
    for (char c : name) key += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
    auto it = headers.find(key);
    if (it == headers.end()) headers[key] = value;
    else *it = it->get<std::string>() + ", " + value;  // RFC 9110 §5.3
  }
  scope["response_headers"] = std::move(headers);
  scope["status"] = response.status;
  return scope;
}

json store_tokens(json connection, const TokenSet& tokens, int64_t now, TokenStore mode) {
  if (!connection.is_object()) connection = json::object();
  for (auto it = tokens.merge.begin(); it != tokens.merge.end(); ++it) connection[it.key()] = it.value();
  if (!tokens.access_token.empty()) connection["access_token"] = tokens.access_token;
  if (tokens.refresh_token)
    connection["refresh_token"] = *tokens.refresh_token;
  else if (mode == TokenStore::NewGrant)
    connection.erase("refresh_token");
  if (tokens.expires_in) {
    // Saturating: a host clock near the end of int64 must not wrap around.
    int64_t limit = std::numeric_limits<int64_t>::max() - *tokens.expires_in;
    connection["expires_at"] = now > limit ? std::numeric_limits<int64_t>::max() : now + *tokens.expires_in;
  } else {
    connection.erase("expires_at");
  }
  return connection;
}

ConnectionUpdate update_connection(const TokenResult& read, json connection, int64_t now, TokenStore mode) {
  ConnectionUpdate update;
  if (!read.ok()) {
    update.failure = read.failure;
    return update;
  }
  update.connection = store_tokens(std::move(connection), *read.tokens, now, mode);
  update.owner_id = read.tokens->owner_id;
  update.warnings = read.tokens->warnings;
  return update;
}

}  // namespace connauth
