// Token endpoint responses are attacker-controlled (a hostile or broken
// provider): reading them must never crash, throw or hang, and must always
// end in exactly one of tokens or a failure.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "identity.h"
#include "token_response.h"
#include "url.h"

using namespace connauth;

namespace {

const Step& mapped_step() {
  static const Step step = [] {
    Step s;
    s.where = "/authorization/acquire";
    s.tokens.access_token = *Template::parse("{{response.data.token}}", "/a").value;
    s.tokens.refresh_token = *Template::parse("{{response.data.refresh | default: \"\"}}", "/r").value;
    s.tokens.expires_in = *Template::parse("{{response.data.ttl}}", "/e").value;
    s.owner_id = *Template::parse("{{response.user.id}}", "/o").value;
    s.merge = {{"session", *Template::parse("{{response_headers.x-session}}:{{status}}", "/m").value}};
    return s;
  }();
  return step;
}

void check(const TokenResult& r) {
  if (r.ok() == r.failure.has_value()) std::abort();
  if (r.ok() && r.tokens->expires_in && *r.tokens->expires_in < 0) std::abort();
  if (r.failure) (void)r.failure->detail();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const int kStatuses[] = {200, 201, 204, 302, 400, 401, 403, 404, 429, 500, 503};
  HttpResponse response;
  response.status = kStatuses[data[0] % (sizeof kStatuses / sizeof kStatuses[0])];
  response.headers.add("X-Session", "s");
  response.body.assign(reinterpret_cast<const char*>(data + 2), size - 2);

  TokenReading reading;
  reading.grant = static_cast<TokenGrant>(data[1] % 3);
  reading.access_token_required = (data[1] & 4) != 0;
  if (data[1] & 8) reading.default_expires_in = 3600;

  TokenResult standard = read_token_response(response, reading);
  check(standard);
  if (standard.ok()) (void)store_tokens(nlohmann::json::object(), *standard.tokens, 1700000000, TokenStore::Refresh);

  TokenResult step = read_step_response(response, mapped_step(), nlohmann::json::object(), reading);
  check(step);
  ConnectionUpdate update = update_connection(step, nlohmann::json{{"refresh_token", "old"}}, INT64_MAX - 5,
                                              TokenStore::NewGrant);
  if (update.ok() == update.failure.has_value()) std::abort();

  // SPEC §10: an id_token is claims (an object) or a problem, never both.
  IdTokenClaims id_token = read_id_token(response);
  if (!id_token.claims.is_null() && (!id_token.claims.is_object() || !id_token.problem.empty())) std::abort();
  (void)granted_scope(response, "openid email");
  auto decoded = base64url_decode(base64url_encode(response.body));
  if (!decoded || *decoded != response.body) std::abort();
  (void)base64url_decode(response.body);

  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_discarded()) {
    std::string warning;
    auto seconds = read_expires_in(body, warning);
    if (seconds && (*seconds < 0 || !warning.empty())) std::abort();
  }
  return 0;
}
