#include "connection_loop.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flow_api.h"

namespace connauth {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1700000000;

Connector parse(const std::string& text) {
  auto parsed = parse_connector(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors[0].path + ": " + parsed.errors[0].message);
  return parsed.ok() ? *parsed.value : Connector{};
}

const Connector& api_key() {
  static const Connector c = parse(R"({"name": "keyed",
    "connection": {"fields": [{"name": "key"}], "base_uri": "https://api.example/"},
    "authorization": {"type": "api_key", "apply": [{"headers": {"X-Key": "{{connection.key}}"}}]},
    "test": {"method": "GET", "url": "me"}})");
  return c;
}

const Connector& oauth2() {
  static const Connector c = parse(R"({"name": "acme",
    "connection": {"base_uri": "https://api.acme.example/"},
    "authorization": {"type": "oauth2", "authorization_url": "https://auth.acme.example/authorize",
                      "token_url": "https://auth.acme.example/token"},
    "test": {"method": "GET", "url": "me"}})");
  return c;
}

const Connector& acquired() {
  static const Connector c = parse(R"({"name": "session",
    "connection": {"fields": [{"name": "user"}], "base_uri": "https://api.example/"},
    "authorization": {"type": "custom_auth",
      "acquire": {"request": {"method": "POST", "url": "login", "json": {"user": "{{connection.user}}"}}},
      "apply": [{"headers": {"Authorization": "Bearer {{access_token}}"}}]},
    "test": {"method": "GET", "url": "me"}})");
  return c;
}

json context(json connection) {
  return json{{"app", {{"client_id", "cid"}, {"client_secret", "cs"}}}, {"connection", std::move(connection)}};
}

json response(int status, const std::string& body = "") {
  return json{{"status", status}, {"headers", json::array()}, {"body", body}};
}

// Drives one operation: answers the events in `script` in order and collects
// the effect types, up to the operation's end.
struct Trace {
  std::vector<std::string> effects;
  json last;  // the last effect
};

Trace drive(const Connector* connector, const json& ctx, json start, std::vector<json> script) {
  Trace run;
  json state = json::object();
  json event = std::move(start);
  size_t next = 0;
  for (int guard = 0; guard < 20; ++guard) {
    json out = connection_step(connector, ctx, state, event, kNow);
    EXPECT_EQ(out["ok"], true) << out.dump();
    if (out["ok"] != true) return run;
    state = out["value"]["state"];
    for (const json& e : out["value"]["effects"]) {
      run.effects.push_back(e["type"].get<std::string>());
      run.last = e;
    }
    std::string type = run.last["type"];
    if (type == "deliver" || type == "done" || type == "fail") return run;
    if (next >= script.size()) {
      ADD_FAILURE() << "the script ran out after " << run.last.dump();
      return run;
    }
    event = script[next++];
  }
  ADD_FAILURE() << "no end";
  return run;
}

json start(const char* op, json extra = json::object()) {
  extra["type"] = "start";
  extra["op"] = op;
  return extra;
}

// ---- use ---------------------------------------------------------------------------

TEST(ConnectionLoopUse, DeliversAnAnswerThatNeedsNoRefresh) {
  Trace run = drive(nullptr, json::object(), start("use"), {{{"type", "answered"}, {"classification", "ok"}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send_caller", "deliver"}));
  EXPECT_EQ(run.last["attempt"], 1);
}

TEST(ConnectionLoopUse, RefreshSignalRenewsAndRetriesOnceWhoseAnswerIsFinal) {
  Trace run = drive(nullptr, json::object(), start("use"),
                  {{{"type", "answered"}, {"classification", "refresh"}},
                   {{"type", "renewed"}, {"changed", true}},
                   {{"type", "answered"}, {"classification", "refresh"}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send_caller", "renew", "send_caller", "deliver"}));
  EXPECT_EQ(run.last["attempt"], 2);
}

TEST(ConnectionLoopUse, UnchangedCredentialsDeliverTheFirstAnswer) {
  // Nothing to refresh with, and the connector's test passes: the refusal was about this request.
  Trace run = drive(nullptr, json::object(), start("use"),
                  {{{"type", "answered"}, {"classification", "refresh"}}, {{"type", "renewed"}, {"changed", false}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send_caller", "renew", "deliver"}));
  EXPECT_EQ(run.last["attempt"], 1);
}

TEST(ConnectionLoopUse, ABodyThatCannotBeSentAgainGetsTheFirstAnswer) {
  Trace run = drive(nullptr, json::object(), start("use", {{"replayable", false}}),
                    {{{"type", "answered"}, {"classification", "refresh"}}, {{"type", "renewed"}, {"changed", true}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send_caller", "renew", "deliver"}));
  EXPECT_EQ(run.last["attempt"], 1);
}

TEST(ConnectionLoopUse, DueCredentialsAreRenewedFirstAndNotAgain) {
  Trace run = drive(nullptr, json::object(), start("use", {{"due", true}}),
                  {{{"type", "renewed"}, {"changed", true}}, {{"type", "answered"}, {"classification", "refresh"}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"renew", "send_caller", "deliver"}));
}

TEST(ConnectionLoopUse, ADegradedRenewalStillSendsATokenThatHasNotExpired) {
  json degraded = {{"type", "renew_failed"}, {"error", {{"code", "connection_degraded"}}}};
  Trace run = drive(nullptr, json::object(), start("use", {{"due", true}, {"expired", false}}),
                  {degraded, {{"type", "answered"}, {"classification", "ok"}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"renew", "send_caller", "deliver"}));

  Trace expired = drive(nullptr, json::object(), start("use", {{"due", true}, {"expired", true}}), {degraded});
  EXPECT_EQ(expired.effects, (std::vector<std::string>{"renew", "fail"}));
  EXPECT_EQ(expired.last["error"]["code"], "connection_degraded");
}

TEST(ConnectionLoopUse, ACallersBadRequestIsNotTheConnections) {
  json problems = json::array({{{"path", "/request/url"}, {"message", "is not a URL"}}});
  Trace run = drive(nullptr, json::object(), start("use"), {{{"type", "apply_failed"}, {"problems", problems}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send_caller", "fail"}));
  EXPECT_EQ(run.last["error"]["code"], "invalid_request");
  EXPECT_EQ(run.last["error"]["problems"], problems);
}

// The state a host stores after a failure of a connected connection.
json stored_after(const char* cause) {
  json connected = state_success(json(nullptr), kNow - 60, json(3))["value"];
  return state_failure(connected, cause, "seen", kNow, 0.5, json(nullptr))["value"];
}

TEST(ConnectionLoopUse, AConnectorThatCannotAuthorizeLosesTheConnection) {
  json problems = json::array({{{"path", "/authorization/apply/0/headers/X-Key"}, {"message", "no value for key"}}});
  Trace run = drive(nullptr, json::object(), start("use"),
                  {{{"type", "apply_failed"}, {"problems", problems}},
                   {{"type", "recorded"}, {"state", stored_after("connector_error")}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send_caller", "record", "fail"}));
  EXPECT_EQ(run.last["error"]["code"], "connector_error");
  EXPECT_EQ(run.last["error"]["lost"]["cause"], "connector_error");
  EXPECT_EQ(run.last["error"]["problems"], problems);
}

TEST(ConnectionLoopUse, RefusesEventsOutOfOrderAndUnknownOperations) {
  EXPECT_EQ(connection_step(nullptr, json::object(), json::object(), {{"type", "answered"}}, kNow)["errors"][0]["path"],
            "/state");
  EXPECT_EQ(connection_step(nullptr, json::object(), json::object(), start("dance"), kNow)["errors"][0]["path"],
            "/event/op");
  json sending = connection_step(nullptr, json::object(), json::object(), start("use"), kNow)["value"]["state"];
  EXPECT_EQ(connection_step(nullptr, json::object(), sending, {{"type", "renewed"}}, kNow)["errors"][0]["path"],
            "/event/type");
  EXPECT_EQ(connection_step(nullptr, json::object(), json::object(), start("renew"), kNow)["errors"][0]["path"],
            "/connector");
}

// ---- renew -------------------------------------------------------------------------

TEST(ConnectionLoopRenew, RefreshGrantStoresTheNewTokens) {
  json ctx = context({{"access_token", "old"}, {"refresh_token", "r1"}, {"expires_at", kNow - 1}});
  Trace run = drive(&oauth2(), ctx, start("renew"),
                  {{{"type", "response"}, {"response", response(200, R"({"access_token":"new","expires_in":3600})")}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send", "store", "record", "done"}));
  EXPECT_EQ(run.last["value"]["changed"], true);
}

TEST(ConnectionLoopRenew, NoTokenRequestWhileBackingOffUnlessForced) {
  json ctx = context({{"access_token", "old"}, {"refresh_token", "r1"}});
  json degraded = stored_after("provider_unavailable");
  ASSERT_EQ(degraded["status"], "degraded");
  Trace waiting = drive(&oauth2(), ctx, start("renew", {{"connection_state", degraded}}), {});
  EXPECT_EQ(waiting.effects, (std::vector<std::string>{"fail"}));
  EXPECT_EQ(waiting.last["error"]["code"], "connection_degraded");
  EXPECT_GE(waiting.last["error"]["retry_after"].get<int64_t>(), 1);

  Trace forced = drive(&oauth2(), ctx, start("renew", {{"connection_state", degraded}, {"force", true}}),
                     {{{"type", "response"}, {"response", response(200, R"({"access_token":"new"})")}}});
  EXPECT_EQ(forced.effects, (std::vector<std::string>{"send", "store", "record", "done"}));
}

TEST(ConnectionLoopRenew, InvalidGrantIsRecordedAndLosesTheConnection) {
  json ctx = context({{"access_token", "old"}, {"refresh_token", "r1"}});
  Trace run = drive(&oauth2(), ctx, start("renew"),
                  {{{"type", "response"}, {"response", response(400, R"({"error":"invalid_grant"})")}},
                   {{"type", "recorded"}, {"state", stored_after("authorization_revoked")}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send", "record", "fail"}));
  EXPECT_EQ(run.last["error"]["code"], "connection_lost");
  EXPECT_EQ(run.last["error"]["cause"], "authorization_revoked");
  EXPECT_EQ(run.last["error"]["lost"]["cause"], "authorization_revoked");
}

TEST(ConnectionLoopRenew, NothingToRefreshWithRunsTheTest) {
  json ctx = context({{"key", "k1"}});
  Trace passes = drive(&api_key(), ctx, start("renew"), {{{"type", "response"}, {"response", response(200)}}});
  EXPECT_EQ(passes.effects, (std::vector<std::string>{"send", "record", "done"}));
  EXPECT_EQ(passes.last["value"]["changed"], false);

  Trace refused = drive(&api_key(), ctx, start("renew"),
                      {{{"type", "response"}, {"response", response(401)}},
                       {{"type", "recorded"}, {"state", stored_after("credentials_rejected")}}});
  EXPECT_EQ(refused.effects, (std::vector<std::string>{"send", "record", "fail"}));
  EXPECT_EQ(refused.last["error"]["code"], "connection_lost");
  EXPECT_EQ(refused.last["error"]["cause"], "credentials_rejected");
}

TEST(ConnectionLoopRenew, AFailureAboutOldCredentialsIsAnsweredAsItIs) {
  // The host's compare-and-set found newer credentials: the stored state is still connected.
  json ctx = context({{"access_token", "old"}, {"refresh_token", "r1"}});
  json connected = state_success(json(nullptr), kNow, json(nullptr))["value"];
  Trace run = drive(&oauth2(), ctx, start("renew"),
                  {{{"type", "response"}, {"response", response(400, R"({"error":"invalid_grant"})")}},
                   {{"type", "recorded"}, {"state", connected}}});
  EXPECT_EQ(run.last["error"]["code"], "invalid_grant");
}

// ---- check -------------------------------------------------------------------------

TEST(ConnectionLoopCheck, ATestThatAsksForARefreshRenewsAndTestsAgain) {
  json ctx = context({{"access_token", "old"}, {"refresh_token", "r1"}});
  Trace run = drive(&oauth2(), ctx, start("check"),
                  {{{"type", "response"}, {"response", response(401)}},
                   {{"type", "renewed"}, {"changed", true}},
                   {{"type", "response"}, {"response", response(200)}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send", "renew", "send", "record", "done"}));
  EXPECT_EQ(run.last["value"]["outcome"], "ok");
}

TEST(ConnectionLoopCheck, AFailedRenewalEndsTheCheckWithItsRecord) {
  json ctx = context({{"access_token", "old"}, {"refresh_token", "r1"}});
  Trace run = drive(&oauth2(), ctx, start("check", {{"due", true}}),
                    {{{"type", "renew_failed"}, {"error", {{"code", "connection_lost"}}}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"renew", "done"}));
  EXPECT_EQ(run.last["value"]["outcome"], "failed");
  Trace refused = drive(&oauth2(), ctx, start("check", {{"due", true}}),
                        {{{"type", "renew_failed"}, {"error", {{"code", "egress_denied"}}}}});
  EXPECT_EQ(refused.last["type"], "fail");
}

TEST(ConnectionLoopCheck, AFailedTestIsRecordedAndTheCheckStillAnswers) {
  json ctx = context({{"key", "k1"}});
  Trace run = drive(&api_key(), ctx, start("check"),
                  {{{"type", "response"}, {"response", response(401)}},
                   {{"type", "recorded"}, {"state", stored_after("credentials_rejected")}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send", "record", "done"}));
  EXPECT_EQ(run.last["value"]["outcome"], "failed");
}

// ---- connect -----------------------------------------------------------------------

TEST(ConnectionLoopConnect, AcquiresThenTests) {
  json ctx = context({{"user", "ann"}});
  Trace run = drive(&acquired(), ctx, start("connect"),
                  {{{"type", "response"}, {"response", response(200, R"({"access_token":"s1"})")}},
                   {{"type", "response"}, {"response", response(200)}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send", "send", "done"}));
  EXPECT_EQ(run.last["value"]["connection"]["access_token"], "s1");
  EXPECT_EQ(run.last["value"]["connection"]["user"], "ann");
  EXPECT_EQ(run.last["value"]["tested"], true);
}

TEST(ConnectionLoopConnect, ARefusedTestConnectsNobody) {
  Trace run = drive(&api_key(), context({{"key", "bad"}}), start("connect"),
                  {{{"type", "response"}, {"response", response(401)}}});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"send", "fail"}));
  EXPECT_EQ(run.last["error"]["cause"], "credentials_rejected");
}

TEST(ConnectionLoopConnect, Oauth2ConnectsThroughTheConsentPage) {
  Trace run = drive(&oauth2(), context(json::object()), start("connect"), {});
  EXPECT_EQ(run.effects, (std::vector<std::string>{"fail"}));
  EXPECT_EQ(run.last["error"]["code"], "invalid_input");
  EXPECT_EQ(run.last["error"]["problems"][0]["path"], "/authorization/type");
}

}  // namespace
}  // namespace connauth
