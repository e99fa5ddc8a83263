// BoundConnection against the one-shot engine calls (engine.h): for every
// case both paths run on the same connector, context and request, and the
// bound path's edits, applied to the request, must give the one-shot answer
// exactly (success or problems). Then what only the bound path has: edits
// (headers to set, a body only when rewritten), reads_body, lifetime.
#include "bound_connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "answer_text.h"
#include "engine.h"
#include "json_io.h"

#ifndef CONNAUTH_SOURCE_DIR
#define CONNAUTH_SOURCE_DIR "."
#endif

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

Connector parse(const std::string& text) {
  auto parsed = parse_connector(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors[0].path + ": " + parsed.errors[0].message);
  return parsed.ok() ? std::move(*parsed.value) : Connector{};
}

Connector example(const std::string& file) {
  std::ifstream in(std::filesystem::path(CONNAUTH_SOURCE_DIR) / "connectors" / "examples" / file);
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str());
}

// What the one-shot path's caller does with edits (apply_rule.h): set each
// header, replace the body, keep a Content-Length it carried true.
HttpRequest with_edits(HttpRequest request, const RequestEdits& edits) {
  request.url = edits.url;
  for (const auto& [name, value] : edits.headers) request.headers.set(name, std::string(value));
  if (edits.body) {
    request.body = *edits.body;
    if (request.headers.get("Content-Length")) request.headers.set("Content-Length", std::to_string(request.body.size()));
  }
  return request;
}

// The bound path's answer in the one-shot answer's envelope.
json bound_answer(const Connector& connector, const json& context, const json& request_json) {
  auto bound = BoundConnection::bind(connector, context);
  if (!bound.ok()) return error_envelope(bound.errors);
  auto request = request_from_json(request_json, "/request");
  if (!request.ok()) return error_envelope(request.errors);
  std::optional<std::string_view> content_type;
  if (const std::string* type = request.value->headers.get("Content-Type")) content_type = *type;
  auto edits = bound.value->apply(request.value->method, request.value->url, content_type, request.value->body);
  // write_apply, the binding's path, answers exactly the text of apply's
  // answer, whichever way it takes (its own for the usual request).
  std::string written, expected;
  bound.value->write_apply(written, request.value->method, request.value->url, content_type, request.value->body);
  write_edits(expected, edits);
  EXPECT_EQ(written, expected) << "write_apply for " << request_json.dump();
  if (!edits.ok()) return error_envelope(edits.errors);
  return ok_envelope(request_to_json(with_edits(*request.value, *edits.value)));
}

void expect_same_answers(const Connector& connector, const json& context, const std::vector<json>& requests) {
  for (const json& request : requests) {
    json one_shot = apply_to_request(connector, context, request);
    EXPECT_EQ(bound_answer(connector, context, request), one_shot)
        << "request " << request.dump() << "\none-shot: " << one_shot.dump();
  }
}

// ---- the same answers as the one-shot apply ---------------------------------------

const char* const kRulesConnector = R"({"name": "rules",
  "connection": {"base_uri": "https://api.example/v1/"},
  "authorization": {"type": "api_key", "apply": [
    {"headers": {"Authorization": "Bearer {{connection.key}}", "Content-Type": "application/vnd.api+json"}},
    {"when": {"url": {"prefix": "https://api.example/v1/cost/"}}, "headers": {"content-type": "application/json"}},
    {"when": {"verb": ["POST", "PUT", "PATCH"]},
     "payload": {"api_token": "{{connection.key}}", "meta": {"n": "{{connection.count}}", "x": 1}}},
    {"params": {"authtoken": "{{connection.authtoken}}"}},
    {"when": {"url": {"regex": "/v\\d+/(files|uploads)\\b"}}, "params": {"authtoken": "{{connection.region}}", "page": "1"}},
    {"when": {"url": {"contains": "/eu/"}}, "headers": {"X-Region": "{{connection.region}}", "x-region": "last"}}
  ]}})";

json rules_context() {
  return {{"connection", {{"key", "k&y"}, {"authtoken", "a t&="}, {"count", 3}, {"region", "eu"}}}};
}

TEST(BoundConnectionParity, ConditionsPrecedenceParamsAndPayload) {
  Connector c = parse(kRulesConnector);
  expect_same_answers(c, rules_context(), {
    {{"url", "items?a=1&authtoken=old&authtoken=again#frag"}},
    {{"method", "get"}, {"url", "https://api.example/v1/cost/items"}, {"headers", {{"authorization", "forged"}}}},
    {{"method", "POST"}, {"url", "cost/items"}, {"headers", {{"Content-Type", "application/json"}}},
     {"body", R"({"z": 1, "api_token": "forged", "a": [true]})"}},
    {{"method", "PATCH"}, {"url", "x"}, {"headers", {{"content-type", "Application/VND.API+JSON"}}}, {"body", R"({"data": {}})"}},
    {{"method", "PUT"}, {"url", "x"}, {"headers", {{"Content-Type", "application/json"}}}},
    {{"method", "POST"}, {"url", "x"}, {"body", R"( {"a": 1} )"}},
    {{"method", "POST"}, {"url", "x"}, {"body", "[1]"}},
    {{"method", "POST"}, {"url", "x"}, {"body", ""}},
    {{"method", "POST"}, {"url", "x"}, {"headers", {{"Content-Type", "application/json"}}}, {"body", "{"}},
    {{"method", "POST"}, {"url", "x"}, {"headers", {{"Content-Type", "application/x-www-form-urlencoded"}}},
     {"body", "name=A%20B&api_token=forged&x=1"}},
    {{"method", "PUT"}, {"url", "x"}, {"headers", {{"Content-Type", "application/x-www-form-urlencoded"}}}},
    {{"method", "DELETE"}, {"url", "x"}, {"body", R"({"a":1})"}},
    {{"method", "POST"}, {"url", "x"}, {"headers", {{"Content-Type", "text/plain"}}}, {"body", R"({"a":1})"}},
    {{"method", "POST"}, {"url", "x"}, {"headers", {{"Content-Type", "multipart/form-data; boundary=x"}}}, {"body", "--x--"}},
    {{"method", "POST"}, {"url", "x"}, {"headers", {{"Content-Type", "application/json"}, {"Content-Length", "2"}}}, {"body", "{}"}},
    {{"url", "https://api.example/v2/uploads?authtoken=x&q=a%20b"}},
    {{"url", "https://other.example/eu/p?#frag?x"}},
    {{"url", "/eu/items"}, {"headers", {{"X-REGION", "caller"}, {"Accept", "*/*"}}}},
  });
}

// Values that do not render: reported only on the requests whose matching
// rules need them, with their JSON pointers.
const char* const kMissingConnector = R"({"name": "missing",
  "connection": {"base_uri": "https://{{connection.sub}}.example/"},
  "authorization": {"type": "api_key", "apply": [
    {"headers": {"X-Key": "{{connection.key}}"}},
    {"when": {"verb": ["POST"]}, "headers": {"X-Post": "{{connection.missing_header}}"}},
    {"when": {"url": {"contains": "/signed/"}}, "params": {"sig": "{{connection.secret}}"}},
    {"payload": {"k": "{{connection.missing_payload}}", "n": {"deep": ["{{connection.missing_deep}}"]}}},
    {"when": {"url": {"contains": "/inject/"}}, "headers": {"X-Inject": "{{connection.evil}}"}},
    {"when": {"url": {"contains": "/basic/"}}, "basic": {"username": "{{connection.user}}", "password": "p"}},
    {"when": {"url": {"contains": "/nobasic/"}}, "basic": {"username": "u", "password": "{{connection.none}}"}},
    {"when": {"url": {"contains": "/object/"}}, "headers": {"X-Object": "{{connection.object}}"}}
  ]}})";

json missing_context() {
  return {{"connection", {{"key", "k"}, {"evil", "a\r\nX-Injected: 1"}, {"user", "a:b"}, {"object", {{"a", 1}}}}}};
}

TEST(BoundConnectionParity, RenderFailuresOnlyOnMatchingRules) {
  Connector c = parse(kMissingConnector);
  expect_same_answers(c, missing_context(), {
    {{"url", "https://x.example/a"}},
    {{"url", "a"}},  // base_uri needs connection.sub
    {{"method", "POST"}, {"url", "https://x.example/a"}},
    {{"url", "https://x.example/signed/a"}},
    {{"method", "PUT"}, {"url", "https://x.example/a"}, {"headers", {{"Content-Type", "application/json"}}}, {"body", "{}"}},
    {{"method", "PUT"}, {"url", "https://x.example/a"}, {"headers", {{"Content-Type", "text/plain"}}}, {"body", "{}"}},
    {{"method", "GET"}, {"url", "https://x.example/a"}, {"headers", {{"Content-Type", "application/json"}}}, {"body", "{}"}},
    {{"url", "https://x.example/inject/"}},
    {{"url", "https://x.example/basic/"}},
    {{"url", "https://x.example/nobasic/"}},
    {{"url", "https://x.example/object/"}},
  });
}

TEST(BoundConnectionParity, RequestProblems) {
  Connector c = parse(kRulesConnector);
  expect_same_answers(c, rules_context(), {
    {{"url", "javascript:alert(1)"}},
    {{"url", "https://user:pw@evil.example/"}},
    {{"url", "https://a.example\\@b.example/"}},
    {{"url", "has space"}},
    {{"url", "//evil.example/x"}},
    {{"url", "../../../up"}},
    {{"method", "bad method"}, {"url", "x"}},
  });
  Connector no_base = parse(R"({"name": "nb", "authorization": {"type": "api_key",
    "apply": [{"headers": {"X-Key": "{{connection.key}}"}}]}})");
  expect_same_answers(no_base, rules_context(), {{{"url", "relative"}}, {{"url", "https://x.example/"}}});
}

TEST(BoundConnectionParity, BasicAuthAndDefaultRules) {
  Connector basic = example("basic_auth.json");
  json jira = {{"connection", {{"site", "acme"}, {"username", "ann@acme.example"}, {"password", "p@ss:w"}}}};
  expect_same_answers(basic, jira, {{{"url", "myself"}}, {{"url", "https://acme.atlassian.net/x"}}});
  json colon = {{"connection", {{"site", "acme"}, {"username", "a:b"}, {"password", "p"}}}};
  expect_same_answers(basic, colon, {{{"url", "myself"}}});

  Connector mixed = parse(R"({"name": "mixed", "authorization": {"type": "api_key", "apply": [
    {"basic": {"username": "u", "password": "p"}, "headers": {"X-Key": "{{connection.key}}"}},
    {"when": {"url": {"contains": "/token/"}}, "headers": {"authorization": "Token {{connection.key}}"}},
    {"when": {"url": {"contains": "/bearer/"}}, "headers": {"Authorization": "Bearer {{access_token}}"}}]}})");
  json ctx = {{"connection", {{"key", "k-1"}, {"access_token", "tok"}}}};
  expect_same_answers(mixed, ctx, {{{"url", "https://x.example/"}}, {{"url", "https://x.example/token/bearer/"}},
                                   {{"url", "https://x.example/token/"}, {"headers", {{"AUTHORIZATION", "forged"}}}}});

  Connector oauth = parse(R"({"name": "o", "connection": {"base_uri": "https://api.example/"},
    "authorization": {"type": "oauth2", "authorization_url": "https://a.example/auth", "token_url": "https://a.example/token"}})");
  expect_same_answers(oauth, {{"connection", {{"access_token", "at"}}}}, {{{"url", "me"}}});
  expect_same_answers(oauth, json::object(), {{{"url", "me"}}});  // no token: the Bearer rule fails
}

TEST(BoundConnectionParity, ExampleConnectors) {
  Connector autodesk = example("autodesk.json");
  expect_same_answers(autodesk, {{"connection", {{"access_token", "tok"}}}}, {
    {{"url", "cost/v1/items"}},
    {{"method", "POST"}, {"url", "data/v1/x"}, {"headers", {{"content-type", "text/plain"}}}, {"body", "b"}},
  });
  Connector zoho = example("zoho_authtoken.json");
  expect_same_answers(zoho, {{"connection", {{"authtoken", "t&k"}}}}, {{{"url", "Users/getUsers?scope=x&type=CurrentUser"}}});
  expect_same_answers(zoho, {{"connection", json::object()}}, {{{"url", "Users/getUsers"}}});
}

// SPEC §2.2: the multi option in force, with its own field defaults, is the
// one bound; an option that does not exist fails the bind as it fails apply.
TEST(BoundConnectionParity, MultiOption) {
  Connector stripe = example("stripe_multi.json");
  expect_same_answers(stripe, {{"connection", {{"api_key", "sk_1"}}}}, {{{"url", "charges"}}});
  expect_same_answers(stripe, {{"connection", {{"auth_type", "stripe_oauth2"}, {"access_token", "at"}}}}, {{{"url", "charges"}}});
  json unknown = {{"connection", {{"auth_type", "nope"}}}};
  expect_same_answers(stripe, unknown, {{{"url", "charges"}}});
  auto bound = BoundConnection::bind(stripe, unknown);
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.errors[0].path, "/authorization/selected");
}

// App settings win over the user's values and field defaults fill the gaps
// (scope.h, context.h): the bound scope is the one-shot scope.
TEST(BoundConnectionParity, SettingsAndFieldDefaults) {
  Connector c = parse(R"({"name": "s",
    "connection": {"fields": [{"name": "region", "label": "Region", "default": "us"}, {"name": "tenant", "label": "T"}],
                   "base_uri": "https://{{connection.region}}.api.example/"},
    "authorization": {"type": "api_key", "apply": [
      {"headers": {"X-Tenant": "{{connection.tenant}}", "X-Client": "{{client_id}}"}, "params": {"scope": "{{scopes}}"}}]}})");
  json ctx = {{"connection", {{"tenant", "user"}}},
              {"app", {{"client_id", "cid"}, {"scopes", {"a", "b"}}, {"settings", {{"tenant", "admin"}}}}}};
  expect_same_answers(c, ctx, {{{"url", "x"}}});
  auto bound = BoundConnection::bind(c, ctx);
  ASSERT_TRUE(bound.ok());
  auto edits = bound.value->apply("GET", "x", std::nullopt, "");
  ASSERT_TRUE(edits.ok());
  EXPECT_EQ(edits.value->url, "https://us.api.example/x?scope=a+b");
  // nlohmann's json object (the definition as parsed) keeps keys sorted.
  EXPECT_THAT(edits.value->headers, ElementsAre(Pair("X-Client", "cid"), Pair("X-Tenant", "admin")));
}

// ---- what the bound path answers ---------------------------------------------------

BoundConnection bound_to(const Connector& connector, const json& context) {
  auto bound = BoundConnection::bind(connector, context);
  EXPECT_TRUE(bound.ok());
  return std::move(*bound.value);
}

TEST(BoundConnection, EditsAreTheHeadersToSetAndTheBodyOnlyWhenRewritten) {
  Connector c = parse(kRulesConnector);
  BoundConnection bound = bound_to(c, rules_context());

  auto get = bound.apply("GET", "eu/items?authtoken=old", std::nullopt, "");
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get.value->url, "https://api.example/v1/eu/items?authtoken=a+t%26%3D");
  // Deduplicated case-insensitively: the first spelling, the last value.
  EXPECT_THAT(get.value->headers,
              ElementsAre(Pair("Authorization", "Bearer k&y"), Pair("Content-Type", "application/vnd.api+json"),
                          Pair("X-Region", "last")));
  EXPECT_FALSE(get.value->body.has_value());

  std::string_view json_type = "application/json";
  auto post = bound.apply("post", "cost/x", json_type, R"({"a":1})");
  ASSERT_TRUE(post.ok());
  ASSERT_TRUE(post.value->body.has_value());
  EXPECT_EQ(*post.value->body, R"({"a":1,"api_token":"k&y","meta":{"n":"3","x":1}})");

  // A payload rule that matches but cannot merge leaves the body alone.
  std::string_view text_type = "text/plain";
  auto text = bound.apply("POST", "x", text_type, "{}");
  ASSERT_TRUE(text.ok());
  EXPECT_FALSE(text.value->body.has_value());
  // An empty Content-Type is a Content-Type (not JSON); none lets the body decide.
  std::string_view empty_type = "";
  EXPECT_FALSE(bound.apply("POST", "x", empty_type, "{}").value->body.has_value());
  EXPECT_TRUE(bound.apply("POST", "x", std::nullopt, "{}").value->body.has_value());
}

TEST(BoundConnection, ContentLengthSetByARuleFollowsTheNewBody) {
  Connector c = parse(R"({"name": "cl", "authorization": {"type": "api_key", "apply": [
    {"headers": {"Content-Length": "1"}, "payload": {"k": "v"}}]}})");
  BoundConnection bound = bound_to(c, json::object());
  std::string_view json_type = "application/json";
  auto edits = bound.apply("POST", "https://x.example/", json_type, "{}");
  ASSERT_TRUE(edits.ok());
  EXPECT_EQ(*edits.value->body, R"({"k":"v"})");
  EXPECT_THAT(edits.value->headers, ElementsAre(Pair("Content-Length", "9")));
}

TEST(BoundConnection, MethodAndUrlProblemsAreTheCallersRequest) {
  Connector c = parse(kRulesConnector);
  BoundConnection bound = bound_to(c, rules_context());
  auto empty = bound.apply("", "", std::nullopt, "");
  ASSERT_FALSE(empty.ok());
  ASSERT_EQ(empty.errors.size(), 2u);
  EXPECT_EQ(empty.errors[0].path, "/request/method");
  EXPECT_EQ(empty.errors[1].path, "/request/url");
  auto bad = bound.apply("GET", "ftp://x.example/", std::nullopt, "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.errors[0].path, "/request/url");
  EXPECT_THAT(bad.errors[0].message, HasSubstr("http or https"));
}

TEST(BoundConnection, HeaderInjectionFailsOnlyTheRequestsThatNeedTheValue) {
  Connector c = parse(kMissingConnector);
  BoundConnection bound = bound_to(c, missing_context());
  auto injected = bound.apply("GET", "https://x.example/inject/", std::nullopt, "");
  ASSERT_FALSE(injected.ok());
  EXPECT_EQ(injected.errors[0].path, "/authorization/apply/4/headers/X-Inject");
  EXPECT_EQ(injected.errors[0].message,
            "renders to a value with a line break or NUL character, which cannot be sent in the X-Inject header");
  EXPECT_TRUE(bound.apply("GET", "https://x.example/safe/", std::nullopt, "").ok());
}

TEST(BoundConnection, PayloadValuesFailOnlyWhenAPayloadApplies) {
  Connector c = parse(kMissingConnector);
  BoundConnection bound = bound_to(c, missing_context());
  std::string_view json_type = "application/json";
  EXPECT_TRUE(bound.apply("GET", "https://x.example/", json_type, "{}").ok());
  EXPECT_TRUE(bound.apply("DELETE", "https://x.example/", json_type, "{}").ok());
  EXPECT_TRUE(bound.apply("PUT", "https://x.example/", json_type, "[1]").ok());
  auto put = bound.apply("PUT", "https://x.example/", json_type, "{}");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.errors[0].path, "/authorization/apply/3/payload/k");
}

// Within a rule basic, headers, params and payload fail in that order; across
// rules, the first failing rule's problems are reported (a payload only
// when a payload applies).
TEST(BoundConnection, TheFirstFailingValueInRuleOrderIsReported) {
  Connector payload_first = parse(R"({"name": "pf", "authorization": {"type": "api_key", "apply": [
    {"headers": {"X-A": "a"}, "payload": {"k": "{{connection.missing_payload}}"}},
    {"headers": {"X-B": "{{connection.missing_header}}"}}]}})");
  BoundConnection bound = bound_to(payload_first, json::object());
  std::string_view json_type = "application/json";
  for (int round = 0; round < 2; ++round) {  // the second round uses the remembered rule edits
    auto post = bound.apply("POST", "https://x.example/", json_type, "{}");
    ASSERT_FALSE(post.ok());
    EXPECT_EQ(post.errors[0].path, "/authorization/apply/0/payload/k");
    auto get = bound.apply("GET", "https://x.example/", json_type, "{}");
    ASSERT_FALSE(get.ok());
    EXPECT_EQ(get.errors[0].path, "/authorization/apply/1/headers/X-B");
  }
  Connector same_rule = parse(R"({"name": "sr", "authorization": {"type": "api_key", "apply": [
    {"params": {"p": "{{connection.missing_param}}"}, "payload": {"k": "{{connection.missing_payload}}"}}]}})");
  auto post = bound_to(same_rule, json::object()).apply("POST", "https://x.example/", json_type, "{}");
  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.errors[0].path, "/authorization/apply/0/params/p");
}

// Requests that match different sets of rules get their own edits, however
// many sets a connection sees.
TEST(BoundConnection, EditsPerSetOfMatchingRules) {
  std::string rules;
  for (int i = 0; i < 20; ++i)
    rules += std::string(i ? "," : "") + R"({"when": {"url": {"contains": "/)" + std::to_string(i) +
             R"(/"}}, "headers": {"X-Rule": ")" + std::to_string(i) + R"("}})";
  Connector c = parse(R"({"name": "many", "authorization": {"type": "api_key", "apply": [)" + rules + "]}}");
  BoundConnection bound = bound_to(c, json::object());
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 20; ++i) {
      auto edits = bound.apply("GET", "https://x.example/" + std::to_string(i) + "/", std::nullopt, "");
      ASSERT_TRUE(edits.ok());
      EXPECT_THAT(edits.value->headers, ElementsAre(Pair("X-Rule", std::to_string(i))));
    }
  auto none = bound.apply("GET", "https://x.example/none", std::nullopt, "");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value->headers.empty());
}

TEST(BoundConnection, KeepsWorkingAfterAMove) {
  Connector c = parse(kRulesConnector);
  auto bound = BoundConnection::bind(c, rules_context());
  ASSERT_TRUE(bound.ok());
  ASSERT_TRUE(bound.value->apply("GET", "x", std::nullopt, "").ok());  // edits remembered
  std::vector<BoundConnection> many;
  for (int i = 0; i < 8; ++i) many.push_back(*bound.value);  // copies forget them
  bound.value.reset();
  BoundConnection moved = std::move(many.back());
  many.clear();
  for (int round = 0; round < 2; ++round) {
    auto edits = moved.apply("GET", "x", std::nullopt, "");
    ASSERT_TRUE(edits.ok());
    EXPECT_EQ(edits.value->url, "https://api.example/v1/x?authtoken=a+t%26%3D");
    EXPECT_THAT(edits.value->headers,
                ElementsAre(Pair("Authorization", "Bearer k&y"), Pair("Content-Type", "application/vnd.api+json")));
  }
}

TEST(BoundConnection, ReadsRequestBodyOnlyWithAPayloadRule) {
  EXPECT_TRUE(bound_to(parse(kRulesConnector), rules_context()).reads_request_body());
  Connector autodesk = example("autodesk.json");
  EXPECT_FALSE(bound_to(autodesk, json::object()).reads_request_body());
}

// write_apply answers apply's text for every connector shape (conditions,
// params, payloads, values that fail, bases that are not plain) and every
// kind of reference, on one bound connection whose buffers carry over from
// request to request (a long URL, then a short one).
TEST(BoundConnection, WriteApplyAnswersWhatApplyAnswers) {
  const char* const unconditional = R"({"name": "u", "connection": {"base_uri": "https://api.example/v1/"},
    "authorization": {"type": "api_key", "apply": [{"headers": {"X-Api-Key": "{{connection.key}}"}}]}})";
  const char* const query_key = R"({"name": "q", "connection": {"base_uri": "http://h.example"},
    "authorization": {"type": "api_key", "apply": [{"params": {"api_key": "{{connection.key}}"}}]}})";
  const char* const not_plain = R"({"name": "np", "connection": {"base_uri": "https://h.example/a/../b/"},
    "authorization": {"type": "api_key", "apply": [{"headers": {"X-Api-Key": "{{connection.key}}"}}]}})";
  const std::pair<const char*, json> connectors[] = {
      {kRulesConnector, rules_context()}, {kMissingConnector, missing_context()},
      {kMissingConnector, {{"connection", {{"key", "k"}, {"sub", "s"}}}}},
      {unconditional, {{"connection", {{"key", "k-1"}}}}}, {unconditional, json::object()},
      {query_key, {{"connection", {{"key", "a b&"}}}}}, {not_plain, {{"connection", {{"key", "k"}}}}},
  };
  const std::vector<std::string> references = {
      "items", "items/42?page=2&authtoken=x#top", "./items", "/v2/me", "/", "cost/items", "eu/x/", "v1/uploads/a",
      "signed/a", "inject/", "basic/", "object/", "", ".", "../up", "a/./b", "a:b", "//evil.example/x",
      "https://api.example/v1/cost/items", "https://x.example/eu/", "javascript:alert(1)", "has space",
      "back\\slash", "é/ü?ß=1", "x\x7f", std::string(300, 'a'),
  };
  size_t cases = 0;
  for (const auto& [text, context] : connectors) {
    Connector c = parse(text);
    BoundConnection bound = bound_to(c, context);
    for (int round = 0; round < 2; ++round)
      for (const char* method : {"GET", "post", "PUT", "bad method"})
        for (const std::string& reference : references) {
          for (std::optional<std::string_view> type : {std::optional<std::string_view>(),
                                                       std::optional<std::string_view>("application/json")}) {
            std::string written, expected;
            bound.write_apply(written, method, reference, type, R"({"a": 1})");
            write_edits(expected, bound.apply(method, reference, type, R"({"a": 1})"));
            EXPECT_EQ(written, expected) << text << "\n" << method << " " << reference;
            ++cases;
          }
        }
  }
  EXPECT_GT(cases, 1000u);
}

// ---- classify ----------------------------------------------------------------------

const char* const kSignalsConnector = R"({"name": "sig", "authorization": {"type": "api_key",
  "apply": [{"headers": {"X-Key": "k"}}],
  "refresh_on": [401, {"regex": "token (has )?expired", "flags": "i"}, "exact body"],
  "detect_on": [{"regex": "\"error\":"}]}})";

TEST(BoundConnectionClassify, SameAsTheOneShotClassification) {
  Connector c = parse(kSignalsConnector);
  BoundConnection bound = bound_to(c, json::object());
  std::string big(kDefaultBodyLimit, 'a');
  std::vector<std::pair<int, std::string>> responses = {
      {200, R"({"items":[]})"}, {200, R"({"error":"bad"})"}, {200, R"({"error":"Token expired"})"},
      {401, ""}, {403, "TOKEN HAS EXPIRED"}, {404, "not found"}, {400, "exact body"},
      {400, "exact body "}, {99, ""}, {600, "x"}, {302, "token expired"},
      {200, big + "\"error\":"},  // past the limit: not seen
      {400, big}, {400, big + "x"},
  };
  for (const auto& [status, body] : responses) {
    json one_shot = classify_response(c, json::object(), {{"status", status}, {"body", body}});
    auto classified = bound.classify(status, body);
    json answer = error_envelope(classified.errors);
    if (classified.ok()) {
      answer = {{"action", to_string(classified.value->action)}, {"reason", classified.value->reason}};
      if (!classified.value->matched.empty()) answer["matched"] = classified.value->matched;
      answer = ok_envelope(answer);
    }
    EXPECT_EQ(answer, one_shot) << status << " " << body.substr(0, 40);
  }
}

TEST(BoundConnectionClassify, AWholeBodyStringNeverEqualsACutBody) {
  std::string body(kDefaultBodyLimit, 'x');
  Connector c = parse(std::string(R"({"name": "eq", "authorization": {"type": "api_key",
    "apply": [{"headers": {"X-Key": "k"}}], "refresh_on": [")") + body + R"("]}})");
  BoundConnection bound = bound_to(c, json::object());
  EXPECT_EQ(bound.classify(400, body).value->action, Action::Refresh);
  EXPECT_EQ(bound.classify(400, body + "y").value->action, Action::Error);
}

TEST(BoundConnectionClassify, ReadsBody) {
  Connector c = parse(kSignalsConnector);
  BoundConnection bound = bound_to(c, json::object());
  EXPECT_TRUE(bound.reads_body());
  EXPECT_TRUE(bound.reads_body(200));
  EXPECT_TRUE(bound.reads_body(401));

  Connector status_only = parse(R"({"name": "st", "authorization": {"type": "api_key",
    "apply": [{"headers": {"X-Key": "k"}}], "refresh_on": [401], "detect_on": [299]}})");
  EXPECT_FALSE(bound_to(status_only, json::object()).reads_body());
  EXPECT_FALSE(bound_to(status_only, json::object()).reads_body(200));

  // refresh_on reads a 2xx body only after detect_on matched it.
  Connector refresh_body = parse(R"({"name": "rb", "authorization": {"type": "api_key",
    "apply": [{"headers": {"X-Key": "k"}}], "refresh_on": [{"regex": "expired"}]}})");
  BoundConnection rb = bound_to(refresh_body, json::object());
  EXPECT_TRUE(rb.reads_body());
  EXPECT_FALSE(rb.reads_body(200));
  EXPECT_TRUE(rb.reads_body(401));

  Connector detect_status = parse(R"({"name": "ds", "authorization": {"type": "api_key",
    "apply": [{"headers": {"X-Key": "k"}}], "refresh_on": [{"regex": "expired"}], "detect_on": [299]}})");
  EXPECT_TRUE(bound_to(detect_status, json::object()).reads_body(299));
}

// The multi option in force decides which signals apply.
TEST(BoundConnectionClassify, SignalsOfTheSelectedOption) {
  Connector c = parse(R"({"name": "m", "connection": {"fields": [{"name": "auth_type", "label": "T"}]},
    "authorization": {"type": "multi", "options": {
      "a": {"type": "api_key", "apply": [{"headers": {"X-Key": "k"}}], "refresh_on": [{"regex": "expired"}]},
      "b": {"type": "api_key", "apply": [{"headers": {"X-Key": "k"}}], "refresh_on": [418]}}}})");
  BoundConnection a = bound_to(c, {{"connection", {{"auth_type", "a"}}}});
  BoundConnection b = bound_to(c, {{"connection", {{"auth_type", "b"}}}});
  EXPECT_TRUE(a.reads_body());
  EXPECT_FALSE(b.reads_body());
  EXPECT_EQ(a.classify(400, "expired").value->action, Action::Refresh);
  EXPECT_EQ(b.classify(400, "expired").value->action, Action::Error);
  EXPECT_EQ(b.classify(418, "").value->matched, "/authorization/options/b/refresh_on/0");
}

}  // namespace
}  // namespace connauth
