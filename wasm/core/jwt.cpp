#include "jwt.h"

#include <cstdint>

#include "connector_reader.h"
#include "json_object.h"
#include "url.h"

namespace connauth {

using nlohmann::json;

namespace {

constexpr std::string_view kJwtKeys[] = {"alg", "key", "kid", "claims"};
constexpr std::string_view kJwtAlgs[] = {"RS256", "ES256"};
// SPEC §10: a JWT is valid for five minutes unless its claims say otherwise.
constexpr int64_t kJwtLifetimeSeconds = 300;

constexpr std::string_view kPemBegin = "-----BEGIN PRIVATE KEY-----";
constexpr std::string_view kPemEnd = "-----END PRIVATE KEY-----";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_supported_jwt_alg(std::string_view alg) {
  for (std::string_view known : kJwtAlgs)
    if (alg == known) return true;
  return false;
}

std::optional<std::string> pem_problem(std::string_view pem) {
  std::string_view text = trimmed(pem);
  if (text.rfind("-----BEGIN ", 0) == 0 && text.rfind(kPemBegin, 0) != 0)
    return std::string(
        "is a PEM key but not PKCS#8 (it must begin with -----BEGIN PRIVATE KEY-----); convert it with "
        "`openssl pkcs8 -topk8 -nocrypt`");
  if (text.size() < kPemBegin.size() + kPemEnd.size() || text.rfind(kPemBegin, 0) != 0 ||
      text.substr(text.size() - kPemEnd.size()) != kPemEnd)
    return std::string("is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY----- ... -----END PRIVATE KEY-----)");
  std::string_view body = text.substr(kPemBegin.size(), text.size() - kPemBegin.size() - kPemEnd.size());
  size_t digits = 0, padding = 0;
  for (char c : body) {
    if (is_space(c)) continue;
    if (c == '=' ) ++padding;
    else if (is_base64_char(c) && padding == 0) ++digits;
    else return std::string("is malformed PEM: its body is not base64");
  }
  if (digits == 0 || padding > 2 || (digits + padding) % 4 != 0)
    return std::string("is malformed PEM: its body is not base64");
  return std::nullopt;
}

bool is_jwt_value(const json& value) {
  return value.is_object() && value.size() == 1 && value.contains("jwt");
}

std::optional<JwtValue> read_jwt_value(DefinitionReader& in, const json& value, const std::string& where) {
  const json& spec = value["jwt"];
  std::string at = pointer_append(where, "jwt");
  if (!in.expect_object(spec, at)) return std::nullopt;
  in.reject_unknown_keys(spec, at, kJwtKeys);
  JwtValue out;
  out.where = where;
  bool complete = true;
  if (const json* alg = in.required(spec, at, "alg", "give alg: RS256 or ES256")) {
    if (!alg->is_string() || !is_supported_jwt_alg(alg->get_ref<const std::string&>())) {
      in.problem(pointer_append(at, "alg"),
                 "unsupported alg " + (alg->is_string() ? in_quotes(alg->get_ref<const std::string&>()) : type_name(*alg)) +
                     ": use " + in_quotes_list(kJwtAlgs));
      complete = false;
    } else {
      out.alg = alg->get<std::string>();
    }
  } else {
    complete = false;
  }
  if (const json* key = in.required(spec, at, "key", "give key: the PEM PKCS#8 private key, e.g. {{connection.private_key}}")) {
    if (auto t = in.template_value(*key, pointer_append(at, "key"))) out.key = std::move(*t);
    else complete = false;
  } else {
    complete = false;
  }
  if (const json* kid = DefinitionReader::member(spec, "kid")) {
    if (auto t = in.template_value(*kid, pointer_append(at, "kid"))) out.kid = std::move(*t);
    else complete = false;
  }
  const json* claims = in.required(spec, at, "claims", "give claims: an object of the JWT's claims");
  if (claims && in.expect_object(*claims, pointer_append(at, "claims"))) {
    if (auto t = in.json_template(*claims, pointer_append(at, "claims"))) out.claims = std::move(*t);
    else complete = false;
  } else {
    complete = false;
  }
  if (!complete) return std::nullopt;
  return out;
}

Result<JwtToSign> build_jwt(const std::string& alg, const std::string& key, const std::string& key_where,
                            const std::optional<std::string>& kid, json claims, const json& scope,
                            const std::string& where, int ordinal) {
  if (auto problem = pem_problem(key)) return Result<JwtToSign>::failure(key_where, *problem);
  auto now = scope.find("now");
  auto uuid = scope.find("uuid");
  if (now == scope.end() || !now->is_number_integer() || uuid == scope.end() || !uuid->is_string())
    return Result<JwtToSign>::failure(
        where, "cannot build the JWT: the host passed no clock and random bytes (the stamp) for iat and jti");
  // RFC 7519 §4.1.6, §4.1.4, §4.1.7.
  if (!claims.contains("iat")) claims["iat"] = *now;
  const json& iat = claims["iat"];
  if (!claims.contains("exp")) claims["exp"] = (iat.is_number_integer() ? iat.get<int64_t>() : now->get<int64_t>()) + kJwtLifetimeSeconds;
  if (!claims.contains("jti"))
    claims["jti"] = ordinal == 0 ? uuid->get<std::string>() : uuid->get<std::string>() + "-" + std::to_string(ordinal);
  json header = json_object("alg", alg, "typ", "JWT");
  if (kid) header["kid"] = *kid;
  JwtToSign out;
  out.signing_input = base64url_encode(header.dump()) + "." +
                      base64url_encode(claims.dump(-1, ' ', false, json::error_handler_t::replace));
  out.alg = alg;
  out.key = key;
  out.key_source = key_where;
  return Result<JwtToSign>::success(std::move(out));
}

Result<JwtToSign> render_jwt(const JwtValue& value, const json& scope, int ordinal) {
  Problems problems;
  auto key = value.key.render(scope);
  if (!key.ok()) append(problems, key.errors);
  std::optional<std::string> kid;
  if (value.kid) {
    auto rendered = value.kid->render(scope);
    if (rendered.ok()) kid = std::move(*rendered.value);
    else append(problems, rendered.errors);
  }
  auto claims = value.claims.render(scope);
  if (!claims.ok()) append(problems, claims.errors);
  if (!problems.empty()) return Result<JwtToSign>::failure(std::move(problems));
  return build_jwt(value.alg, *key.value, value.key.where(), kid, std::move(*claims.value), scope, value.where,
                   ordinal);
}

}  // namespace connauth
