#include "connection_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scope.h"

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::Pair;
using Outcome = TestVerdict::Outcome;

Connector parse(const std::string& authorization, const std::string& test = R"({"method": "GET", "url": "me"})") {
  std::string text = R"({"name": "acme", "connection": {"fields": [{"name": "key", "optional": true}],
      "base_uri": "https://api.acme.example/v1/"}, "authorization": )" + authorization;
  if (!test.empty()) text += R"(, "test": )" + test;
  auto parsed = parse_connector(text + "}");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors[0].path + ": " + parsed.errors[0].message);
  return parsed.ok() ? *parsed.value : Connector{};
}

const char* const kApiKey = R"({"type": "api_key", "apply": [{"headers": {"X-Api-Key": "{{connection.key}}"}}],
    "detect_on": [{"regex": "invalid api key", "flags": "i"}]})";
const char* const kOAuth2 = R"({"type": "oauth2", "authorization_url": "https://a.example/authorize",
    "token_url": "https://a.example/token"})";

HttpResponse response(int status, std::string body = "") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(ConnectionCheck, TestRequestIsAbsoluteAndAuthorized) {
  Connector c = parse(kApiKey);
  auto request = build_test_request(c, c.authorization, make_scope(json{{"connection", {{"key", "k-1"}}}}));
  ASSERT_TRUE(request.ok());
  ASSERT_TRUE(request.value->has_value());
  EXPECT_EQ((*request.value)->method, "GET");
  EXPECT_EQ((*request.value)->url, "https://api.acme.example/v1/me");
  EXPECT_THAT((*request.value)->headers.entries(), ElementsAre(Pair("X-Api-Key", "k-1")));
}

TEST(ConnectionCheck, OAuth2TestCarriesTheBearerToken) {
  Connector c = parse(kOAuth2);
  auto request = build_test_request(c, c.authorization, make_scope(json{{"connection", {{"access_token", "at"}}}}));
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(*(*request.value)->headers.get("Authorization"), "Bearer at");
}

TEST(ConnectionCheck, MissingCredentialIsAProblem) {
  Connector c = parse(kApiKey);
  auto request = build_test_request(c, c.authorization, make_scope(json{{"connection", json::object()}}));
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.errors[0].path, "/authorization/apply/0/headers/X-Api-Key");
}

TEST(ConnectionCheck, NoTestNothingToCheck) {
  Connector c = parse(kApiKey, "");
  auto request = build_test_request(c, c.authorization, json::object());
  ASSERT_TRUE(request.ok());
  EXPECT_FALSE(request.value->has_value());
}

TEST(ConnectionCheck, VerdictTable) {
  Connector api_key = parse(kApiKey);
  Connector oauth = parse(kOAuth2);
  Connector no_refresh = parse(R"({"type": "oauth2", "authorization_url": "https://a.example/authorize",
      "token_url": "https://a.example/token", "refresh": false})");
  struct Case {
    const Connector* connector;
    int status;
    std::string body;
    bool refreshed;
    Outcome outcome;
    std::optional<Cause> cause;
    std::string detail;
  };
  const Case cases[] = {
      {&api_key, 200, "{}", false, Outcome::Ok, std::nullopt, ""},
      {&api_key, 204, "", false, Outcome::Ok, std::nullopt, ""},
      {&api_key, 503, "", false, Outcome::Failed, Cause::ProviderUnavailable, "the test answered HTTP 503"},
      {&oauth, 429, "", false, Outcome::Failed, Cause::ProviderUnavailable, "the test answered HTTP 429"},
      {&api_key, 401, "", false, Outcome::Failed, Cause::CredentialsRejected, "the test answered HTTP 401"},
      {&api_key, 200, "Invalid API key", false, Outcome::Failed, Cause::CredentialsRejected,
       "the test answered HTTP 200 matching /authorization/detect_on/0"},
      {&api_key, 404, "", false, Outcome::Failed, Cause::ConnectorError, "the test answered HTTP 404"},
      {&oauth, 401, "", false, Outcome::Refresh, std::nullopt, "the test answered HTTP 401"},
      {&oauth, 401, "", true, Outcome::Failed, Cause::AuthorizationRevoked, "the test answered HTTP 401"},
      {&oauth, 403, "", true, Outcome::Failed, Cause::AuthorizationRevoked, "the test answered HTTP 403"},
      {&oauth, 404, "", true, Outcome::Failed, Cause::ConnectorError, "the test answered HTTP 404"},
      {&no_refresh, 401, "", false, Outcome::Failed, Cause::AuthorizationRevoked, "the test answered HTTP 401"},
  };
  for (const auto& c : cases) {
    TestVerdict v = read_test_response(c.connector->authorization, response(c.status, c.body), c.refreshed);
    EXPECT_EQ(v.outcome, c.outcome) << c.status << " " << c.body << " refreshed=" << c.refreshed;
    EXPECT_EQ(v.cause, c.cause) << c.status << " " << c.body;
    EXPECT_EQ(v.detail, c.detail) << c.status << " " << c.body;
  }
}

TEST(ConnectionCheck, CanRefresh) {
  EXPECT_TRUE(can_refresh(parse(kOAuth2).authorization));
  EXPECT_FALSE(can_refresh(parse(kApiKey).authorization));
  EXPECT_FALSE(can_refresh(parse(R"({"type": "basic_auth"})").authorization));
  EXPECT_TRUE(can_refresh(parse(R"({"type": "custom_auth", "acquire": {"request": {"url": "login"}},
      "apply": [{"headers": {"X-Key": "{{connection.key}}"}}]})").authorization));
}

}  // namespace
}  // namespace connauth
