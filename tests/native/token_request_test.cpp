#include "token_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scope.h"

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::Pair;

Connector connector(const std::string& oauth2_extra) {
  auto parsed = parse_connector(std::string(R"({"name": "acme", "authorization": {"type": "oauth2",
      "authorization_url": "https://auth.acme.example/authorize",
      "token_url": "https://auth.acme.example/token")") + oauth2_extra + "}}");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors[0].path + ": " + parsed.errors[0].message);
  return parsed.ok() ? *parsed.value : Connector{};
}

json scope_with(const std::string& client_id, const std::optional<std::string>& secret) {
  json app = {{"client_id", client_id}};
  if (secret) app["client_secret"] = *secret;
  return make_scope(json{{"app", app}, {"connection", json::object()}});
}

const QueryParams kGrant = {{"grant_type", "refresh_token"}, {"refresh_token", "rt/1"}};

TEST(TokenRequest, BodyClientAuthenticationIsTheDefault) {
  Connector c = connector("");
  auto built = build_token_request(c.authorization, scope_with("my client", "top secret"), kGrant, std::nullopt);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.value->method, "POST");
  EXPECT_EQ(built.value->url, "https://auth.acme.example/token");
  EXPECT_EQ(built.value->body,
            "grant_type=refresh_token&refresh_token=rt%2F1&client_id=my+client&client_secret=top+secret");
  EXPECT_THAT(built.value->headers.entries(),
              ElementsAre(Pair("Accept", "application/json"),
                          Pair("Content-Type", "application/x-www-form-urlencoded")));
}

TEST(TokenRequest, BasicClientAuthenticationFormEncodesBeforeBase64) {
  Connector c = connector(R"(, "client_auth": "basic")");
  auto built = build_token_request(c.authorization, scope_with("client:1/é", "s&c r+t"), kGrant, std::nullopt);
  ASSERT_TRUE(built.ok());
  // base64("client%3A1%2F%C3%A9:s%26c+r%2Bt") — RFC 6749 §2.3.1.
  EXPECT_EQ(*built.value->headers.get("Authorization"), "Basic Y2xpZW50JTNBMSUyRiVDMyVBOTpzJTI2YytyJTJCdA==");
  EXPECT_EQ(built.value->body, "grant_type=refresh_token&refresh_token=rt%2F1");
}

TEST(TokenRequest, ClientBasicAuthorizationOfPlainValues) {
  EXPECT_EQ(client_basic_authorization("my client", "top secret"), "Basic bXkrY2xpZW50OnRvcCtzZWNyZXQ=");
}

TEST(TokenRequest, JsonTokenFormat) {
  Connector c = connector(R"(, "token_format": "json", "token_params": {"audience": "api://{{connection.tenant}}"})");
  json scope = make_scope(json{{"app", {{"client_id", "cid"}, {"client_secret", "cs"}}},
                               {"connection", {{"tenant", "t1"}}}});
  auto built = build_token_request(c.authorization, scope, kGrant, std::nullopt);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.value->body,
            R"({"grant_type":"refresh_token","refresh_token":"rt/1","audience":"api://t1","client_id":"cid","client_secret":"cs"})");
  EXPECT_EQ(*built.value->headers.get("Content-Type"), "application/json");
}

TEST(TokenRequest, TokenParamsDoNotDuplicateGrantOrClientParams) {
  Connector c = connector(R"(, "token_params": {"client_id": "override", "resource": "r"})");
  auto built = build_token_request(c.authorization, scope_with("cid", "cs"), kGrant, std::nullopt);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.value->body, "grant_type=refresh_token&refresh_token=rt%2F1&client_id=override&resource=r&client_secret=cs");
}

TEST(TokenRequest, PublicClientSendsOnlyItsId) {
  for (const char* auth : {"", R"(, "client_auth": "basic")"}) {
    Connector c = connector(auth);
    auto built = build_token_request(c.authorization, scope_with("cid", std::nullopt), kGrant, std::nullopt);
    ASSERT_TRUE(built.ok());
    EXPECT_EQ(built.value->body, "grant_type=refresh_token&refresh_token=rt%2F1&client_id=cid");
    EXPECT_EQ(built.value->headers.get("Authorization"), nullptr);
  }
}

TEST(TokenRequest, MissingClientIdOrConnectorSecretIsAProblem) {
  Connector c = connector(R"(, "client_secret": "{{connection.secret}}")");
  auto built = build_token_request(c.authorization, make_scope(json{{"connection", json::object()}}), kGrant,
                                   std::nullopt);
  ASSERT_FALSE(built.ok());
  ASSERT_EQ(built.errors.size(), 2u);
  EXPECT_EQ(built.errors[0].path, "/authorization/client_id");
  EXPECT_EQ(built.errors[1].path, "/authorization/client_secret");
}

TEST(TokenRequest, RelativeTokenUrlUsesBaseUri) {
  auto parsed = parse_connector(std::string(R"({"name": "acme",
      "connection": {"fields": [{"name": "host"}], "base_uri": "https://{{connection.host}}/"},
      "authorization": {"type": "oauth2", "authorization_url": "https://a.example/authorize", "token_url": "oauth/token"}})"));
  if (!parsed.ok()) GTEST_SKIP() << "connector validation refuses a relative token_url: " << parsed.errors[0].message;
  json scope = make_scope(json{{"app", {{"client_id", "c"}, {"client_secret", "s"}}}, {"connection", {{"host", "h.example"}}}});
  auto built = build_token_request(parsed.value->authorization, scope, kGrant, parsed.value->base_uri);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.value->url, "https://h.example/oauth/token");
}

TEST(TokenRequest, NoTokenUrl) {
  Authorization auth;
  auth.where = "/authorization";
  auth.type = AuthType::OAuth2;
  auto built = build_token_request(auth, json::object(), kGrant, std::nullopt);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.errors[0].path, "/authorization");
  EXPECT_EQ(built.errors[0].message, "has no token_url, so no token can be requested; add token_url");
}

// ---- RFC 7009 revocation ----------------------------------------------------------

json tokens_scope(json connection) {
  return make_scope(json{{"app", {{"client_id", "cid"}, {"client_secret", "cs"}}}, {"connection", std::move(connection)}});
}

TEST(RevocationRequest, RevokesTheRefreshTokenWithBodyClientAuthentication) {
  Connector c = connector(R"(, "revocation_url": "https://auth.acme.example/revoke")");
  auto built = build_revocation_request(c.authorization, tokens_scope({{"access_token", "at"}, {"refresh_token", "rt/1"}}),
                                        std::nullopt);
  ASSERT_TRUE(built.ok());
  ASSERT_TRUE(*built.value);
  const HttpRequest& request = **built.value;
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://auth.acme.example/revoke");
  EXPECT_EQ(request.body, "token=rt%2F1&token_type_hint=refresh_token&client_id=cid&client_secret=cs");
  EXPECT_EQ(*request.headers.get("Content-Type"), "application/x-www-form-urlencoded");
}

TEST(RevocationRequest, AccessTokenWhenThereIsNoRefreshTokenAndBasicLikeTheTokenEndpoint) {
  // token_format and token_params are the token endpoint's: RFC 7009 §2.1 is form-encoded.
  Connector c = connector(R"(, "revocation_url": "https://auth.acme.example/revoke", "client_auth": "basic",
                             "token_format": "json", "token_params": {"audience": "x"})");
  auto built = build_revocation_request(c.authorization, tokens_scope({{"access_token", "at"}, {"refresh_token", ""}}),
                                        std::nullopt);
  ASSERT_TRUE(built.ok());
  ASSERT_TRUE(*built.value);
  EXPECT_EQ((*built.value)->body, "token=at&token_type_hint=access_token");
  EXPECT_EQ(*(*built.value)->headers.get("Authorization"), "Basic Y2lkOmNz");
  EXPECT_EQ(*(*built.value)->headers.get("Content-Type"), "application/x-www-form-urlencoded");
}

// A gateway in front of a private token endpoint (docs/on-premise.md): its
// service token goes on the code exchange, the refresh and the revocation.
constexpr const char* kGatewayHeaders = R"(, "client_auth": "basic",
    "revocation_url": "https://auth.acme.example/revoke",
    "token_headers": {"CF-Access-Client-Id": "{{connection.access_id}}",
                      "CF-Access-Client-Secret": "{{connection.access_secret}}"})";

TEST(TokenHeaders, GoOnTheTokenAndRevocationRequestsBesideClientAuthentication) {
  Connector c = connector(kGatewayHeaders);
  json scope = tokens_scope({{"access_id", "id.access"}, {"access_secret", "s3cret"}, {"refresh_token", "rt"}});
  auto token = build_token_request(c.authorization, scope, kGrant, std::nullopt);
  ASSERT_TRUE(token.ok());
  EXPECT_THAT(token.value->headers.entries(),
              ElementsAre(Pair("CF-Access-Client-Id", "id.access"), Pair("CF-Access-Client-Secret", "s3cret"),
                          Pair("Authorization", "Basic Y2lkOmNz"), Pair("Accept", "application/json"),
                          Pair("Content-Type", "application/x-www-form-urlencoded")));
  auto revocation = build_revocation_request(c.authorization, scope, std::nullopt);
  ASSERT_TRUE(revocation.ok());
  ASSERT_TRUE(*revocation.value);
  EXPECT_EQ(*(*revocation.value)->headers.get("CF-Access-Client-Id"), "id.access");
  EXPECT_EQ(*(*revocation.value)->headers.get("CF-Access-Client-Secret"), "s3cret");
}

TEST(TokenHeaders, AMissingValueOrALineBreakStopsTheRequestWithoutQuotingIt) {
  Connector c = connector(kGatewayHeaders);
  auto missing = build_token_request(c.authorization, tokens_scope({{"access_id", "id"}}), kGrant, std::nullopt);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.errors[0].path, "/authorization/token_headers/CF-Access-Client-Secret");
  auto broken = build_token_request(c.authorization, tokens_scope({{"access_id", "id"}, {"access_secret", "s3\r\nX: y"}}),
                                    kGrant, std::nullopt);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.errors[0].path, "/authorization/token_headers/CF-Access-Client-Secret");
  EXPECT_EQ(broken.errors[0].message.find("s3"), std::string::npos) << broken.errors[0].message;
}

TEST(RevocationRequest, NothingToRevoke) {
  Connector without_url = connector("");
  auto none = build_revocation_request(without_url.authorization, tokens_scope({{"access_token", "at"}}), std::nullopt);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none.value);
  Connector with_url = connector(R"(, "revocation_url": "https://auth.acme.example/revoke")");
  auto no_token = build_revocation_request(with_url.authorization, tokens_scope(json::object()), std::nullopt);
  ASSERT_TRUE(no_token.ok());
  EXPECT_FALSE(*no_token.value);
}

TEST(RevocationRequest, MissingValuesAreProblems) {
  Connector c = connector(R"(, "revocation_url": "https://{{connection.host}}/revoke")");
  auto built = build_revocation_request(c.authorization,
                                        make_scope(json{{"connection", {{"refresh_token", "rt"}}}}), std::nullopt);
  ASSERT_FALSE(built.ok());
  ASSERT_EQ(built.errors.size(), 2u);
  EXPECT_EQ(built.errors[0].path, "/authorization/revocation_url");
  EXPECT_EQ(built.errors[1].path, "/authorization/client_id");
}

}  // namespace
}  // namespace connauth
