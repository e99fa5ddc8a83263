#include "authorization_flow.h"

#include <algorithm>

#include "connector_request.h"
#include "json_object.h"
#include "sha256.h"
#include "token_request.h"

namespace connauth {

using nlohmann::json;

namespace {

std::string string_in(const json& scope, const char* key) {
  if (!scope.is_object()) return "";
  auto it = scope.find(key);
  return it != scope.end() && it->is_string() ? it->get<std::string>() : "";
}

bool has_name(const QueryParams& params, const std::string& name) {
  return std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
}

CallbackResult refuse(std::string code, std::optional<Cause> cause, std::string message) {
  CallbackResult r;
  r.error = CallbackError{std::move(code), cause, std::move(message)};
  return r;
}

// Provider text in a user-facing message: printable, bounded.
std::string printable(const std::string& text, size_t max_bytes) {
  std::string out;
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  if (out.size() <= max_bytes) return out;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "...";
}

}  // namespace

// The app's scopes come already joined with the separator (make_scope).
std::string requested_scopes(const OAuth2Settings& oauth2, const json& scope) {
  if (!oauth2.scopes) return string_in(scope, "scopes");
  std::string out;
  for (const auto& s : *oauth2.scopes) {
    if (!out.empty()) out += oauth2.scope_separator;
    out += s;
  }
  return out;
}

json to_json(const PendingAuthorization& pending) {
  return json_object("state", pending.state,
                     "verifier", pending.verifier,
                     "expires_at", pending.expires_at,
                     "redirect_uri", pending.redirect_uri);
}

Result<PendingAuthorization> pending_from_json(const json& j, const std::string& where) {
  if (!j.is_object())
    return Result<PendingAuthorization>::failure(where, "must be the pending authorization {state, verifier, "
                                                        "expires_at, redirect_uri} stored by begin");
  PendingAuthorization pending;
  Problems problems;
  auto text = [&](const char* key, bool required) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string() && (!required || !it->get_ref<const std::string&>().empty()))
      return it->get<std::string>();
    if (required || (it != j.end() && !it->is_null()))
      add_problem(problems, pointer_append(where, key), required ? "is required: a non-empty string" : "must be a string");
    return std::string();
  };
  pending.state = text("state", true);
  pending.verifier = text("verifier", false);
  pending.redirect_uri = text("redirect_uri", true);
  auto expires = j.find("expires_at");
  if (expires != j.end() && expires->is_number_integer()) pending.expires_at = expires->get<int64_t>();
  else add_problem(problems, pointer_append(where, "expires_at"), "is required: epoch seconds");
  if (!problems.empty()) return Result<PendingAuthorization>::failure(std::move(problems));
  return Result<PendingAuthorization>::success(std::move(pending));
}

std::string pkce_challenge(std::string_view verifier, OAuth2Settings::PkceMethod method) {
  if (method == OAuth2Settings::PkceMethod::Plain) return std::string(verifier);
  return base64url_encode(sha256(verifier));
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  // The loop runs over `a` (the attacker's input) whatever `b` holds, and
  // never exits early; a length difference is folded into the result.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char other = b.empty() ? 0 : static_cast<unsigned char>(b[i % b.size()]);
    diff |= static_cast<unsigned char>(a[i]) ^ other;
  }
  return diff == 0;
}

Result<AuthorizationStart> begin_authorization(const Authorization& authorization, const json& scope,
                                               std::string_view random_bytes, int64_t now) {
  using Failure = Result<AuthorizationStart>;
  if (authorization.type != AuthType::OAuth2)
    return Failure::failure(authorization.where + "/type",
                            std::string("is ") + to_string(authorization.type) +
                                ": only oauth2 connects through the provider's consent page");
  const OAuth2Settings& oauth2 = authorization.oauth2;
  if (!oauth2.authorization_url)
    return Failure::failure(authorization.where,
                            "has no authorization_url, so the user cannot be sent to the provider; add it");
  size_t needed = kStateBytes + (oauth2.pkce ? verifier_bytes(oauth2.pkce_verifier_length) : 0);
  if (random_bytes.size() < needed)
    return Failure::failure("", "needs " + std::to_string(needed) +
                                    " random bytes from the host's CSPRNG, got " +
                                    std::to_string(random_bytes.size()));
  std::string redirect_uri = string_in(scope, "redirect_uri");
  if (redirect_uri.empty())
    return Failure::failure("/flow/redirect_uri", "is required: the callback URL registered with the provider");

  Problems problems;
  auto rendered_url = oauth2.authorization_url->render(scope);
  std::optional<Url> url;
  if (rendered_url.ok()) {
    auto parsed = parse_url(*rendered_url.value, oauth2.authorization_url->where());
    if (!parsed.ok())
      append(problems, parsed.errors);
    else if (parsed.value->scheme != "https" && parsed.value->scheme != "http")
      add_problem(problems, oauth2.authorization_url->where(), "must be an http or https URL");
    else
      url = std::move(parsed.value);
  } else {
    append(problems, rendered_url.errors);
  }
  auto client_id = oauth2.client_id.render(scope);
  if (!client_id.ok()) append(problems, client_id.errors);
  QueryParams extra;
  for (const auto& [name, value] : oauth2.authorization_params) {
    auto rendered = value.render(scope);
    if (rendered.ok()) extra.emplace_back(name, std::move(*rendered.value));
    else append(problems, rendered.errors);
  }
  if (!problems.empty()) return Failure::failure(std::move(problems));

  PendingAuthorization pending;
  pending.state = base64url_encode(random_bytes.substr(0, kStateBytes));
  if (oauth2.pkce) {
    size_t length = static_cast<size_t>(oauth2.pkce_verifier_length);
    pending.verifier = base64url_encode(random_bytes.substr(kStateBytes, verifier_bytes(oauth2.pkce_verifier_length)))
                           .substr(0, length);
  }
  pending.expires_at = now + kStateLifetime;
  pending.redirect_uri = redirect_uri;

  // SPEC §2.2: what the URL already carries is not added again.
  QueryParams present = parse_query(url->query);
  QueryParams added;
  auto add = [&](const std::string& name, std::string value) {
    if (!has_name(present, name) && !has_name(added, name)) added.emplace_back(name, std::move(value));
  };
  add("response_type", "code");
  add("client_id", *client_id.value);
  add("redirect_uri", redirect_uri);
  add("state", pending.state);
  std::string scopes = requested_scopes(oauth2, scope);
  if (!scopes.empty()) add("scope", scopes);
  if (oauth2.pkce) {
    bool plain = oauth2.pkce_method == OAuth2Settings::PkceMethod::Plain;
    add("code_challenge", pkce_challenge(pending.verifier, oauth2.pkce_method));
    add("code_challenge_method", plain ? "plain" : "S256");
  }
  for (auto& [name, value] : extra) add(name, std::move(value));

  AuthorizationStart start;
  start.url = set_url_query_params(*rendered_url.value, added);
  start.pending = std::move(pending);
  return Result<AuthorizationStart>::success(std::move(start));
}

CallbackResult verify_callback(const QueryParams& params, const PendingAuthorization& pending,
                               const std::optional<std::string>& issuer, int64_t now) {
  auto single = [&](const char* name, int& count) -> const std::string* {
    const std::string* found = nullptr;
    count = 0;
    for (const auto& [key, value] : params)
      if (key == name && ++count == 1) found = &value;
    return found;
  };
  const char* const kNames[] = {"state", "code", "error", "error_description", "iss"};
  const std::string* values[5];
  for (int i = 0; i < 5; ++i) {
    int count = 0;
    values[i] = single(kNames[i], count);
    if (count > 1)
      return refuse("invalid_callback", std::nullopt,
                    std::string("The provider's answer repeats the parameter ") + kNames[i] +
                        " (RFC 6749 §3.1), so it cannot be trusted. Start connecting again.");
  }
  const std::string* state = values[0];
  const std::string* code = values[1];
  const std::string* error = values[2];
  const std::string* description = values[3];
  const std::string* iss = values[4];

  // RFC 6749 §10.12: nothing in the answer is used before its state matches.
  if (!state || pending.state.empty() || !constant_time_equals(*state, pending.state))
    return refuse("state_mismatch", std::nullopt,
                  "This answer from the provider does not belong to a connection attempt in progress "
                  "(state mismatch). Start connecting again from the app.");
  if (now >= pending.expires_at)
    return refuse("state_expired", std::nullopt,
                  "The connection attempt took longer than 10 minutes and expired. Start connecting again.");
  // RFC 9207 §2.4: when the issuer is known, iss is required (a mix-up
  // attacker would leave it out) and compared as a simple string.
  if (issuer && !issuer->empty() && (!iss || iss->empty()))
    return refuse("issuer_missing", std::nullopt,
                  "The provider's answer does not say which authorization server sent it (no iss, RFC 9207), but "
                  "the app names its issuer. Start connecting again; if it persists, an administrator must check "
                  "the app's issuer.");
  if (issuer && !issuer->empty() && *iss != *issuer)
    return refuse("issuer_mismatch", std::nullopt,
                  "The answer came from a different authorization server than the app's (issuer mismatch, "
                  "RFC 9207). Start connecting again; if it persists, an administrator must check the app.");
  if (error && !error->empty()) {
    std::string code_text = printable(*error, 64);
    Cause cause = classify_token_failure(0, code_text, TokenGrant::AuthorizationCode);
    if (code_text == "access_denied")
      return refuse(code_text, cause,
                    "Access was not granted at the provider (access_denied). Connect again and approve the "
                    "requested access, with an account that has it.");
    std::string message = "The provider refused the authorization (" + code_text + ")";
    if (description && !description->empty()) message += ": " + printable(*description, 300);
    return refuse(code_text, cause, message + ".");
  }
  if (!code || code->empty())
    return refuse("missing_code", std::nullopt,
                  "The provider's answer has no authorization code. Start connecting again.");
  CallbackResult ok;
  ok.code = *code;
  return ok;
}

json exchange_scope(json scope, const std::string& code, const PendingAuthorization& pending) {
  if (!scope.is_object()) scope = json::object();
  scope["code"] = code;
  scope["state"] = pending.state;
  scope["redirect_uri"] = pending.redirect_uri;
  if (!pending.verifier.empty()) scope["verifier"] = pending.verifier;
  return scope;
}

Result<HttpRequest> build_code_exchange(const Authorization& authorization, const json& scope,
                                        const std::optional<Template>& base_uri) {
  // Workato's oauth2 `acquire` replaces the standard exchange entirely.
  if (!authorization.acquire.empty()) return build_step_request(authorization.acquire, StepRun{}, scope, base_uri);
  std::string code = string_in(scope, "code");
  if (code.empty()) return Result<HttpRequest>::failure("/flow/code", "is required: the code from the callback");
  // RFC 6749 §4.1.3; redirect_uri must be the one of the authorization
  // request. RFC 7636 §4.5: code_verifier.
  QueryParams grant = {{"grant_type", "authorization_code"},
                       {"code", code},
                       {"redirect_uri", string_in(scope, "redirect_uri")}};
  std::string verifier = string_in(scope, "verifier");
  if (authorization.oauth2.pkce && !verifier.empty()) grant.emplace_back("code_verifier", verifier);
  return build_token_request(authorization, scope, grant, base_uri);
}

ConnectionUpdate finish_authorization(const Authorization& authorization, const json& scope,
                                      const json& connection, const HttpResponse& response, int64_t now,
                                      std::optional<int64_t> default_expires_in) {
  AuthorizationProgress progress =
      finish_authorization(authorization, scope, connection, response, now, default_expires_in, StepRun{});
  if (progress.next) {
    TokenFailure f;
    f.error = "steps_pending";
    f.description = "acquire is a list of steps: run it with authorize_finish, which carries the run";
    progress.update.failure = std::move(f);
  }
  return progress.update;
}

AuthorizationProgress finish_authorization(const Authorization& authorization, const json& scope,
                                           const json& connection, const HttpResponse& response, int64_t now,
                                           std::optional<int64_t> default_expires_in, StepRun run) {
  TokenReading reading;
  reading.grant = TokenGrant::AuthorizationCode;
  reading.default_expires_in = default_expires_in;
  reading.access_token_required = true;  // oauth2 exists to obtain one
  reading.gateway = !authorization.oauth2.token_headers.empty();
  AuthorizationProgress out;
  if (authorization.acquire.empty()) {
    out.update = update_connection(read_token_response(response, reading), connection, now, TokenStore::NewGrant);
    return out;
  }
  StepProgress progress = read_step_answer(authorization.acquire, std::move(run), response, scope, reading);
  out.next = std::move(progress.next);
  if (!out.next) out.update = update_connection(progress.read, connection, now, TokenStore::NewGrant);
  return out;
}

std::optional<std::string> render_identity(const Authorization& authorization, const json& scope) {
  if (!authorization.identity) return std::nullopt;
  auto rendered = authorization.identity->render(scope);
  if (!rendered.ok() || rendered.value->empty()) return std::nullopt;
  return std::move(*rendered.value);
}

}  // namespace connauth
