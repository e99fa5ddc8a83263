#include "authorization_flow.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scope.h"

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr int64_t kNow = 1700000000;
const char* const kRedirect = "https://app.example/oauth/callback";

// 16 state bytes 00..0f, then the 32 octets of RFC 7636 Appendix B, whose
// base64url is the verifier dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk.
std::string random_bytes() {
  std::string bytes;
  for (int i = 0; i < 16; ++i) bytes += char(i);
  const unsigned char rfc7636[32] = {116, 24,  223, 180, 151, 153, 224, 37, 79,  250, 96,
                                     125, 216, 173, 187, 186, 22,  212, 37, 77,  105, 214,
                                     191, 240, 91,  88,  5,   88,  83,  132, 141, 121};
  bytes.append(reinterpret_cast<const char*>(rfc7636), 32);
  return bytes;
}

Connector parse(const std::string& authorization_extra, const std::string& top_extra = "") {
  auto parsed = parse_connector(std::string(R"({"name": "acme",
    "connection": {"fields": [{"name": "subdomain", "optional": true}],
                   "base_uri": "https://{{connection.subdomain}}.acme.example/api/"},
    "authorization": {"type": "oauth2",
      "authorization_url": "https://auth.acme.example/authorize?prompt=consent",
      "token_url": "https://auth.acme.example/token")") + authorization_extra + "}" + top_extra + "}");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors[0].path + ": " + parsed.errors[0].message);
  return parsed.ok() ? *parsed.value : Connector{};
}

json context(json app_extra = json::object()) {
  json app = {{"client_id", "my client"}, {"client_secret", "top secret"}, {"scopes", {"app.read"}}};
  app.update(app_extra);
  return json{{"app", app}, {"connection", {{"subdomain", "eu"}}}, {"flow", {{"redirect_uri", kRedirect}}}};
}

PendingAuthorization pending() {
  return PendingAuthorization{"AAECAwQFBgcICQoLDA0ODw", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                              kNow + 600, kRedirect};
}

// ---- PKCE and helpers -------------------------------------------------------------

TEST(AuthorizationFlow, PkceChallengeMatchesRfc7636AppendixB) {
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(AuthorizationFlow, ConstantTimeEquals) {
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "abcabc"));
  EXPECT_FALSE(constant_time_equals("abcabc", "abc"));
  EXPECT_FALSE(constant_time_equals("", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", ""));
  EXPECT_TRUE(constant_time_equals("", ""));
}

TEST(AuthorizationFlow, PendingJsonRoundTrip) {
  json j = to_json(pending());
  EXPECT_EQ(j, json::parse(R"({"state":"AAECAwQFBgcICQoLDA0ODw","verifier":"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                              "expires_at":1700000600,"redirect_uri":"https://app.example/oauth/callback"})"));
  auto back = pending_from_json(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(to_json(*back.value), j);
  auto bad = pending_from_json(json::parse(R"({"state":"","verifier":3})"), "/pending");
  ASSERT_FALSE(bad.ok());
  std::vector<std::string> paths;
  for (const auto& p : bad.errors) paths.push_back(p.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/pending/state", "/pending/verifier", "/pending/redirect_uri",
                                             "/pending/expires_at"}));
}

// ---- begin -------------------------------------------------------------------------

TEST(AuthorizationFlow, BeginBuildsTheAuthorizationUrl) {
  Connector c = parse(R"(, "scopes": ["read", "write"], "authorization_params": {"access_type": "offline"})");
  auto start = begin_authorization(c.authorization, make_scope(context()), random_bytes(), kNow);
  ASSERT_TRUE(start.ok()) << start.errors[0].message;
  EXPECT_EQ(start.value->url,
            "https://auth.acme.example/authorize?prompt=consent&response_type=code&client_id=my+client"
            "&redirect_uri=https%3A%2F%2Fapp.example%2Foauth%2Fcallback&state=AAECAwQFBgcICQoLDA0ODw"
            "&scope=read+write&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
            "&code_challenge_method=S256&access_type=offline");
  EXPECT_EQ(to_json(start.value->pending), to_json(pending()));
}

TEST(AuthorizationFlow, StateAndVerifierHaveTheRequiredStrength) {
  Connector c = parse("");
  auto start = begin_authorization(c.authorization, make_scope(context()), random_bytes(), kNow);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start.value->pending.state.size(), 22u);     // 128 bits
  EXPECT_EQ(start.value->pending.verifier.size(), 43u);  // RFC 7636 §4.1 minimum
}

TEST(AuthorizationFlow, AppScopesWithTheConnectorSeparator) {
  Connector c = parse(R"(, "scope_separator": ",")");
  json ctx = context({{"scopes", {"a", "b c"}}});
  auto start = begin_authorization(c.authorization, make_scope(ctx, ","), random_bytes(), kNow);
  ASSERT_TRUE(start.ok());
  EXPECT_THAT(start.value->url, HasSubstr("&scope=a%2Cb+c&"));
}

TEST(AuthorizationFlow, NoScopesNoScopeParameter) {
  Connector c = parse(R"(, "pkce": false)");
  auto start = begin_authorization(c.authorization, make_scope(context({{"scopes", json::array()}})), random_bytes(), kNow);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start.value->url,
            "https://auth.acme.example/authorize?prompt=consent&response_type=code&client_id=my+client"
            "&redirect_uri=https%3A%2F%2Fapp.example%2Foauth%2Fcallback&state=AAECAwQFBgcICQoLDA0ODw");
  EXPECT_EQ(start.value->pending.verifier, "");
}

TEST(AuthorizationFlow, ParametersTheUrlCarriesAreNotAddedAgain) {
  auto parsed = parse_connector(std::string(R"({"name": "acme", "authorization": {"type": "oauth2",
      "authorization_url": "https://auth.example/authorize?response_type=code&scope=fixed&client_id=abc",
      "token_url": "https://auth.example/token"}})"));
  ASSERT_TRUE(parsed.ok());
  auto start = begin_authorization(parsed.value->authorization, make_scope(context()), random_bytes(), kNow);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start.value->url,
            "https://auth.example/authorize?response_type=code&scope=fixed&client_id=abc"
            "&redirect_uri=https%3A%2F%2Fapp.example%2Foauth%2Fcallback&state=AAECAwQFBgcICQoLDA0ODw"
            "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256");
}

TEST(AuthorizationFlow, BeginNeedsEnoughRandomBytes) {
  Connector c = parse("");
  auto start = begin_authorization(c.authorization, make_scope(context()), random_bytes().substr(0, 47), kNow);
  ASSERT_FALSE(start.ok());
  EXPECT_EQ(start.errors[0].message, "needs 48 random bytes from the host's CSPRNG, got 47");
}

TEST(AuthorizationFlow, BeginNeedsARedirectUri) {
  Connector c = parse("");
  json ctx = context();
  ctx.erase("flow");
  auto start = begin_authorization(c.authorization, make_scope(ctx), random_bytes(), kNow);
  ASSERT_FALSE(start.ok());
  EXPECT_EQ(start.errors[0].path, "/flow/redirect_uri");
}

TEST(AuthorizationFlow, BeginReportsMissingTemplateValues) {
  Connector c = parse(R"(, "client_id": "{{connection.client}}", "authorization_params": {"tenant": "{{connection.tenant}}"})");
  auto start = begin_authorization(c.authorization, make_scope(context()), random_bytes(), kNow);
  ASSERT_FALSE(start.ok());
  ASSERT_EQ(start.errors.size(), 2u);
  EXPECT_EQ(start.errors[0].path, "/authorization/client_id");
  EXPECT_EQ(start.errors[1].path, "/authorization/authorization_params/tenant");
}

TEST(AuthorizationFlow, BeginIsOnlyForOAuth2) {
  auto parsed = parse_connector(std::string(R"({"name": "k", "authorization": {"type": "api_key",
      "apply": [{"headers": {"X-Key": "{{connection.key}}"}}]}})"));
  ASSERT_TRUE(parsed.ok());
  auto start = begin_authorization(parsed.value->authorization, make_scope(context()), random_bytes(), kNow);
  ASSERT_FALSE(start.ok());
  EXPECT_EQ(start.errors[0].path, "/authorization/type");
  EXPECT_EQ(start.errors[0].message, "is api_key: only oauth2 connects through the provider's consent page");
}

// ---- callback ----------------------------------------------------------------------

TEST(AuthorizationFlow, CallbackWithMatchingStateYieldsTheCode) {
  auto r = verify_callback({{"code", "c-1"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}}, pending(), std::nullopt, kNow + 30);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r.code, "c-1");
}

TEST(AuthorizationFlow, CallbackStateMismatch) {
  for (const QueryParams& params : {QueryParams{{"code", "c"}, {"state", "AAECAwQFBgcICQoLDA0ODx"}},
                                    QueryParams{{"code", "c"}}, QueryParams{{"code", "c"}, {"state", ""}}}) {
    auto r = verify_callback(params, pending(), std::nullopt, kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->code, "state_mismatch");
    EXPECT_EQ(r.error->cause, std::nullopt);
    EXPECT_EQ(r.error->message,
              "This answer from the provider does not belong to a connection attempt in progress (state "
              "mismatch). Start connecting again from the app.");
  }
}

TEST(AuthorizationFlow, CallbackNeverMatchesAnEmptyPendingState) {
  PendingAuthorization p = pending();
  p.state = "";
  auto r = verify_callback({{"code", "c"}, {"state", ""}}, p, std::nullopt, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, "state_mismatch");
}

TEST(AuthorizationFlow, CallbackStateExpiresAfterTenMinutes) {
  QueryParams params = {{"code", "c"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}};
  EXPECT_TRUE(verify_callback(params, pending(), std::nullopt, kNow + 599).ok());
  auto r = verify_callback(params, pending(), std::nullopt, kNow + 600);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, "state_expired");
}

TEST(AuthorizationFlow, CallbackRepeatedParameter) {
  auto r = verify_callback({{"code", "a"}, {"code", "b"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}}, pending(),
                           std::nullopt, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, "invalid_callback");
  EXPECT_EQ(r.error->message,
            "The provider's answer repeats the parameter code (RFC 6749 §3.1), so it cannot be trusted. Start "
            "connecting again.");
}

TEST(AuthorizationFlow, CallbackIssuerMustMatchWhenKnown) {
  QueryParams params = {{"code", "c"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}, {"iss", "https://evil.example"}};
  auto r = verify_callback(params, pending(), std::string("https://auth.acme.example"), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, "issuer_mismatch");
  params.back().second = "https://auth.acme.example";
  EXPECT_TRUE(verify_callback(params, pending(), std::string("https://auth.acme.example"), kNow).ok());
  // Unknown issuer: nothing to compare, and an absent iss is accepted.
  params.back().second = "https://evil.example";
  EXPECT_TRUE(verify_callback(params, pending(), std::nullopt, kNow).ok());
  EXPECT_TRUE(verify_callback({{"code", "c"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}}, pending(), std::nullopt, kNow).ok());
}

TEST(AuthorizationFlow, CallbackIssuerIsRequiredWhenKnown) {
  // RFC 9207 §2.4: a client that knows the issuer must not accept an answer
  // without it (a mix-up attacker would simply leave it out).
  auto r = verify_callback({{"code", "c"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}}, pending(),
                           std::string("https://auth.acme.example"), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, "issuer_missing");
  EXPECT_EQ(r.error->message,
            "The provider's answer does not say which authorization server sent it (no iss, RFC 9207), but "
            "the app names its issuer. Start connecting again; if it persists, an administrator must check "
            "the app's issuer.");
  // Also with the provider's error: nothing in an unattributed answer is used.
  auto denied = verify_callback({{"error", "access_denied"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}}, pending(),
                                std::string("https://auth.acme.example"), kNow);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error->code, "issuer_missing");
  // An empty iss is no issuer either.
  auto empty = verify_callback({{"code", "c"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}, {"iss", ""}}, pending(),
                               std::string("https://auth.acme.example"), kNow);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error->code, "issuer_missing");
}

TEST(AuthorizationFlow, CallbackIssuerIsCheckedBeforeTheProviderError) {
  auto r = verify_callback({{"error", "access_denied"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}, {"iss", "x"}},
                           pending(), std::string("https://auth.acme.example"), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, "issuer_mismatch");
}

TEST(AuthorizationFlow, CallbackAccessDenied) {
  auto r = verify_callback({{"error", "access_denied"}, {"error_description", "The user denied"},
                            {"state", "AAECAwQFBgcICQoLDA0ODw"}},
                           pending(), std::nullopt, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, "access_denied");
  EXPECT_EQ(r.error->cause, Cause::AuthorizationRevoked);
  EXPECT_EQ(r.error->message,
            "Access was not granted at the provider (access_denied). Connect again and approve the requested "
            "access, with an account that has it.");
}

TEST(AuthorizationFlow, CallbackOtherProviderErrors) {
  auto r = verify_callback({{"error", "invalid_scope"}, {"error_description", "Unknown scope: admin\r\n"},
                            {"state", "AAECAwQFBgcICQoLDA0ODw"}},
                           pending(), std::nullopt, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, "invalid_scope");
  EXPECT_EQ(r.error->cause, Cause::ConnectorError);
  EXPECT_EQ(r.error->message, "The provider refused the authorization (invalid_scope): Unknown scope: admin.");
  auto unavailable = verify_callback({{"error", "temporarily_unavailable"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}},
                                     pending(), std::nullopt, kNow);
  EXPECT_EQ(unavailable.error->cause, Cause::ProviderUnavailable);
  auto client = verify_callback({{"error", "unauthorized_client"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}}, pending(),
                                std::nullopt, kNow);
  EXPECT_EQ(client.error->cause, Cause::ClientMisconfigured);
}

TEST(AuthorizationFlow, ProviderErrorWithoutMatchingStateIsNotTrusted) {
  auto r = verify_callback({{"error", "access_denied"}, {"state", "forged"}}, pending(), std::nullopt, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, "state_mismatch");
}

TEST(AuthorizationFlow, CallbackMissingCode) {
  for (const QueryParams& params : {QueryParams{{"state", "AAECAwQFBgcICQoLDA0ODw"}},
                                    QueryParams{{"state", "AAECAwQFBgcICQoLDA0ODw"}, {"code", ""}}}) {
    auto r = verify_callback(params, pending(), std::nullopt, kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->code, "missing_code");
  }
}

// ---- code exchange -------------------------------------------------------------------

TEST(AuthorizationFlow, StandardCodeExchangeRequest) {
  Connector c = parse("");
  json scope = exchange_scope(make_scope(context()), "code/1", pending());
  auto request = build_code_exchange(c.authorization, scope, c.base_uri);
  ASSERT_TRUE(request.ok()) << request.errors[0].message;
  EXPECT_EQ(request.value->method, "POST");
  EXPECT_EQ(request.value->url, "https://auth.acme.example/token");
  EXPECT_EQ(request.value->body,
            "grant_type=authorization_code&code=code%2F1&redirect_uri=https%3A%2F%2Fapp.example%2Foauth%2Fcallback"
            "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=my+client&client_secret=top+secret");
  EXPECT_THAT(request.value->headers.entries(),
              ElementsAre(Pair("Accept", "application/json"), Pair("Content-Type", "application/x-www-form-urlencoded")));
}

TEST(AuthorizationFlow, CodeExchangeWithBasicClientAuthAndJson) {
  Connector c = parse(R"(, "client_auth": "basic", "token_format": "json", "pkce": false)");
  PendingAuthorization p = pending();
  p.verifier = "";
  json scope = exchange_scope(make_scope(context()), "abc", p);
  auto request = build_code_exchange(c.authorization, scope, c.base_uri);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request.value->body,
            R"({"grant_type":"authorization_code","code":"abc","redirect_uri":"https://app.example/oauth/callback"})");
  EXPECT_EQ(*request.value->headers.get("Authorization"), "Basic bXkrY2xpZW50OnRvcCtzZWNyZXQ=");
  EXPECT_EQ(*request.value->headers.get("Content-Type"), "application/json");
}

TEST(AuthorizationFlow, CodeExchangeThroughAcquire) {
  Connector c = parse(R"(, "acquire": {
      "request": {"method": "POST", "url": "https://auth.acme.example/oauth/access",
                  "json": {"code": "{{code}}", "verifier": "{{verifier}}", "redirect": "{{redirect_uri}}",
                           "state": "{{state}}", "app": "{{client_id}}"}},
      "tokens": {"access_token": "{{response.data.token}}", "expires_in": "{{response.data.ttl}}"},
      "merge": {"instance": "{{response.data.instance}}"}},
      "identity": "{{connection.email}}")");
  json scope = exchange_scope(make_scope(context()), "abc", pending());
  auto request = build_code_exchange(c.authorization, scope, c.base_uri);
  ASSERT_TRUE(request.ok()) << request.errors[0].message;
  EXPECT_EQ(request.value->url, "https://auth.acme.example/oauth/access");
  EXPECT_EQ(request.value->body,
            R"({"app":"my client","code":"abc","redirect":"https://app.example/oauth/callback","state":"AAECAwQFBgcICQoLDA0ODw","verifier":"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"})");

  HttpResponse response;
  response.status = 200;
  response.body = R"({"data":{"token":"at-9","ttl":120,"instance":"eu-1"}})";
  ConnectionUpdate update =
      finish_authorization(c.authorization, scope, json{{"subdomain", "eu"}}, response, kNow, std::nullopt);
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(*update.connection,
            json::parse(R"({"subdomain":"eu","access_token":"at-9","expires_at":1700000120,"instance":"eu-1"})"));
}

TEST(AuthorizationFlow, CodeExchangeNeedsTheCode) {
  Connector c = parse("");
  auto request = build_code_exchange(c.authorization, make_scope(context()), c.base_uri);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.errors[0].path, "/flow/code");
}

// ---- finish ----------------------------------------------------------------------------

TEST(AuthorizationFlow, FinishStoresTheNewGrant) {
  Connector c = parse("");
  HttpResponse response;
  response.status = 200;
  response.body = R"({"access_token":"at-1","refresh_token":"rt-1","expires_in":3600,"token_type":"Bearer"})";
  json previous = {{"subdomain", "eu"}, {"access_token", "old"}, {"refresh_token", "old-rt"}, {"expires_at", 1}};
  ConnectionUpdate update =
      finish_authorization(c.authorization, make_scope(context()), previous, response, kNow, std::nullopt);
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(*update.connection, json::parse(R"({"subdomain":"eu","access_token":"at-1","refresh_token":"rt-1",
                                                "expires_at":1700003600})"));
  EXPECT_TRUE(update.warnings.empty());
}

TEST(AuthorizationFlow, FinishDropsARefreshTokenOfAnEarlierGrant) {
  Connector c = parse("");
  HttpResponse response;
  response.status = 200;
  response.body = R"({"access_token":"at-1","expires_in":"x"})";
  ConnectionUpdate update = finish_authorization(c.authorization, make_scope(context()),
                                                 json{{"refresh_token", "old-rt"}}, response, kNow, 7200);
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(*update.connection, json::parse(R"({"access_token":"at-1","expires_at":1700007200})"));
  EXPECT_THAT(update.warnings,
              ElementsAre("expires_in \"x\" is not a number of seconds; the app's default lifetime applies"));
}

TEST(AuthorizationFlow, FinishReportsTheProviderError) {
  Connector c = parse("");
  HttpResponse response;
  response.status = 400;
  response.body = R"({"error":"invalid_grant","error_description":"Code expired"})";
  ConnectionUpdate update =
      finish_authorization(c.authorization, make_scope(context()), json::object(), response, kNow, std::nullopt);
  ASSERT_FALSE(update.ok());
  EXPECT_EQ(update.failure->cause, Cause::AuthorizationRevoked);
  EXPECT_EQ(update.failure->detail(), "invalid_grant (HTTP 400): Code expired");
}

TEST(AuthorizationFlow, IdentityRendersWhenItsValuesAreThere) {
  Connector c = parse(R"(, "identity": "{{connection.email}}")");
  EXPECT_EQ(render_identity(c.authorization, make_scope(json{{"connection", {{"email", "ann@example.com"}}}})),
            "ann@example.com");
  EXPECT_EQ(render_identity(c.authorization, make_scope(json{{"connection", json::object()}})), std::nullopt);
  EXPECT_EQ(render_identity(parse("").authorization, make_scope(context())), std::nullopt);
}

}  // namespace
}  // namespace connauth
