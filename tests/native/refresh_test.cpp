#include "refresh.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scope.h"

namespace connauth {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1700000000;

Connector parse(const std::string& authorization) {
  auto parsed = parse_connector(R"({"name": "acme", "connection": {"fields": [{"name": "user", "optional": true},
      {"name": "password", "optional": true, "secret": true}], "base_uri": "https://api.acme.example/"},
      "authorization": )" + authorization + "}");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors[0].path + ": " + parsed.errors[0].message);
  return parsed.ok() ? *parsed.value : Connector{};
}

const char* const kOAuth2 = R"({"type": "oauth2", "authorization_url": "https://auth.acme.example/authorize",
    "token_url": "https://auth.acme.example/token", "scopes": ["read"])";

Connector oauth2(const std::string& extra = "") { return parse(std::string(kOAuth2) + extra + "}"); }

json context(json connection) {
  return json{{"app", {{"client_id", "cid"}, {"client_secret", "cs"}, {"scopes", {"read", "write"}}}},
              {"connection", std::move(connection)}};
}

HttpResponse response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// ---- needs_refresh -----------------------------------------------------------------

TEST(Refresh, NeedsRefreshWithinTheBuffer) {
  json c = {{"expires_at", kNow + 100}};
  EXPECT_FALSE(needs_refresh(c, kNow + 39));
  EXPECT_TRUE(needs_refresh(c, kNow + 40));  // expires_at - 60
  EXPECT_TRUE(needs_refresh(c, kNow + 100));
  EXPECT_TRUE(needs_refresh(c, kNow + 5000));
  EXPECT_FALSE(needs_refresh(c, kNow + 89, 10));
  EXPECT_TRUE(needs_refresh(c, kNow + 90, 10));
}

TEST(Refresh, UnknownExpiryRefreshesOnSignalsOnly) {
  EXPECT_FALSE(needs_refresh(json::object(), kNow));
  EXPECT_FALSE(needs_refresh(json{{"expires_at", nullptr}}, kNow));
  EXPECT_FALSE(needs_refresh(json{{"expires_at", "soon"}}, kNow));
  EXPECT_FALSE(needs_refresh(json{{"expires_at", true}}, kNow));
  EXPECT_FALSE(needs_refresh(json("text"), kNow));
}

TEST(Refresh, ExpiresAtStoredAsStringOrFloat) {
  EXPECT_TRUE(needs_refresh(json{{"expires_at", "1700000060"}}, kNow));
  EXPECT_FALSE(needs_refresh(json{{"expires_at", "1700000061"}}, kNow));
  EXPECT_TRUE(needs_refresh(json{{"expires_at", 1700000060.5}}, kNow));
}

TEST(Refresh, NeedsRefreshDoesNotOverflow) {
  EXPECT_TRUE(needs_refresh(json{{"expires_at", std::numeric_limits<int64_t>::min()}}, kNow));
  EXPECT_FALSE(needs_refresh(json{{"expires_at", std::numeric_limits<int64_t>::max()}}, std::numeric_limits<int64_t>::min()));
  EXPECT_TRUE(needs_refresh(json{{"expires_at", kNow}}, kNow, -5));  // a negative buffer counts as 0
}

TEST(Refresh, DeadlineIsWhereNeedsRefreshTurnsTrue) {
  EXPECT_EQ(refresh_deadline(json{{"expires_at", kNow + 100}}), kNow + 40);
  EXPECT_EQ(refresh_deadline(json{{"expires_at", kNow + 100}}, 10), kNow + 90);
  EXPECT_EQ(refresh_deadline(json{{"expires_at", "1700000060"}}), kNow);
  EXPECT_EQ(refresh_deadline(json{{"expires_at", kNow}}, -5), kNow);
  EXPECT_EQ(refresh_deadline(json::object()), std::nullopt);
  EXPECT_EQ(refresh_deadline(json{{"expires_at", "soon"}}), std::nullopt);
  EXPECT_EQ(refresh_deadline(json{{"expires_at", std::numeric_limits<int64_t>::min()}}),
            std::numeric_limits<int64_t>::min());
  // The two answers agree for every expiry form, buffer and clock around the edge.
  for (json expires : {json(kNow), json(kNow + 61), json(1700000030.9), json("1700000075"), json(nullptr), json("x")})
    for (int64_t buffer : {-1, 0, 30, 60, 3600})
      for (int64_t now = kNow - 3700; now <= kNow + 100; now += 7) {
        json c = {{"expires_at", expires}};
        auto deadline = refresh_deadline(c, buffer);
        EXPECT_EQ(needs_refresh(c, now, buffer), deadline && now >= *deadline) << c.dump() << " " << buffer << " " << now;
      }
}

// ---- build_refresh_request -----------------------------------------------------------

TEST(Refresh, StandardRefreshTokenGrantDoesNotResendTheScope) {
  Connector c = oauth2();
  auto plan = build_refresh_request(c.authorization, make_scope(context({{"refresh_token", "rt 1"}})), c.base_uri);
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(plan.value->request.has_value());
  EXPECT_EQ(plan.value->request->method, "POST");
  EXPECT_EQ(plan.value->request->url, "https://auth.acme.example/token");
  EXPECT_EQ(plan.value->request->body, "grant_type=refresh_token&refresh_token=rt+1&client_id=cid&client_secret=cs");
  EXPECT_EQ(*plan.value->request->headers.get("Accept"), "application/json");
}

TEST(Refresh, StandardRefreshWithBasicClientAuth) {
  Connector c = oauth2(R"(, "client_auth": "basic")");
  auto plan = build_refresh_request(c.authorization, make_scope(context({{"refresh_token", "rt"}})), c.base_uri);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value->request->body, "grant_type=refresh_token&refresh_token=rt");
  EXPECT_EQ(*plan.value->request->headers.get("Authorization"), "Basic Y2lkOmNz");  // base64("cid:cs")
}

TEST(Refresh, WithoutARefreshTokenTheUserMustReconnect) {
  Connector c = oauth2();
  auto plan = build_refresh_request(c.authorization, make_scope(context(json::object())), c.base_uri);
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(plan.value->cannot.has_value());
  EXPECT_EQ(plan.value->cannot->code, "no_refresh_token");
  EXPECT_EQ(plan.value->cannot->cause, Cause::AuthorizationRevoked);
  EXPECT_FALSE(plan.value->request.has_value());
}

TEST(Refresh, RefreshFalseCannotRefresh) {
  Connector c = oauth2(R"(, "refresh": false)");
  auto plan = build_refresh_request(c.authorization, make_scope(context({{"refresh_token", "rt"}})), c.base_uri);
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(plan.value->cannot.has_value());
  EXPECT_EQ(plan.value->cannot->code, "refresh_disabled");
  EXPECT_EQ(plan.value->cannot->cause, Cause::AuthorizationRevoked);
  EXPECT_EQ(plan.value->cannot->message,
            "This provider's tokens cannot be refreshed (the connector sets refresh: false). Reconnect to get a "
            "new token.");
}

const char* const kCustomRefresh = R"(, "refresh": {
    "request": {"method": "POST", "url": "oauth/renew", "json": {"token": "{{refresh_token}}", "app": "{{client_id}}"}},
    "tokens": {"access_token": "{{response.auth.token}}", "refresh_token": "{{response.auth.renewal}}",
               "expires_in": "{{response.auth.ttl}}"}})";

TEST(Refresh, CustomRefreshStep) {
  Connector c = oauth2(kCustomRefresh);
  auto plan = build_refresh_request(c.authorization, make_scope(context({{"refresh_token", "rt"}})), c.base_uri);
  ASSERT_TRUE(plan.ok()) << plan.errors[0].message;
  EXPECT_EQ(plan.value->request->url, "https://api.acme.example/oauth/renew");
  EXPECT_EQ(plan.value->request->body, R"({"app":"cid","token":"rt"})");
}

TEST(Refresh, CustomRefreshMissingValueIsAProblem) {
  Connector c = oauth2(kCustomRefresh);
  auto plan = build_refresh_request(c.authorization, make_scope(context(json::object())), c.base_uri);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.errors[0].path, "/authorization/refresh/request/json/token");
}

const char* const kCustomAuth = R"({"type": "custom_auth",
    "acquire": {"request": {"method": "POST", "url": "session", "form": {"user": "{{connection.user}}",
                                                                         "password": "{{connection.password}}"}},
                "tokens": false, "merge": {"session_id": "{{response.session.id}}"}},
    "apply": [{"headers": {"X-Session": "{{connection.session_id}}"}}]})";

TEST(Refresh, CustomAuthReacquires) {
  Connector c = parse(kCustomAuth);
  auto plan = build_refresh_request(c.authorization,
                                    make_scope(context({{"user", "ann"}, {"password", "p w"}, {"session_id", "old"}})),
                                    c.base_uri);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value->request->url, "https://api.acme.example/session");
  // Form fields come in the order the connector model holds them (parse_connector sorts keys).
  EXPECT_EQ(plan.value->request->body, "password=p+w&user=ann");
}

// A re-acquire whose step merges nothing exists to get a new access token: a
// 2xx without one is the connector's failure (SPEC §4 connector_error), not a
// refresh that kept the expired token.
TEST(Refresh, ReacquireWithoutATokenIsAConnectorError) {
  Connector c = parse(R"({"type": "custom_auth",
      "acquire": {"request": {"method": "POST", "url": "token", "form": {"key": "{{connection.key}}"}}},
      "apply": [{"headers": {"Authorization": "Bearer {{connection.access_token}}"}}]})");
  json stored = {{"key", "k"}, {"access_token", "stale"}, {"expires_at", kNow - 5}};
  ConnectionUpdate update = read_refresh_response(c.authorization, make_scope(context(stored)), stored,
                                                  response(200, R"({"status":"ok"})"), kNow, std::nullopt);
  ASSERT_FALSE(update.ok());
  EXPECT_EQ(update.failure->cause, Cause::ConnectorError);
  EXPECT_EQ(update.failure->error, "missing_access_token");
  ConnectionUpdate good = read_refresh_response(c.authorization, make_scope(context(stored)), stored,
                                                response(200, R"({"access_token":"fresh"})"), kNow, std::nullopt);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ((*good.connection)["access_token"], "fresh");
}

TEST(Refresh, StaticCredentialsCannotRefresh) {
  for (const char* auth : {R"({"type": "basic_auth"})",
                           R"({"type": "api_key", "apply": [{"params": {"key": "{{connection.user}}"}}]})"}) {
    Connector c = parse(auth);
    auto plan = build_refresh_request(c.authorization, make_scope(context(json::object())), c.base_uri);
    ASSERT_TRUE(plan.ok());
    ASSERT_TRUE(plan.value->cannot.has_value()) << auth;
    EXPECT_EQ(plan.value->cannot->code, "static_credentials");
    EXPECT_EQ(plan.value->cannot->cause, Cause::CredentialsRejected);
  }
}

// ---- read_refresh_response --------------------------------------------------------------

TEST(Refresh, ResponseWithoutRefreshTokenKeepsTheOldOne) {
  Connector c = oauth2();
  json stored = {{"user", "ann"}, {"access_token", "at-1"}, {"refresh_token", "rt-1"}, {"expires_at", kNow - 5}};
  ConnectionUpdate update = read_refresh_response(c.authorization, make_scope(context(stored)), stored,
                                                  response(200, R"({"access_token":"at-2","expires_in":3600})"), kNow,
                                                  std::nullopt);
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(*update.connection, json::parse(R"({"user":"ann","access_token":"at-2","refresh_token":"rt-1",
                                                "expires_at":1700003600})"));
}

TEST(Refresh, ResponseWithRefreshTokenReplacesIt) {
  Connector c = oauth2();
  json stored = {{"access_token", "at-1"}, {"refresh_token", "rt-1"}, {"expires_at", kNow - 5}};
  ConnectionUpdate update = read_refresh_response(
      c.authorization, make_scope(context(stored)), stored,
      response(200, R"({"access_token":"at-2","refresh_token":"rt-2"})"), kNow, 900);
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(*update.connection,
            json::parse(R"({"access_token":"at-2","refresh_token":"rt-2","expires_at":1700000900})"));
}

TEST(Refresh, ResponseWithoutAnyExpiryForgetsTheOldOne) {
  Connector c = oauth2();
  json stored = {{"access_token", "at-1"}, {"refresh_token", "rt-1"}, {"expires_at", kNow - 5}};
  ConnectionUpdate update = read_refresh_response(c.authorization, make_scope(context(stored)), stored,
                                                  response(200, R"({"access_token":"at-2"})"), kNow, std::nullopt);
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(*update.connection, json::parse(R"({"access_token":"at-2","refresh_token":"rt-1"})"));
}

TEST(Refresh, RejectedRefreshMeansRevoked) {
  Connector c = oauth2();
  json stored = {{"refresh_token", "rt-1"}};
  for (auto [status, body] : std::vector<std::pair<int, std::string>>{
           {400, R"({"error":"invalid_grant"})"}, {401, ""}, {400, R"({"error_description":"nope"})"}}) {
    ConnectionUpdate update = read_refresh_response(c.authorization, make_scope(context(stored)), stored,
                                                    response(status, body), kNow, std::nullopt);
    ASSERT_FALSE(update.ok());
    EXPECT_EQ(update.failure->cause, Cause::AuthorizationRevoked) << status << body;
  }
}

TEST(Refresh, OutageDuringRefreshIsTransient) {
  Connector c = oauth2();
  json stored = {{"refresh_token", "rt-1"}};
  ConnectionUpdate update = read_refresh_response(c.authorization, make_scope(context(stored)), stored,
                                                  response(503, "down"), kNow, std::nullopt);
  ASSERT_FALSE(update.ok());
  EXPECT_EQ(update.failure->cause, Cause::ProviderUnavailable);
}

TEST(Refresh, CustomRefreshMapping) {
  Connector c = oauth2(kCustomRefresh);
  json stored = {{"access_token", "at-1"}, {"refresh_token", "rt-1"}};
  ConnectionUpdate update = read_refresh_response(
      c.authorization, make_scope(context(stored)), stored,
      response(200, R"({"auth":{"token":"at-2","ttl":"60"}})"), kNow, std::nullopt);
  ASSERT_TRUE(update.ok()) << update.failure->detail();
  EXPECT_EQ(*update.connection, json::parse(R"({"access_token":"at-2","refresh_token":"rt-1","expires_at":1700000060})"));
}

TEST(Refresh, CustomAuthReacquireMergesNewValues) {
  Connector c = parse(kCustomAuth);
  json stored = {{"user", "ann"}, {"password", "pw"}, {"session_id", "old"}};
  ConnectionUpdate update = read_refresh_response(c.authorization, make_scope(context(stored)), stored,
                                                  response(200, R"({"session":{"id":"new"}})"), kNow, std::nullopt);
  ASSERT_TRUE(update.ok()) << update.failure->detail();
  EXPECT_EQ(*update.connection, json::parse(R"({"user":"ann","password":"pw","session_id":"new"})"));
  ConnectionUpdate rejected = read_refresh_response(c.authorization, make_scope(context(stored)), stored,
                                                    response(401, "bad password"), kNow, std::nullopt);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.failure->cause, Cause::CredentialsRejected);
}

// ---- retry once -----------------------------------------------------------------------

TEST(Refresh, RetryOnceThenTheOutcomeIsFinal) {
  EXPECT_EQ(next_step(Action::Ok, false), NextStep::Deliver);
  EXPECT_EQ(next_step(Action::Error, false), NextStep::Deliver);
  EXPECT_EQ(next_step(Action::Refresh, false), NextStep::RefreshAndRetry);
  EXPECT_EQ(next_step(Action::Ok, true), NextStep::Deliver);
  EXPECT_EQ(next_step(Action::Error, true), NextStep::Deliver);
  EXPECT_EQ(next_step(Action::Refresh, true), NextStep::Deliver);
}

}  // namespace
}  // namespace connauth
