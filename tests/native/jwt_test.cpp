#include "jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connector.h"
#include "connection_check.h"
#include "connector_request.h"
#include "scope.h"
#include "stamp.h"
#include "token_request.h"
#include "url.h"

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// The shape the engine checks; the host's WebCrypto reads the key itself.
const char* kPem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n";
constexpr int64_t kNow = 1700000000;

json stamped(json scope) {
  stamp_scope(scope, Stamp{kNow, std::string(kStampRandomBytes, '\x2a')});
  return scope;
}

std::string jwt_input(const json& header, const json& claims) {
  return base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
}

Connector parsed(const std::string& text) {
  auto connector = parse_connector(text);
  EXPECT_TRUE(connector.ok()) << (connector.ok() ? "" : connector.errors[0].path + ": " + connector.errors[0].message);
  return connector.ok() ? *connector.value : Connector{};
}

Connector oauth2(const std::string& extra = "") {
  return parsed(R"({"name": "acme", "authorization": {"type": "oauth2", "client_auth": "private_key_jwt",
      "authorization_url": "https://auth.acme.example/authorize", "token_url": "https://auth.acme.example/token",
      "revocation_url": "https://auth.acme.example/revoke")" + extra + "}}");
}

json app_scope(json settings) {
  return stamped(make_scope(json{{"app", {{"client_id", "cid"}, {"settings", std::move(settings)}}},
                                 {"connection", {{"refresh_token", "rt"}}}}));
}

const QueryParams kGrant = {{"grant_type", "authorization_code"}, {"code", "c1"}};

TEST(Jwt, PrivateKeyJwtClientAssertion) {
  json scope = app_scope({{"private_key", kPem}, {"key_id", "k1"}});
  auto built = build_token_request(oauth2().authorization, scope, kGrant, std::nullopt);
  ASSERT_TRUE(built.ok()) << built.errors[0].path << ": " << built.errors[0].message;
  ASSERT_EQ(built.value->jwts.size(), 1u);
  const JwtToSign& jwt = built.value->jwts[0];
  // RFC 7523 §3: iss = sub = client_id, aud = the token endpoint; iat/exp/jti from the stamp.
  EXPECT_EQ(jwt.signing_input,
            jwt_input({{"alg", "RS256"}, {"kid", "k1"}, {"typ", "JWT"}},
                      {{"aud", "https://auth.acme.example/token"}, {"exp", kNow + 300}, {"iat", kNow},
                       {"iss", "cid"}, {"jti", scope["uuid"]}, {"sub", "cid"}}));
  EXPECT_EQ(jwt.alg, "RS256");
  EXPECT_EQ(jwt.key, kPem);
  EXPECT_EQ(jwt.key_source, "/app/settings/private_key");
  EXPECT_EQ(built.value->body,
            "grant_type=authorization_code&code=c1&client_id=cid&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3A"
            "client-assertion-type%3Ajwt-bearer&client_assertion=" + jwt.signing_input);
  EXPECT_EQ(built.value->headers.get("Authorization"), nullptr);
}

TEST(Jwt, PrivateKeyJwtNeedsNoClientSecretAndTakesEs256) {
  json scope = app_scope({{"private_key", kPem}, {"client_assertion_alg", "ES256"}});
  scope["client_secret"] = "never sent";
  auto built = build_token_request(oauth2().authorization, scope, kGrant, std::nullopt);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.value->jwts[0].alg, "ES256");
  EXPECT_THAT(built.value->jwts[0].signing_input, ::testing::StartsWith(base64url_encode(R"({"alg":"ES256","typ":"JWT"})")));
  EXPECT_THAT(built.value->body, Not(HasSubstr("never")));
}

TEST(Jwt, RevocationAuthenticatesWithTheTokenEndpointAudience) {
  json scope = app_scope({{"private_key", kPem}});
  auto built = build_revocation_request(oauth2().authorization, scope, std::nullopt);
  ASSERT_TRUE(built.ok());
  ASSERT_TRUE(*built.value);
  const HttpRequest& request = **built.value;
  EXPECT_EQ(request.url, "https://auth.acme.example/revoke");
  ASSERT_EQ(request.jwts.size(), 1u);
  EXPECT_EQ(request.jwts[0].signing_input,
            jwt_input({{"alg", "RS256"}, {"typ", "JWT"}},
                      {{"aud", "https://auth.acme.example/token"}, {"exp", kNow + 300}, {"iat", kNow},
                       {"iss", "cid"}, {"jti", scope["uuid"]}, {"sub", "cid"}}));
  EXPECT_THAT(request.body, HasSubstr("&client_assertion=" + request.jwts[0].signing_input));
}

TEST(Jwt, PrivateKeyJwtProblemsNameTheSettingNeverTheKey) {
  auto problem = [](json settings) {
    auto built = build_token_request(oauth2().authorization, app_scope(std::move(settings)), kGrant, std::nullopt);
    EXPECT_FALSE(built.ok());
    return built.ok() ? Problem{} : built.errors[0];
  };
  Problem missing = problem(json::object());
  EXPECT_EQ(missing.path, "/app/settings/private_key");
  EXPECT_THAT(missing.message, HasSubstr("private_key_jwt"));

  Problem alg = problem({{"private_key", kPem}, {"client_assertion_alg", "HS256"}});
  EXPECT_EQ(alg.path, "/app/settings/client_assertion_alg");
  EXPECT_THAT(alg.message, HasSubstr("unsupported alg \"HS256\""));

  Problem pem = problem({{"private_key", "-----BEGIN PRIVATE KEY-----\nnot*base64 SECRETBYTES\n-----END PRIVATE KEY-----"}});
  EXPECT_EQ(pem.path, "/app/settings/private_key");
  EXPECT_THAT(pem.message, HasSubstr("malformed PEM"));
  EXPECT_THAT(pem.message, Not(HasSubstr("SECRETBYTES")));

  Problem pkcs1 = problem({{"private_key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----"}});
  EXPECT_EQ(pkcs1.path, "/app/settings/private_key");
  EXPECT_THAT(pkcs1.message, HasSubstr("openssl pkcs8 -topk8"));
}

TEST(Jwt, PemShape) {
  EXPECT_EQ(pem_problem(kPem), std::nullopt);
  EXPECT_NE(pem_problem(""), std::nullopt);
  EXPECT_NE(pem_problem("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), std::nullopt);
  EXPECT_NE(pem_problem("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----"), std::nullopt);
  EXPECT_NE(pem_problem("-----BEGIN PRIVATE KEY-----\nAAA=A\n-----END PRIVATE KEY-----"), std::nullopt);
  EXPECT_NE(pem_problem("-----BEGIN PRIVATE KEY-----\nAAAAA\n-----END PRIVATE KEY-----"), std::nullopt);
}

Connector bearer_grant(const std::string& jwt) {
  return parsed(R"({"name": "svc", "authorization": {"type": "custom_auth",
      "acquire": {"request": {"method": "POST", "url": "https://oauth2.svc.example/token",
        "form": {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": )" + jwt + R"(}}},
      "apply": [{"headers": {"Authorization": "Bearer {{access_token}}"}}]}})");
}

const char* kBearerJwt = R"({"jwt": {"alg": "RS256", "key": "{{connection.private_key}}", "kid": "{{connection.key_id}}",
    "claims": {"iss": "{{connection.client_email}}", "scope": "read write", "aud": "https://oauth2.svc.example/token",
               "n": 7}}})";

json service_scope() {
  return stamped(make_scope(json{{"connection", {{"private_key", kPem}, {"key_id", "kk"},
                                                 {"client_email", "svc@example.com"}}}}));
}

TEST(Jwt, RequestValueInAForm) {
  Connector c = bearer_grant(kBearerJwt);
  json scope = service_scope();
  auto built = build_request(c.authorization.acquire.front().request, scope, std::nullopt);
  ASSERT_TRUE(built.ok()) << built.errors[0].path << ": " << built.errors[0].message;
  ASSERT_EQ(built.value->jwts.size(), 1u);
  std::string input = jwt_input({{"alg", "RS256"}, {"kid", "kk"}, {"typ", "JWT"}},
                                {{"aud", "https://oauth2.svc.example/token"}, {"exp", kNow + 300}, {"iat", kNow},
                                 {"iss", "svc@example.com"}, {"jti", scope["uuid"].get<std::string>() + "-1"}, {"n", 7},
                                 {"scope", "read write"}});
  EXPECT_EQ(built.value->jwts[0].signing_input, input);
  EXPECT_EQ(built.value->jwts[0].key_source, "/authorization/acquire/request/form/assertion/jwt/key");
  EXPECT_EQ(built.value->body, "assertion=" + input + "&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer");
}

TEST(Jwt, ClaimsThatSetIatExpJtiKeepThem) {
  Connector c = bearer_grant(R"({"jwt": {"alg": "ES256", "key": "{{connection.private_key}}",
      "claims": {"iat": 5, "jti": "fixed"}}})");
  auto built = build_request(c.authorization.acquire.front().request, service_scope(), std::nullopt);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.value->jwts[0].signing_input,
            jwt_input({{"alg", "ES256"}, {"typ", "JWT"}}, {{"exp", 305}, {"iat", 5}, {"jti", "fixed"}}));
}

TEST(Jwt, RequestValueInJsonBodyAndHeader) {
  Connector c = parsed(R"({"name": "svc", "authorization": {"type": "custom_auth",
      "acquire": {"request": {"method": "POST", "url": "https://svc.example/session",
        "headers": {"X-Assertion": {"jwt": {"alg": "RS256", "key": "{{connection.private_key}}", "claims": {"h": 1}}}},
        "json": {"outer": [{"token": {"jwt": {"alg": "RS256", "key": "{{connection.private_key}}", "claims": {"b": 2}}}}],
                 "plain": "{{connection.key_id}}"}}},
      "apply": [{"headers": {"Authorization": "Bearer {{access_token}}"}}]}})");
  json scope = service_scope();
  auto built = build_request(c.authorization.acquire.front().request, scope, std::nullopt);
  ASSERT_TRUE(built.ok()) << built.errors[0].path << ": " << built.errors[0].message;
  ASSERT_EQ(built.value->jwts.size(), 2u);
  EXPECT_EQ(*built.value->headers.get("X-Assertion"), built.value->jwts[0].signing_input);
  EXPECT_EQ(json::parse(built.value->body),
            json({{"outer", {{{"token", built.value->jwts[1].signing_input}}}}, {"plain", "kk"}}));
  EXPECT_EQ(built.value->jwts[1].key_source, "/authorization/acquire/request/json/outer/0/token/jwt/key");
}

// RFC 7519 §4.1.7: two JWTs of one request never share a jti, so two equal
// `{"jwt"}` values still give two JWTs (and two signing inputs to replace).
TEST(Jwt, EqualValuesInOneRequestGetTheirOwnJti) {
  const std::string value = R"({"jwt": {"alg": "RS256", "key": "{{connection.private_key}}", "claims": {"a": 1}}})";
  Connector c = parsed(R"({"name": "svc", "authorization": {"type": "custom_auth",
      "acquire": {"request": {"method": "POST", "url": "https://svc.example/session",
        "form": {"one": )" + value + R"(, "two": )" + value + R"(}}},
      "apply": [{"headers": {"Authorization": "Bearer {{access_token}}"}}]}})");
  json scope = service_scope();
  auto built = build_request(c.authorization.acquire.front().request, scope, std::nullopt);
  ASSERT_TRUE(built.ok()) << built.errors[0].path << ": " << built.errors[0].message;
  ASSERT_EQ(built.value->jwts.size(), 2u);
  const std::string uuid = scope["uuid"].get<std::string>();
  EXPECT_EQ(built.value->jwts[0].signing_input,
            jwt_input({{"alg", "RS256"}, {"typ", "JWT"}}, {{"a", 1}, {"exp", kNow + 300}, {"iat", kNow}, {"jti", uuid + "-1"}}));
  EXPECT_EQ(built.value->jwts[1].signing_input,
            jwt_input({{"alg", "RS256"}, {"typ", "JWT"}}, {{"a", 1}, {"exp", kNow + 300}, {"iat", kNow}, {"jti", uuid + "-2"}}));
}

TEST(Jwt, DefinitionProblemsAtTheirPointers) {
  auto problems = [](const std::string& jwt) {
    auto c = parse_connector(R"({"name": "svc", "authorization": {"type": "custom_auth",
        "acquire": {"request": {"method": "POST", "url": "https://svc.example/t", "form": {"assertion": )" + jwt +
                             R"(}}}, "apply": [{"headers": {"Authorization": "Bearer {{access_token}}"}}]}})");
    EXPECT_FALSE(c.ok());
    return c.ok() ? Problems{} : c.errors;
  };
  const std::string at = "/authorization/acquire/request/form/assertion/jwt";
  Problems alg = problems(R"({"jwt": {"alg": "HS256", "key": "{{connection.k}}", "claims": {}}})");
  ASSERT_EQ(alg.size(), 1u);
  EXPECT_EQ(alg[0].path, at + "/alg");
  EXPECT_THAT(alg[0].message, HasSubstr("unsupported alg \"HS256\""));
  Problems missing = problems(R"({"jwt": {"alg": "RS256", "claims": {}}})");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].path, at);
  EXPECT_THAT(missing[0].message, HasSubstr("key"));
  Problems claims = problems(R"({"jwt": {"alg": "RS256", "key": "{{connection.k}}", "claims": "x"}})");
  ASSERT_FALSE(claims.empty());
  EXPECT_EQ(claims[0].path, at + "/claims");
  Problems unknown = problems(R"({"jwt": {"alg": "RS256", "key": "{{connection.k}}", "claims": {}, "typ": "x"}})");
  ASSERT_FALSE(unknown.empty());
  EXPECT_EQ(unknown[0].path, at + "/typ");
  Problems syntax = problems(R"({"jwt": {"alg": "RS256", "key": "{{connection.k}}", "claims": {"a": "{{connection.a | bogus}}"}}})");
  ASSERT_FALSE(syntax.empty());
  EXPECT_EQ(syntax[0].path, at + "/claims/a");
}

TEST(Jwt, RenderProblems) {
  Connector c = bearer_grant(kBearerJwt);
  const ConnectorRequest& request = c.authorization.acquire.front().request;
  json scope = service_scope();
  scope["connection"].erase("private_key");
  auto missing = build_request(request, scope, std::nullopt);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.errors[0].path, "/authorization/acquire/request/form/assertion/jwt/key");
  EXPECT_THAT(missing.errors[0].message, HasSubstr("connection.private_key"));

  scope = service_scope();
  scope["connection"]["private_key"] = "-----BEGIN PRIVATE KEY-----\n@@@@\n-----END PRIVATE KEY-----";
  auto malformed = build_request(request, scope, std::nullopt);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.errors[0].path, "/authorization/acquire/request/form/assertion/jwt/key");
  EXPECT_THAT(malformed.errors[0].message, HasSubstr("malformed PEM"));

  // iat and jti are the host's: without a stamp no JWT is built.
  json unstamped = make_scope(json{{"connection", service_scope()["connection"]}});
  auto no_stamp = build_request(request, unstamped, std::nullopt);
  ASSERT_FALSE(no_stamp.ok());
  EXPECT_EQ(no_stamp.errors[0].path, "/authorization/acquire/request/form/assertion");
  EXPECT_THAT(no_stamp.errors[0].message, HasSubstr("stamp"));
}

TEST(Jwt, TestRequestWithAJwtIsNotSignedByAnApplyRule) {
  Connector c = parsed(R"({"name": "svc", "connection": {"base_uri": "https://svc.example/"},
      "authorization": {"type": "api_key", "apply": [{"sign": "oauth1"}]},
      "test": {"method": "GET", "url": "me", "headers": {"X-Assertion": {"jwt": {"alg": "RS256",
          "key": "{{connection.private_key}}", "claims": {}}}}}})");
  auto built = build_test_request(c, c.authorization, service_scope(), Stamp{kNow, std::string(kStampRandomBytes, '\x2a')});
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.errors[0].path, "/test");
  EXPECT_THAT(built.errors[0].message, HasSubstr("signs requests"));
}

}  // namespace
}  // namespace connauth
