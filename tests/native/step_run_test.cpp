// `acquire` and `refresh` as a list of named steps (SPEC §10): parsing, the
// step run, and running them through the connection loop with canned answers.
#include "step_run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connection_loop.h"
#include "connector.h"
#include "flow_api.h"
#include "hmac.h"
#include "sha256.h"
#include "url.h"

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr int64_t kNow = 1700000000;

MATCHER_P2(ProblemIs, path, message, "") {
  *result_listener << "problem {" << arg.path << ": " << arg.message << "}";
  return arg.path == path && arg.message == message;
}

// A custom_auth connector whose authorization is `authorization` (JSON text
// of its acquire and other keys after "type").
std::string custom(const std::string& keys) {
  return R"({"name": "steps", "connection": {"fields": [{"name": "user"}, {"name": "password", "secret": true}],
    "base_uri": "https://api.example/"},
    "authorization": {"type": "custom_auth", "apply": [{"headers": {"Authorization": "Bearer {{access_token}}"}}], )" +
         keys + R"(}, "test": {"url": "me"}})";
}

Connector parse(const std::string& text) {
  auto parsed = parse_connector(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors[0].path + ": " + parsed.errors[0].message);
  return parsed.ok() ? *parsed.value : Connector{};
}

Problems problems(const std::string& text) {
  auto parsed = parse_connector(text);
  EXPECT_FALSE(parsed.ok());
  return parsed.errors;
}

// step 1 GET nonce; step 2 POST login signed with the nonce; tokens by the standard names.
const char* const kTwoSteps = R"("acquire": [
    {"name": "nonce", "request": {"url": "nonce"}},
    {"name": "login", "request": {"method": "POST", "url": "login",
       "headers": {"X-Signature": "{{steps.nonce.response.nonce | hmac_sha256: connection.password}}",
                   "X-Request": "{{steps.nonce.response_headers.x-request-id}}"},
       "json": {"user": "{{connection.user}}", "nonce": "{{steps.nonce.response.nonce}}"}},
     "owner_id": "{{steps.login.response.user}}"}])";

// ---- parsing -------------------------------------------------------------------

TEST(StepsParse, OneStepObjectIsAListOfOne) {
  Connector c = parse(custom(R"("acquire": {"request": {"method": "POST", "url": "login"}})"));
  ASSERT_THAT(c.authorization.acquire, SizeIs(1));
  EXPECT_EQ(c.authorization.acquire[0].where, "/authorization/acquire");
  EXPECT_EQ(c.authorization.acquire[0].name, "");
  EXPECT_TRUE(c.authorization.acquire[0].yields_tokens);
}

TEST(StepsParse, AListOfNamedSteps) {
  Connector c = parse(custom(kTwoSteps));
  const Steps& steps = c.authorization.acquire;
  ASSERT_THAT(steps, SizeIs(2));
  EXPECT_EQ(steps[0].where, "/authorization/acquire/0");
  EXPECT_EQ(steps[0].name, "nonce");
  EXPECT_FALSE(steps[0].yields_tokens);  // only the last step yields the standard names
  EXPECT_EQ(steps[1].where, "/authorization/acquire/1");
  EXPECT_EQ(steps[1].request.where, "/authorization/acquire/1/request");
  EXPECT_TRUE(steps[1].yields_tokens);
}

TEST(StepsParse, RefreshMayBeAListToo) {
  Connector c = parse(custom(R"("acquire": {"request": {"url": "login"}},
    "refresh": [{"name": "a", "request": {"url": "a"}, "tokens": {"access_token": "{{response.t}}"}},
                {"request": {"url": "b?n={{steps.a.response.n}}"}, "tokens": false, "merge": {"b": "{{response}}"}}])"));
  ASSERT_THAT(c.authorization.refresh, SizeIs(2));
  EXPECT_EQ(c.authorization.refresh_mode, Authorization::Refresh::Custom);
  EXPECT_TRUE(c.authorization.refresh[0].yields_tokens);  // it maps tokens
  EXPECT_FALSE(c.authorization.refresh[1].yields_tokens);
}

TEST(StepsParse, ReadingALaterStepIsAProblemAtItsPointer) {
  Problems p = problems(custom(R"("acquire": [
    {"name": "login", "request": {"url": "login", "headers": {"X-Sig": "{{steps.nonce.response.nonce}}"}}},
    {"name": "nonce", "request": {"url": "nonce"}}])"));
  EXPECT_THAT(p, ElementsAre(ProblemIs("/authorization/acquire/0/request/headers/X-Sig",
                                       "reads steps.nonce, which is not an earlier step")));
}

TEST(StepsParse, ReadingAMissingStepListsTheReadableOnes) {
  Problems p = problems(custom(R"("acquire": [{"name": "nonce", "request": {"url": "nonce"}},
    {"request": {"method": "POST", "url": "login", "json": {"n": ["{{steps.nonse.response.nonce}}"]}}}])"));
  EXPECT_THAT(p, ElementsAre(ProblemIs("/authorization/acquire/1/request/json/n/0",
                                       "reads steps.nonse, which is not an earlier step (readable here: nonce)")));
}

TEST(StepsParse, AStepsOwnRequestCannotReadItsAnswerButItsMappingsCan) {
  Problems p = problems(custom(R"("acquire": [{"name": "a", "request": {"url": "x?{{steps.a.response.n}}"}},
    {"request": {"url": "b"}}])"));
  EXPECT_THAT(p, ElementsAre(ProblemIs("/authorization/acquire/0/request/url", "reads steps.a, which is not an earlier step")));
  parse(custom(R"("acquire": [{"name": "a", "request": {"url": "a"}, "merge": {"n": "{{steps.a.response.n}}"}},
    {"request": {"url": "b"}}])"));
}

TEST(StepsParse, DuplicateAndBadNames) {
  Problems p = problems(custom(R"("acquire": [{"name": "a", "request": {"url": "a"}}, {"name": "a", "request": {"url": "b"}},
    {"name": "Bad-Name", "request": {"url": "c"}}])"));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/acquire/1/name",
                                    "step name \"a\" is already used at /authorization/acquire/0/name")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/acquire/2/name",
                                    "must match ^[a-z_][a-z0-9_]*$ (later steps read steps.<name>)")));
}

TEST(StepsParse, AnEmptyListAndOtherShapes) {
  EXPECT_THAT(problems(custom(R"("acquire": [])")),
              ElementsAre(ProblemIs("/authorization/acquire", "must list at least one step")));
  EXPECT_THAT(problems(custom(R"("acquire": {"request": {"url": "a"}}, "refresh": "again")")),
              ElementsAre(ProblemIs("/authorization/refresh",
                                    "must be a refresh step object, or false when the provider cannot refresh, "
                                    "or a list of steps (omit it for the standard refresh)")));
  EXPECT_THAT(problems(custom(R"("acquire": {"request": {"url": "a"}, "tokens": true})")),
              ElementsAre(ProblemIs("/authorization/acquire/tokens",
                                    "must be an object of token templates, or false when the step yields no tokens")));
}

TEST(StepsParse, StepPathsOnlyInsideSteps) {
  std::string text = custom(R"("acquire": {"name": "a", "request": {"url": "a"}})");
  text.replace(text.find("Bearer {{access_token}}"), 23, "{{steps.a.response.t}}");
  EXPECT_THAT(problems(text), ElementsAre(ProblemIs("/authorization/apply/0/headers/Authorization",
                                                    "reads steps.a.response.t, but only the steps of acquire and "
                                                    "refresh can read steps.<name>")));
}

TEST(StepsParse, WhatAStepPathMayRead) {
  Problems p = problems(custom(R"("acquire": [{"name": "a", "request": {"url": "a"}},
    {"request": {"url": "b", "params": {"s": "{{steps.a.status}}", "h": "{{steps.a.response_headers.X-Id}}",
                                        "w": "{{steps.a}}"}}}])"));
  EXPECT_THAT(p, ElementsAre(
      ProblemIs("/authorization/acquire/1/request/params/h", "reads steps.a.response_headers.X-Id; header names are lower case there"),
      ProblemIs("/authorization/acquire/1/request/params/s",
                "reads steps.a.status; a step's answer is steps.a.response.<path> or steps.a.response_headers.<header>"),
      ProblemIs("/authorization/acquire/1/request/params/w",
                "reads steps.a; a step's answer is steps.a.response.<path> or steps.a.response_headers.<header>")));
}

TEST(StepsParse, StepsThatObtainNothing) {
  EXPECT_THAT(problems(custom(R"("acquire": {"request": {"url": "a"}, "tokens": false})")),
              ElementsAre(ProblemIs("/authorization/acquire",
                                    "obtains no credentials: the step neither yields tokens nor merges a value")));
  EXPECT_THAT(problems(custom(R"("acquire": [{"request": {"url": "a"}}, {"request": {"url": "b"}, "tokens": false}])")),
              ElementsAre(ProblemIs("/authorization/acquire", "obtains no credentials: no step yields tokens or merges a value")));
  parse(custom(R"("acquire": {"request": {"url": "a"}, "tokens": false, "merge": {"s": "{{response}}"}})"));
}

// ---- the run ----------------------------------------------------------------------

HttpResponse answer(int status, const std::string& body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = body;
  for (auto& [name, value] : headers) r.headers.add(name, value);
  return r;
}

json scope_of(const json& connection) { return json{{"connection", connection}}; }

TEST(StepRun, TwoStepsOneRequestAtATime) {
  Connector c = parse(custom(kTwoSteps));
  const Steps& steps = c.authorization.acquire;
  json scope = scope_of({{"user", "ann"}, {"password", "pw"}});
  auto first = build_step_request(steps, StepRun{}, scope, c.base_uri);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value->url, "https://api.example/nonce");

  TokenReading reading;
  reading.grant = TokenGrant::Credentials;
  reading.access_token_required = false;
  reading.default_expires_in = 900;
  StepProgress one = read_step_answer(steps, StepRun{}, answer(200, R"({"nonce":"n-1"})", {{"X-Request-Id", "r-7"}}),
                                      scope, reading);
  ASSERT_TRUE(one.next.has_value()) << one.read.failure->detail();
  EXPECT_EQ(one.next->next, 1u);
  auto second = build_step_request(steps, *one.next, scope, c.base_uri);
  ASSERT_TRUE(second.ok()) << second.errors[0].message;
  EXPECT_EQ(*second.value->headers.get("X-Signature"), hex_encode(hmac_sha256("pw", "n-1")));
  EXPECT_EQ(*second.value->headers.get("X-Request"), "r-7");
  EXPECT_EQ(second.value->body, R"({"nonce":"n-1","user":"ann"})");

  // The run survives the host's JSON round trip.
  auto again = step_run_from_json(to_json(*one.next), "/context/steps", steps.size());
  ASSERT_TRUE(again.ok());
  StepProgress two = read_step_answer(steps, *again.value, answer(200, R"({"access_token":"at-1","user":"u-9"})"),
                                      scope, reading);
  ASSERT_FALSE(two.next.has_value());
  ASSERT_TRUE(two.read.ok()) << two.read.failure->detail();
  EXPECT_EQ(two.read.tokens->access_token, "at-1");
  EXPECT_EQ(two.read.tokens->owner_id, "u-9");
  EXPECT_EQ(two.read.tokens->expires_in, 900);  // the app's default: no step gave one
}

TEST(StepRun, AFailedStepEndsTheRun) {
  Connector c = parse(custom(kTwoSteps));
  TokenReading reading;
  reading.grant = TokenGrant::Credentials;
  StepProgress one = read_step_answer(c.authorization.acquire, StepRun{}, answer(401, "no"), scope_of(json::object()), reading);
  EXPECT_FALSE(one.next.has_value());
  ASSERT_FALSE(one.read.ok());
  EXPECT_EQ(one.read.failure->cause, Cause::CredentialsRejected);
}

TEST(StepRun, TheHostsRunIsChecked) {
  EXPECT_FALSE(step_run_from_json(json::object(), "/context/steps", 2).ok());
  auto past = step_run_from_json(json{{"next", 2}, {"answers", json::object()}, {"yielded", json::object()}},
                                 "/context/steps", 2);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.errors[0].path, "/context/steps/next");
}

// ---- through the connection loop ------------------------------------------------------

json context(json connection) {
  return json{{"app", {{"client_id", "cid"}, {"client_secret", "cs"}}}, {"connection", std::move(connection)}};
}

json response_event(int status, const std::string& body, json headers = json::array()) {
  return json{{"type", "response"}, {"response", {{"status", status}, {"headers", std::move(headers)}, {"body", body}}}};
}

struct Trace {
  std::vector<json> effects;
  std::vector<json> states;
};

// Drives one operation with `script` as the answers, collecting every effect.
Trace drive(const Connector& c, const json& ctx, json event, std::vector<json> script) {
  Trace run;
  json state = json::object();
  size_t next = 0;
  for (int guard = 0; guard < 20; ++guard) {
    json out = connection_step(&c, ctx, state, event, kNow);
    EXPECT_EQ(out["ok"], true) << out.dump();
    if (out["ok"] != true) return run;
    state = out["value"]["state"];
    run.states.push_back(state);
    for (const json& e : out["value"]["effects"]) run.effects.push_back(e);
    std::string type = run.effects.back()["type"];
    if (type == "done" || type == "fail") return run;
    if (type == "record" && run.effects.back()["outcome"] == "failure") {
      event = json{{"type", "recorded"}, {"state", {{"status", "lost"}, {"cause", run.effects.back()["cause"]}}}};
      continue;
    }
    if (next >= script.size()) {
      ADD_FAILURE() << "the script ran out after " << run.effects.back().dump();
      return run;
    }
    event = script[next++];
  }
  ADD_FAILURE() << "no end";
  return run;
}

std::vector<std::string> sends(const Trace& run) {
  std::vector<std::string> out;
  for (const json& e : run.effects)
    if (e["type"] == "send") out.push_back(e["step"].get<std::string>() + " " + e["request"]["url"].get<std::string>());
  return out;
}

TEST(StepsLoop, ConnectRunsTwoStepsThenTheTest) {
  Connector c = parse(custom(kTwoSteps));
  json ctx = context({{"user", "ann"}, {"password", "pw"}});
  Trace run = drive(c, ctx, json{{"type", "start"}, {"op", "connect"}},
                  {response_event(200, R"({"nonce":"n-1"})", json{{"X-Request-Id", "r-1"}}),
                   response_event(200, R"({"access_token":"at-1","user":"u-1"})"), response_event(200, "{}")});
  EXPECT_EQ(sends(run), (std::vector<std::string>{"acquire https://api.example/nonce", "acquire https://api.example/login",
                                                  "test https://api.example/me"}));
  ASSERT_EQ(run.effects.size(), 4u);
  EXPECT_EQ(run.effects[1]["request"]["headers"]["X-Signature"], hex_encode(hmac_sha256("pw", "n-1")));
  EXPECT_EQ(run.effects[2]["request"]["headers"]["Authorization"], "Bearer at-1");
  EXPECT_EQ(run.effects.back()["type"], "done");
  EXPECT_EQ(run.effects.back()["value"]["connection"],
            json::parse(R"({"user":"ann","password":"pw","access_token":"at-1"})"));
  // The run lives in the state between the steps only.
  EXPECT_TRUE(run.states[1].contains("steps"));
  EXPECT_EQ(run.states[1]["steps"]["answers"]["nonce"]["response"], json::parse(R"({"nonce":"n-1"})"));
  EXPECT_FALSE(run.states[2].contains("steps"));
  EXPECT_FALSE(run.states.back().contains("steps"));
}

// a: a challenge; b: a session that only merges; c: the token, signed with both.
const char* const kThreeSteps = R"("acquire": [
    {"name": "a", "request": {"url": "challenge"}},
    {"name": "b", "request": {"method": "POST", "url": "session", "form": {"answer": "{{steps.a.response.q | sha256}}"}},
     "tokens": false, "merge": {"session": "{{steps.b.response_headers.x-session}}"}},
    {"request": {"method": "POST", "url": "token",
                 "headers": {"X-Session": "{{steps.b.response_headers.x-session}}", "X-Challenge": "{{steps.a.response.q}}"}},
     "tokens": {"access_token": "{{response.data.token}}", "expires_in": "{{response.data.ttl}}"}}])";

TEST(StepsLoop, RenewRunsThreeStepsAndStoresWhatTheyYielded) {
  Connector c = parse(custom(kThreeSteps));
  json ctx = context({{"user", "ann"}, {"password", "pw"}, {"access_token", "old"}, {"session", "s-0"}});
  Trace run = drive(c, ctx, json{{"type", "start"}, {"op", "renew"}},
                  {response_event(200, R"({"q":"abc"})"), response_event(204, "", json{{"X-Session", "s-2"}}),
                   response_event(200, R"({"data":{"token":"at-3","ttl":300}})")});
  EXPECT_EQ(sends(run), (std::vector<std::string>{"refresh https://api.example/challenge",
                                                  "refresh https://api.example/session",
                                                  "refresh https://api.example/token"}));
  ASSERT_EQ(run.effects.size(), 6u);
  EXPECT_EQ(run.effects[1]["request"]["body"], "answer=" + hex_encode(sha256("abc")));
  EXPECT_EQ(run.effects[2]["request"]["headers"]["X-Session"], "s-2");
  EXPECT_EQ(run.effects[2]["request"]["headers"]["X-Challenge"], "abc");
  ASSERT_EQ(run.effects[3]["type"], "store");
  EXPECT_EQ(run.effects[3]["connection"], json::parse(R"({"user":"ann","password":"pw","access_token":"at-3",
                                                          "session":"s-2","expires_at":1700000300})"));
  EXPECT_EQ(run.effects[4]["outcome"], "success");
}

TEST(StepsLoop, AnAnswerWithoutATokenIsAConnectorError) {
  Connector c = parse(custom(kTwoSteps));
  json ctx = context({{"user", "ann"}, {"password", "pw"}, {"access_token", "stale"}});
  Trace run = drive(c, ctx, json{{"type", "start"}, {"op", "renew"}},
                  {response_event(200, R"({"nonce":"n-1"})", json{{"X-Request-Id", "r-1"}}),
                   response_event(200, R"({"status":"ok","user":"u"})")});
  ASSERT_GE(run.effects.size(), 4u) << json(run.effects).dump();
  const json& record = run.effects[2];
  ASSERT_EQ(record["type"], "record");
  EXPECT_EQ(record["outcome"], "failure");
  EXPECT_EQ(record["cause"], "connector_error");
  EXPECT_EQ(record["detail"],
            "missing_access_token (HTTP 200): the answer to /authorization/acquire/1 has no response.access_token and "
            "the step maps no other name for it (tokens), so it obtained no credentials; a step that only merges values "
            "says \"tokens\": false");
  EXPECT_EQ(run.effects.back()["type"], "fail");
  EXPECT_EQ(run.effects.back()["error"]["cause"], "connector_error");
  for (const json& e : run.effects) EXPECT_THAT(e.dump(), Not(HasSubstr("stale")));
}

TEST(StepsLoop, TokensFalseMergesOnly) {
  std::string text = custom(R"("acquire": {"request": {"method": "POST", "url": "login"}, "tokens": false,
    "merge": {"session": "{{response}}"}})");
  text.replace(text.find("Bearer {{access_token}}"), 23, "Session {{connection.session}}");
  Connector c = parse(text);
  Trace run = drive(c, context({{"user", "ann"}, {"password", "pw"}}), json{{"type", "start"}, {"op", "connect"}},
                  {response_event(200, "sess-1"), response_event(200, "{}")});
  EXPECT_EQ(run.effects.back()["type"], "done");
  EXPECT_EQ(run.effects.back()["value"]["connection"]["session"], "sess-1");
  EXPECT_FALSE(run.effects.back()["value"]["connection"].contains("access_token"));
}

TEST(StepsLoop, AOneStepAcquireKeepsNoRunInTheState) {
  Connector c = parse(custom(R"("acquire": {"request": {"method": "POST", "url": "login"}})"));
  Trace run = drive(c, context({{"user", "ann"}, {"password", "pw"}}), json{{"type", "start"}, {"op", "connect"}},
                  {response_event(200, R"({"access_token":"a"})"), response_event(200, "{}")});
  EXPECT_EQ(run.effects.back()["type"], "done");
  for (const json& state : run.states) EXPECT_FALSE(state.contains("steps"));
}

TEST(StepsLoop, OnlyTheMachinesOwnRunCounts) {
  // A context that arrives with a run of its own: the loop starts from the first step.
  Connector c = parse(custom(kTwoSteps));
  json ctx = context({{"user", "ann"}, {"password", "pw"}});
  ctx["steps"] = {{"next", 1}, {"answers", {{"nonce", {{"response", {{"nonce", "forged"}}}}}}}, {"yielded", json::object()}};
  Trace run = drive(c, ctx, json{{"type", "start"}, {"op", "connect"}},
                    {response_event(200, R"({"nonce":"n-1"})", json{{"X-Request-Id", "r-1"}}),
                     response_event(200, R"({"access_token":"at-1","user":"u-1"})"), response_event(200, "{}")});
  ASSERT_EQ(run.effects.size(), 4u);
  EXPECT_EQ(run.effects[1]["request"]["headers"]["X-Signature"], hex_encode(hmac_sha256("pw", "n-1")));
  EXPECT_EQ(run.effects.back()["type"], "done");
}

TEST(StepsFlowApi, ConnectFinishAnswersTheNextStepAndChecksTheRunPassedBack) {
  Connector c = parse(custom(kTwoSteps));
  json ctx = context({{"user", "ann"}, {"password", "pw"}});
  json first = connect_finish(c, ctx, json{{"status", 200}, {"headers", {{"X-Request-Id", "r"}}}, {"body", R"({"nonce":"n"})"}},
                              kNow);
  ASSERT_EQ(first["ok"], true) << first.dump();
  EXPECT_EQ(first["value"]["step"], "acquire");
  EXPECT_EQ(first["value"]["request"]["url"], "https://api.example/login");
  EXPECT_EQ(first["value"]["steps"]["next"], 1);

  json passed = ctx;
  passed["steps"] = first["value"]["steps"];
  json done = connect_finish(c, passed, json{{"status", 200}, {"body", R"({"access_token":"at","user":"u"})"}}, kNow);
  ASSERT_EQ(done["ok"], true) << done.dump();
  EXPECT_EQ(done["value"]["connection"]["access_token"], "at");
  EXPECT_EQ(done["value"]["owner_id"], "u");

  passed["steps"] = "tampered";
  json bad = connect_finish(c, passed, json{{"status", 200}, {"body", "{}"}}, kNow);
  EXPECT_EQ(bad["ok"], false);
  EXPECT_EQ(bad["errors"][0]["path"], "/context/steps");
}

TEST(StepsFlowApi, AnOAuth2AcquireOfTwoStepsRunsThroughTheExchange) {
  Connector c = parse(R"({"name": "o", "authorization": {"type": "oauth2",
    "authorization_url": "https://auth.example/authorize",
    "acquire": [{"name": "code", "request": {"method": "POST", "url": "https://auth.example/code",
                                             "form": {"code": "{{code}}"}}},
                {"request": {"method": "POST", "url": "https://auth.example/token",
                             "form": {"ticket": "{{steps.code.response.ticket}}", "verifier": "{{verifier}}"}}}],
    "refresh": false}})");
  json ctx = context(json::object());
  ctx["flow"] = {{"redirect_uri", "https://app.example/cb"}};
  json begun = authorize_begin(c, ctx, std::string(96, 'a'), kNow);
  ASSERT_EQ(begun["ok"], true) << begun.dump();
  json pending = begun["value"]["pending"];
  json params = {{"code", "c-1"}, {"state", pending["state"]}};
  Trace run = drive(c, context(json::object()), json{{"type", "start"}, {"op", "exchange"}, {"pending", pending}, {"params", params}},
                  {response_event(200, R"({"ticket":"t-1"})"), response_event(200, R"({"access_token":"at-o"})")});
  ASSERT_EQ(sends(run).size(), 2u);
  EXPECT_EQ(run.effects[0]["step"], "token");
  EXPECT_EQ(run.effects[1]["request"]["body"],
            "ticket=t-1&verifier=" + pending["verifier"].get<std::string>());  // the flow is kept between the steps
  EXPECT_EQ(run.effects.back()["type"], "done");
  EXPECT_EQ(run.effects.back()["value"]["connection"]["access_token"], "at-o");
  EXPECT_FALSE(run.states.back().contains("flow"));
}

}  // namespace
}  // namespace connauth
