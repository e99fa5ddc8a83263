#include "token_response.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1700000000;

HttpResponse response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.add("Content-Type", "application/json");
  return r;
}

TokenReading reading(TokenGrant grant = TokenGrant::AuthorizationCode,
                     std::optional<int64_t> default_expires_in = std::nullopt) {
  TokenReading r;
  r.grant = grant;
  r.default_expires_in = default_expires_in;
  return r;
}

Template tmpl(const std::string& source, const std::string& where = "/t") {
  auto parsed = Template::parse(source, where);
  EXPECT_TRUE(parsed.ok()) << source;
  return parsed.ok() ? *parsed.value : Template::literal("");
}

// ---- success ------------------------------------------------------------------

TEST(TokenResponse, StandardSuccess) {
  auto r = read_token_response(
      response(200, R"({"access_token":"at-1","token_type":"Bearer","refresh_token":"rt-1","expires_in":3600})"),
      reading());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.tokens->access_token, "at-1");
  EXPECT_EQ(r.tokens->refresh_token, "rt-1");
  EXPECT_EQ(r.tokens->expires_in, 3600);
  EXPECT_TRUE(r.tokens->warnings.empty());
  EXPECT_FALSE(r.failure.has_value());
}

TEST(TokenResponse, AnyTwoHundredStatusIsASuccess) {
  EXPECT_TRUE(read_token_response(response(201, R"({"access_token":"a"})"), reading()).ok());
}

TEST(TokenResponse, NullOrEmptyErrorNextToATokenIsNoError) {
  EXPECT_TRUE(read_token_response(response(200, R"({"access_token":"a","error":null})"), reading()).ok());
  EXPECT_TRUE(read_token_response(response(200, R"({"access_token":"a","error":""})"), reading()).ok());
}

TEST(TokenResponse, ExpiresInAsNumericString) {
  auto r = read_token_response(response(200, R"({"access_token":"a","expires_in":"7200"})"), reading());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.tokens->expires_in, 7200);
  EXPECT_TRUE(r.tokens->warnings.empty());
}

TEST(TokenResponse, MissingExpiresInUsesTheAppDefault) {
  auto r = read_token_response(response(200, R"({"access_token":"a"})"), reading(TokenGrant::AuthorizationCode, 1800));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.tokens->expires_in, 1800);
  EXPECT_TRUE(r.tokens->warnings.empty());
}

TEST(TokenResponse, MissingExpiresInWithoutDefaultIsUnknown) {
  auto r = read_token_response(response(200, R"({"access_token":"a","expires_in":null})"), reading());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.tokens->expires_in, std::nullopt);
  EXPECT_TRUE(r.tokens->warnings.empty());
  EXPECT_EQ(r.tokens->refresh_token, std::nullopt);
}

TEST(TokenResponse, UnusableExpiresInIsReportedAndTreatedAsMissing) {
  auto r = read_token_response(response(200, R"({"access_token":"a","expires_in":"soon"})"), reading());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.tokens->expires_in, std::nullopt);
  EXPECT_THAT(r.tokens->warnings,
              ElementsAre("expires_in \"soon\" is not a number of seconds; the expiry is unknown, so the "
                          "token is refreshed on signals only"));

  auto with_default = read_token_response(response(200, R"({"access_token":"a","expires_in":-5})"),
                                          reading(TokenGrant::AuthorizationCode, 900));
  ASSERT_TRUE(with_default.ok());
  EXPECT_EQ(with_default.tokens->expires_in, 900);
  EXPECT_THAT(with_default.tokens->warnings,
              ElementsAre("expires_in -5 is negative; the app's default lifetime applies"));
}

TEST(TokenResponse, ReadExpiresInTable) {
  struct Case {
    json value;
    std::optional<int64_t> seconds;
    std::string warning;
  };
  const Case cases[] = {
      {json(3600), 3600, ""},
      {json(0), 0, ""},
      {json(3599.9), 3599, ""},
      {json(3600.0), 3600, ""},
      {json("3600"), 3600, ""},
      {json("0003600"), 3600, ""},
      {json("3600.75"), 3600, ""},
      {json("-0"), 0, ""},
      {json(nullptr), std::nullopt, ""},
      {json(-1), std::nullopt, "expires_in -1 is negative"},
      {json(-0.5), std::nullopt, "expires_in -0.5 is negative"},
      {json("-60"), std::nullopt, "expires_in \"-60\" is negative"},
      {json(" 60"), std::nullopt, "expires_in \" 60\" is not a number of seconds"},
      {json("60s"), std::nullopt, "expires_in \"60s\" is not a number of seconds"},
      {json("1e3"), std::nullopt, "expires_in \"1e3\" is not a number of seconds"},
      {json("Infinity"), std::nullopt, "expires_in \"Infinity\" is not a number of seconds"},
      {json("NaN"), std::nullopt, "expires_in \"NaN\" is not a number of seconds"},
      {json(""), std::nullopt, "expires_in \"\" is not a number of seconds"},
      {json("."), std::nullopt, "expires_in \".\" is not a number of seconds"},
      {json("12."), std::nullopt, "expires_in \"12.\" is not a number of seconds"},
      {json(true), std::nullopt, "expires_in true is not a number of seconds"},
      {json::object(), std::nullopt, "expires_in {} is not a number of seconds"},
      {json(std::numeric_limits<double>::infinity()), std::nullopt, "expires_in null is not finite"},
      {json(1e300), std::nullopt, "expires_in 1e+300 is out of range (over 100 years)"},
      {json(18446744073709551615ull), std::nullopt,
       "expires_in 18446744073709551615 is out of range (over 100 years)"},
      {json("99999999999999999999"), std::nullopt,
       "expires_in \"99999999999999999999\" is out of range (over 100 years)"},
      {json(int64_t(3153600000)), 3153600000, ""},
      {json(int64_t(3153600001)), std::nullopt, "expires_in 3153600001 is out of range (over 100 years)"},
  };
  for (const auto& c : cases) {
    std::string warning = "stale";
    EXPECT_EQ(read_expires_in(c.value, warning), c.seconds) << c.value.dump();
    EXPECT_EQ(warning, c.warning) << c.value.dump();
  }
}

TEST(TokenResponse, NonStringRefreshTokenIsIgnoredWithAWarning) {
  auto r = read_token_response(response(200, R"({"access_token":"a","refresh_token":42})"), reading());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.tokens->refresh_token, std::nullopt);
  EXPECT_THAT(r.tokens->warnings, ElementsAre("refresh_token is not a string; it is ignored"));
}

// ---- failures -----------------------------------------------------------------

TEST(TokenResponse, GithubBadVerificationCodeWith200IsAnError) {
  auto r = read_token_response(
      response(200, R"({"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs.github.com"})"),
      reading());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->cause, Cause::AuthorizationRevoked);
  EXPECT_EQ(r.failure->error, "bad_verification_code");
  EXPECT_EQ(r.failure->description, "The code passed is incorrect or expired.");
  EXPECT_EQ(r.failure->status, 200);
  EXPECT_EQ(r.failure->error_uri, "https://docs.github.com");
  EXPECT_EQ(r.failure->detail(), "bad_verification_code (HTTP 200): The code passed is incorrect or expired.");
}

TEST(TokenResponse, ErrorMemberWinsOverAToken) {
  auto r = read_token_response(response(200, R"({"access_token":"a","error":"invalid_grant"})"), reading());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->error, "invalid_grant");
}

TEST(TokenResponse, Rfc6749ErrorBody) {
  auto r = read_token_response(
      response(400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})"),
      reading(TokenGrant::RefreshToken));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->cause, Cause::AuthorizationRevoked);
  EXPECT_EQ(r.failure->detail(), "invalid_grant (HTTP 400): Token has been expired or revoked.");
}

TEST(TokenResponse, InvalidClientIsAnAdminProblem) {
  auto r = read_token_response(response(401, R"({"error":"invalid_client"})"), reading());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->cause, Cause::ClientMisconfigured);
  EXPECT_EQ(r.failure->detail(), "invalid_client (HTTP 401)");
}

TEST(TokenResponse, ServerErrorsAreTransient) {
  auto r = read_token_response(response(503, "<html>maintenance</html>"), reading());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->cause, Cause::ProviderUnavailable);
  EXPECT_EQ(r.failure->error, "unexpected_status");
  EXPECT_EQ(r.failure->detail(), "unexpected_status (HTTP 503): the token endpoint answered HTTP 503");
  EXPECT_EQ(read_token_response(response(429, ""), reading()).failure->cause, Cause::ProviderUnavailable);
}

TEST(TokenResponse, NonJsonSuccessIsMalformed) {
  auto r = read_token_response(response(200, "access_token=a&token_type=bearer"), reading());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->cause, Cause::ConnectorError);
  EXPECT_EQ(r.failure->error, "malformed_response");
  EXPECT_EQ(r.failure->detail(), "malformed_response (HTTP 200): the token response is not a JSON object (RFC 6749 §5.1)");
  EXPECT_EQ(read_token_response(response(200, "[1]"), reading()).failure->error, "malformed_response");
}

TEST(TokenResponse, MissingOrNonStringAccessToken) {
  for (const char* body : {R"({})", R"({"access_token":7})", R"({"access_token":""})", R"({"access_token":null})"}) {
    auto r = read_token_response(response(200, body), reading());
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.failure->cause, Cause::ConnectorError);
    EXPECT_EQ(r.failure->error, "missing_access_token");
  }
}

TEST(TokenResponse, ProviderDescriptionIsSanitisedAndBounded) {
  std::string long_text(400, 'x');
  auto r = read_token_response(
      response(400, R"({"error":"invalid_request\n","error_description":"line\r\nbreak )" + long_text + R"("})"),
      reading());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->error, "invalid_request");
  EXPECT_EQ(r.failure->description.size(), 303u);
  EXPECT_EQ(r.failure->description.substr(0, 12), "linebreak xx");
  EXPECT_EQ(r.failure->description.substr(300), "...");
}

TEST(TokenResponse, ClassificationTable) {
  using G = TokenGrant;
  struct Case {
    int status;
    const char* error;
    G grant;
    Cause cause;
  };
  const Case cases[] = {
      {400, "invalid_grant", G::AuthorizationCode, Cause::AuthorizationRevoked},
      {401, "invalid_grant", G::RefreshToken, Cause::AuthorizationRevoked},
      {400, "access_denied", G::Credentials, Cause::AuthorizationRevoked},
      {200, "bad_refresh_token", G::RefreshToken, Cause::AuthorizationRevoked},
      {200, "invalid_refresh_token", G::RefreshToken, Cause::AuthorizationRevoked},  // Slack
      {200, "invalid_code", G::RefreshToken, Cause::AuthorizationRevoked},           // Zoho, Slack
      {200, "incorrect_client_credentials", G::AuthorizationCode, Cause::ClientMisconfigured},  // GitHub
      {200, "bad_client_secret", G::RefreshToken, Cause::ClientMisconfigured},       // Slack
      {401, "invalid_client", G::RefreshToken, Cause::ClientMisconfigured},
      {400, "unauthorized_client", G::AuthorizationCode, Cause::ClientMisconfigured},
      {400, "temporarily_unavailable", G::AuthorizationCode, Cause::ProviderUnavailable},
      {500, "invalid_grant", G::RefreshToken, Cause::ProviderUnavailable},
      {429, "", G::Credentials, Cause::ProviderUnavailable},
      {502, "", G::AuthorizationCode, Cause::ProviderUnavailable},
      {400, "invalid_request", G::RefreshToken, Cause::ConnectorError},
      {400, "invalid_scope", G::AuthorizationCode, Cause::ConnectorError},
      {400, "unsupported_grant_type", G::RefreshToken, Cause::ConnectorError},
      // no OAuth code: the grant decides
      {400, "", G::RefreshToken, Cause::AuthorizationRevoked},
      {401, "", G::RefreshToken, Cause::AuthorizationRevoked},
      {403, "", G::RefreshToken, Cause::AuthorizationRevoked},
      {401, "", G::Credentials, Cause::CredentialsRejected},
      {403, "", G::Credentials, Cause::CredentialsRejected},
      {400, "", G::Credentials, Cause::ConnectorError},
      {401, "", G::AuthorizationCode, Cause::ClientMisconfigured},
      {403, "", G::AuthorizationCode, Cause::ConnectorError},
      {404, "", G::RefreshToken, Cause::ConnectorError},
      {302, "", G::AuthorizationCode, Cause::ConnectorError},
  };
  for (const auto& c : cases)
    EXPECT_EQ(classify_token_failure(c.status, c.error, c.grant), c.cause) << c.status << " " << c.error;
}

TEST(TokenResponse, UnreachableIsTransient) {
  TokenFailure f = unreachable_failure("timeout after 10 s");
  EXPECT_EQ(f.cause, Cause::ProviderUnavailable);
  EXPECT_EQ(f.detail(), "unreachable: timeout after 10 s");
  EXPECT_EQ(unreachable_failure("").detail(), "unreachable: the provider could not be reached");
}

TEST(TokenResponse, FailuresNeverQuoteTokens) {
  auto r = read_token_response(response(200, R"({"access_token":"SECRET-AT","error":"invalid_grant"})"), reading());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.failure->detail(), Not(HasSubstr("SECRET")));
}

// ---- steps (acquire / custom refresh) -----------------------------------------

Step session_step() {
  Step step;
  step.where = "/authorization/acquire";
  step.tokens.access_token = tmpl("{{response.data.token}}", "/authorization/acquire/tokens/access_token");
  step.tokens.expires_in = tmpl("{{response.data.ttl}}", "/authorization/acquire/tokens/expires_in");
  step.owner_id = tmpl("{{response.user.id}}", "/authorization/acquire/owner_id");
  step.merge = {{"instance_url", tmpl("https://{{response.instance}}.example", "/authorization/acquire/merge/instance_url")},
                {"session", tmpl("{{response_headers.x-session}}", "/authorization/acquire/merge/session")}};
  return step;
}

TEST(TokenResponse, StepMappingReadsTokensOwnerAndMerge) {
  HttpResponse r = response(200, R"({"data":{"token":"tok","ttl":"600"},"user":{"id":42},"instance":"eu3"})");
  r.headers.add("X-Session", "s-1");
  auto read = read_step_response(r, session_step(), json::object(), reading(TokenGrant::Credentials));
  ASSERT_TRUE(read.ok()) << read.failure->detail();
  EXPECT_EQ(read.tokens->access_token, "tok");
  EXPECT_EQ(read.tokens->expires_in, 600);
  EXPECT_EQ(read.tokens->refresh_token, std::nullopt);
  EXPECT_EQ(read.tokens->owner_id, "42");
  EXPECT_EQ(read.tokens->merge, json::parse(R"({"instance_url":"https://eu3.example","session":"s-1"})"));
}

TEST(TokenResponse, StepWithoutMappingUsesStandardNames) {
  Step step;
  step.where = "/authorization/acquire";
  auto read = read_step_response(response(200, R"({"access_token":"a","refresh_token":"r","expires_in":60})"), step,
                                 json::object(), reading());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.tokens->access_token, "a");
  EXPECT_EQ(read.tokens->refresh_token, "r");
  EXPECT_EQ(read.tokens->expires_in, 60);
}

TEST(TokenResponse, StepMissingMappedAccessTokenNamesThePointer) {
  auto read = read_step_response(response(200, R"({"data":{}})"), session_step(), json::object(),
                                 reading(TokenGrant::Credentials));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.failure->cause, Cause::ConnectorError);
  EXPECT_EQ(read.failure->detail(),
            "missing_access_token (HTTP 200): the response gave no access token where "
            "/authorization/acquire/tokens/access_token looks for it");
}

TEST(TokenResponse, StepWithTokensFalseYieldsOnlyMergeValues) {
  Step step;
  step.where = "/authorization/acquire";
  step.yields_tokens = false;
  step.merge = {{"session_id", tmpl("{{response}}", "/authorization/acquire/merge/session_id")}};
  TokenReading how = reading(TokenGrant::Credentials);
  how.access_token_required = false;
  auto read = read_step_response(response(200, "plain-session-id"), step, json::object(), how);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.tokens->access_token, "");
  EXPECT_EQ(read.tokens->merge, json::parse(R"({"session_id":"plain-session-id"})"));
}

// A step that yields tokens (no "tokens": false) exists to obtain the access
// token, merge values or not: a 2xx without one must not pass as a success
// (a re-acquire would keep the stale token, a connect would store none).
TEST(TokenResponse, StepYieldingTokensNeedsAnAccessToken) {
  Step step;
  step.where = "/authorization/acquire";
  TokenReading how = reading(TokenGrant::Credentials);
  how.access_token_required = false;  // custom_auth: the step decides
  for (bool merges : {false, true}) {
    if (merges) step.merge = {{"region", tmpl("eu", "/authorization/acquire/merge/region")}};
    for (const char* body : {R"({"token_type":"bearer"})", R"({"access_token":""})", "OK"}) {
      auto read = read_step_response(response(200, body), step, json::object(), how);
      ASSERT_FALSE(read.ok()) << body;
      EXPECT_EQ(read.failure->cause, Cause::ConnectorError);
      EXPECT_EQ(read.failure->detail(),
                "missing_access_token (HTTP 200): the answer to /authorization/acquire has no response.access_token "
                "and the step maps no other name for it (tokens), so it obtained no credentials; a step that only "
                "merges values says \"tokens\": false");
    }
  }
  auto good = read_step_response(response(200, R"({"access_token":"a"})"), step, json::object(), how);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.tokens->access_token, "a");
}

TEST(TokenResponse, StepMissingMergeValueIsAConnectorError) {
  HttpResponse r = response(200, R"({"data":{"token":"tok"},"user":{"id":1}})");
  auto read = read_step_response(r, session_step(), json::object(), reading(TokenGrant::Credentials));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.failure->error, "missing_value");
  EXPECT_THAT(read.failure->description, HasSubstr("/authorization/acquire/merge/instance_url: no value for `response.instance`"));
}

TEST(TokenResponse, StepMissingOwnerIdIsAConnectorError) {
  auto read = read_step_response(response(200, R"({"data":{"token":"tok"},"instance":"x"})"), session_step(),
                                 json::object(), reading(TokenGrant::Credentials));
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.failure->description, HasSubstr("/authorization/acquire/owner_id: no value for `response.user.id`"));
}

TEST(TokenResponse, StepRejectedCredentials) {
  auto read = read_step_response(response(401, "Unauthorized"), session_step(), json::object(),
                                 reading(TokenGrant::Credentials));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.failure->cause, Cause::CredentialsRejected);
  EXPECT_EQ(read.failure->detail(), "unexpected_status (HTTP 401): the token endpoint answered HTTP 401");
}

TEST(TokenResponse, StepTemplatesSeeTheCallerScope) {
  Step step;
  step.where = "/authorization/refresh";
  step.tokens.access_token = tmpl("{{response.t}}");
  step.merge = {{"region", tmpl("{{connection.region}}-{{status}}")}};
  auto read = read_step_response(response(200, R"({"t":"x"})"), step, json::parse(R"({"connection":{"region":"eu"}})"),
                                 reading(TokenGrant::RefreshToken));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.tokens->merge["region"], "eu-200");
}

TEST(TokenResponse, ResponseScope) {
  HttpResponse r = response(202, R"({"a":1})");
  r.headers.add("Set-Cookie", "a=1");
  r.headers.add("set-cookie", "b=2");
  json s = response_scope(json::parse(R"({"client_id":"c"})"), r);
  EXPECT_EQ(s, json::parse(R"({"client_id":"c","response":{"a":1},"status":202,
    "response_headers":{"content-type":"application/json","set-cookie":"a=1, b=2"}})"));
  EXPECT_EQ(response_scope(json(nullptr), response(200, "text"))["response"], "text");
}

// ---- storing ------------------------------------------------------------------

TEST(TokenResponse, StoreTokensForANewGrant) {
  TokenSet t;
  t.access_token = "at-2";
  t.expires_in = 3600;
  t.merge = {{"instance", "eu"}};
  json stored = store_tokens(json::parse(R"({"subdomain":"acme","refresh_token":"old-rt","expires_at":5})"), t, kNow,
                             TokenStore::NewGrant);
  EXPECT_EQ(stored, json::parse(R"({"subdomain":"acme","access_token":"at-2","expires_at":1700003600,"instance":"eu"})"));
}

TEST(TokenResponse, StoreTokensForARefreshKeepsTheOldRefreshToken) {
  TokenSet t;
  t.access_token = "at-2";
  json stored = store_tokens(json::parse(R"({"access_token":"at-1","refresh_token":"rt-1","expires_at":5})"), t, kNow,
                             TokenStore::Refresh);
  EXPECT_EQ(stored, json::parse(R"({"access_token":"at-2","refresh_token":"rt-1"})"));
  t.refresh_token = "rt-2";
  stored = store_tokens(stored, t, kNow, TokenStore::Refresh);
  EXPECT_EQ(stored["refresh_token"], "rt-2");
}

TEST(TokenResponse, StoreTokensSaturatesTheExpiry) {
  TokenSet t;
  t.access_token = "a";
  t.expires_in = 100;
  json stored = store_tokens(json(nullptr), t, std::numeric_limits<int64_t>::max() - 10, TokenStore::NewGrant);
  EXPECT_EQ(stored["expires_at"], std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace connauth
