#include "apply_rule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

Template T(std::string_view source, const std::string& where = "/apply/0") {
  auto parsed = Template::parse(source, where);
  EXPECT_TRUE(parsed.ok()) << source;
  return parsed.ok() ? *parsed.value : Template::literal("<bad template>");
}

JsonTemplate J(const json& value, const std::string& where = "/apply/0/payload") {
  auto parsed = JsonTemplate::parse(value, where);
  EXPECT_TRUE(parsed.ok());
  return parsed.ok() ? *parsed.value : JsonTemplate();
}

const json& scope() {
  static const json s = json::parse(R"({
    "connection": {"key": "k-1", "authtoken": "a t&=", "user": "ann", "password": "p@ss:w", "region": "eu",
                   "count": 3},
    "access_token": "tok"
  })");
  return s;
}

HttpRequest request(std::string method, std::string url, std::vector<Headers::Entry> headers = {},
                    std::string body = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  for (auto& [name, value] : headers) r.headers.add(name, value);
  r.body = std::move(body);
  return r;
}

ApplyRule header_rule(std::string name, std::string_view value) {
  ApplyRule rule;
  rule.headers.emplace_back(std::move(name), T(value));
  return rule;
}

ApplyRule param_rule(std::vector<std::pair<std::string, std::string>> params) {
  ApplyRule rule;
  for (auto& [name, value] : params) rule.params.emplace_back(name, T(value));
  return rule;
}

ApplyRule payload_rule(std::vector<std::pair<std::string, json>> payload) {
  ApplyRule rule;
  for (auto& [key, value] : payload) rule.payload.emplace_back(key, J(value));
  return rule;
}

UrlCondition condition(UrlCondition::Kind kind, std::string value) {
  UrlCondition c;
  c.kind = kind;
  c.value = std::move(value);
  if (kind == UrlCondition::Kind::Regex) {
    auto compiled = Pattern::compile(c.value, "", "/when/url/regex");
    EXPECT_TRUE(compiled.ok());
    if (compiled.ok()) c.pattern = *compiled.value;
  }
  return c;
}

HttpRequest applied(const std::vector<ApplyRule>& rules, HttpRequest r) {
  auto result = apply_rules(rules, std::move(r), scope());
  EXPECT_TRUE(result.ok()) << (result.errors.empty() ? "" : result.errors[0].path + ": " + result.errors[0].message);
  return result.ok() ? *result.value : HttpRequest{};
}

// ---- matching ---------------------------------------------------------------------

TEST(ApplyRuleMatches, NoConditionMatchesEverything) {
  ApplyRule rule;
  EXPECT_TRUE(rule.matches(request("GET", "https://x.example/")));
  EXPECT_TRUE(rule.matches(request("DELETE", "http://y.example/z")));
}

TEST(ApplyRuleMatches, VerbListIsCaseInsensitive) {
  ApplyRule rule;
  rule.verbs = {"POST", "PUT", "PATCH"};
  EXPECT_TRUE(rule.matches(request("POST", "https://x.example/")));
  EXPECT_TRUE(rule.matches(request("patch", "https://x.example/")));
  EXPECT_FALSE(rule.matches(request("GET", "https://x.example/")));
  EXPECT_FALSE(rule.matches(request("POSTS", "https://x.example/")));
}

TEST(ApplyRuleMatches, UrlPrefix) {
  ApplyRule rule;
  rule.url = condition(UrlCondition::Kind::Prefix, "https://developer.api.autodesk.com/cost/");
  EXPECT_TRUE(rule.matches(request("GET", "https://developer.api.autodesk.com/cost/v1/items")));
  EXPECT_FALSE(rule.matches(request("GET", "https://developer.api.autodesk.com/data/v1/cost/")));
  EXPECT_FALSE(rule.matches(request("GET", "https://evil.example/?https://developer.api.autodesk.com/cost/")));
}

TEST(ApplyRuleMatches, UrlContains) {
  ApplyRule rule;
  rule.url = condition(UrlCondition::Kind::Contains, "/v2/");
  EXPECT_TRUE(rule.matches(request("GET", "https://x.example/api/v2/me")));
  EXPECT_FALSE(rule.matches(request("GET", "https://x.example/api/v1/me")));
}

TEST(ApplyRuleMatches, UrlRegexIsAnUnanchoredSearch) {
  ApplyRule rule;
  rule.url = condition(UrlCondition::Kind::Regex, R"(/v\d+/(files|uploads)\b)");
  EXPECT_TRUE(rule.matches(request("GET", "https://x.example/api/v3/uploads?x=1")));
  EXPECT_FALSE(rule.matches(request("GET", "https://x.example/api/vX/uploads")));
}

TEST(ApplyRuleMatches, RegexWithoutACompiledPatternNeverMatches) {
  ApplyRule rule;
  rule.url = UrlCondition{UrlCondition::Kind::Regex, ".*", nullptr};
  EXPECT_FALSE(rule.matches(request("GET", "https://x.example/")));
}

TEST(ApplyRuleMatches, VerbAndUrlMustBothMatch) {
  ApplyRule rule;
  rule.verbs = {"POST"};
  rule.url = condition(UrlCondition::Kind::Prefix, "https://x.example/upload");
  EXPECT_TRUE(rule.matches(request("POST", "https://x.example/upload/1")));
  EXPECT_FALSE(rule.matches(request("GET", "https://x.example/upload/1")));
  EXPECT_FALSE(rule.matches(request("POST", "https://x.example/other")));
}

// ---- headers ------------------------------------------------------------------------

TEST(ApplyRules, DefaultBearerRule) {
  HttpRequest out = applied({header_rule("Authorization", "Bearer {{access_token}}")},
                            request("GET", "https://x.example/me", {{"Accept", "application/json"}}));
  EXPECT_EQ(out.method, "GET");
  EXPECT_EQ(out.url, "https://x.example/me");
  EXPECT_THAT(out.headers.entries(),
              ElementsAre(Pair("Accept", "application/json"), Pair("Authorization", "Bearer tok")));
  EXPECT_EQ(out.body, "");
}

TEST(ApplyRules, LaterRuleOverridesEarlierHeaderCaseInsensitively) {
  ApplyRule first;
  first.headers.emplace_back("Authorization", T("Bearer {{access_token}}"));
  first.headers.emplace_back("Content-Type", T("application/vnd.api+json"));
  ApplyRule cost = header_rule("content-type", "application/json");
  cost.url = condition(UrlCondition::Kind::Prefix, "https://developer.api.autodesk.com/cost/");

  HttpRequest on_cost = applied({first, cost}, request("GET", "https://developer.api.autodesk.com/cost/v1"));
  EXPECT_THAT(on_cost.headers.entries(), ElementsAre(Pair("Authorization", "Bearer tok"),
                                                     Pair("Content-Type", "application/json")));
  HttpRequest elsewhere = applied({first, cost}, request("GET", "https://developer.api.autodesk.com/data/v1"));
  EXPECT_THAT(elsewhere.headers.entries(), ElementsAre(Pair("Authorization", "Bearer tok"),
                                                       Pair("Content-Type", "application/vnd.api+json")));
}

TEST(ApplyRules, RuleHeaderReplacesTheCallersHeader) {
  HttpRequest out = applied({header_rule("X-API-KEY", "{{connection.key}}")},
                            request("GET", "https://x.example/", {{"x-api-key", "forged"}, {"X-Api-Key", "again"}}));
  EXPECT_THAT(out.headers.entries(), ElementsAre(Pair("x-api-key", "k-1")));
}

TEST(ApplyRules, HeaderValueWithLineBreakFails) {
  json s = {{"connection", {{"key", "k\r\nX-Injected: 1"}}}};
  auto result = apply_rules({header_rule("X-Key", "{{connection.key}}")}, request("GET", "https://x.example/"), s);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].path, "/apply/0");
  EXPECT_EQ(result.errors[0].message,
            "renders to a value with a line break or NUL character, which cannot be sent in the X-Key header");
}

TEST(ApplyRules, HeaderValueAboveLatin1Fails) {
  // fetch carries header values as byte strings: 日本 cannot be sent as is.
  json s = {{"connection", {{"key", "k-\xE6\x97\xA5\xE6\x9C\xAC"}}}};
  auto result = apply_rules({header_rule("X-Key", "{{connection.key}}")}, request("GET", "https://x.example/"), s);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].path, "/apply/0");
  EXPECT_EQ(result.errors[0].message,
            "renders to a value with a character above U+00FF (encode it, e.g. with the urlencode or base64 filter), "
            "which cannot be sent in the X-Key header");
  // The same value through a filter is plain ASCII.
  auto encoded = apply_rules({header_rule("X-Key", "{{connection.key | urlencode}}")}, request("GET", "https://x.example/"), s);
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(*encoded.value->headers.get("X-Key"), "k-%E6%97%A5%E6%9C%AC");
}

// ---- basic ---------------------------------------------------------------------------

TEST(ApplyRules, BasicAuthorization) {
  ApplyRule rule;
  rule.basic = BasicCredentials{T("{{connection.user}}"), T("{{connection.password}}")};
  HttpRequest out = applied({rule}, request("GET", "https://x.example/"));
  // base64("ann:p@ss:w")
  EXPECT_THAT(out.headers.entries(), ElementsAre(Pair("Authorization", "Basic YW5uOnBAc3M6dw==")));
}

TEST(ApplyRules, BasicUsernameWithColonFails) {
  ApplyRule rule;
  rule.basic = BasicCredentials{T("a:b", "/apply/0/basic/username"), T("x", "/apply/0/basic/password")};
  auto result = apply_rules({rule}, request("GET", "https://x.example/"), scope());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].path, "/apply/0/basic/username");
  EXPECT_THAT(result.errors[0].message, HasSubstr("RFC 7617"));
}

TEST(ApplyRules, HeaderInTheSameRuleWinsOverBasic) {
  ApplyRule rule = header_rule("authorization", "Token {{connection.key}}");
  rule.basic = BasicCredentials{T("u"), T("p")};
  HttpRequest out = applied({rule}, request("GET", "https://x.example/"));
  EXPECT_THAT(out.headers.entries(), ElementsAre(Pair("Authorization", "Token k-1")));
}

TEST(ApplyRules, LaterBearerOverridesEarlierBasic) {
  ApplyRule basic;
  basic.basic = BasicCredentials{T("u"), T("p")};
  HttpRequest out = applied({basic, header_rule("Authorization", "Bearer {{access_token}}")},
                            request("GET", "https://x.example/"));
  EXPECT_THAT(out.headers.entries(), ElementsAre(Pair("Authorization", "Bearer tok")));
}

// ---- params --------------------------------------------------------------------------

TEST(ApplyRules, ParamsAreAppendedFormEncoded) {
  HttpRequest out = applied({param_rule({{"authtoken", "{{connection.authtoken}}"}})},
                            request("GET", "https://x.example/api/me"));
  EXPECT_EQ(out.url, "https://x.example/api/me?authtoken=a+t%26%3D");
}

TEST(ApplyRules, ParamReplacesSameNamedParamAndKeepsOthersAsWritten) {
  HttpRequest out = applied({param_rule({{"api_key", "{{connection.key}}"}})},
                            request("GET", "https://x.example/s?q=a%20b&api_key=forged&page=2&api_key=x&flag#top"));
  EXPECT_EQ(out.url, "https://x.example/s?q=a%20b&api_key=k-1&page=2&flag#top");
}

TEST(ApplyRules, EncodedExistingParamNameIsReplaced) {
  HttpRequest out = applied({param_rule({{"api key", "v"}})}, request("GET", "https://x.example/?api+key=old&api%20key=old2"));
  EXPECT_EQ(out.url, "https://x.example/?api+key=v");
}

TEST(ApplyRules, LaterRuleOverridesEarlierParam) {
  ApplyRule eu = param_rule({{"region", "{{connection.region}}"}});
  eu.url = condition(UrlCondition::Kind::Contains, "/eu/");
  HttpRequest out = applied({param_rule({{"region", "us"}, {"key", "{{connection.key}}"}}), eu},
                            request("GET", "https://x.example/eu/items?x=1"));
  EXPECT_EQ(out.url, "https://x.example/eu/items?x=1&region=eu&key=k-1");
  HttpRequest other = applied({param_rule({{"region", "us"}, {"key", "{{connection.key}}"}}), eu},
                              request("GET", "https://x.example/us/items"));
  EXPECT_EQ(other.url, "https://x.example/us/items?region=us&key=k-1");
}

TEST(ApplyRules, ParamsGoBeforeTheFragment) {
  HttpRequest out = applied({param_rule({{"k", "v"}})}, request("GET", "https://x.example/p?#frag?x"));
  EXPECT_EQ(out.url, "https://x.example/p?k=v#frag?x");
}

// ---- payload ---------------------------------------------------------------------------

TEST(ApplyRules, JsonPayloadMergesIntoTheObjectKeepingKeyOrder) {
  ApplyRule rule = payload_rule({{"api_token", "{{connection.key}}"}, {"meta", {{"n", "{{connection.count}}"}, {"x", 1}}}});
  rule.verbs = {"POST", "PUT", "PATCH"};
  HttpRequest out = applied({rule}, request("POST", "https://x.example/items",
                                            {{"Content-Type", "application/json; charset=utf-8"}},
                                            R"({"z": 1, "api_token": "forged", "a": [true]})"));
  EXPECT_EQ(out.body, R"({"z":1,"api_token":"k-1","a":[true],"meta":{"n":"3","x":1}})");
}

TEST(ApplyRules, JsonSuffixMediaTypesAndEmptyBodies) {
  ApplyRule rule = payload_rule({{"k", "{{connection.key}}"}});
  HttpRequest vnd = applied({rule}, request("PATCH", "https://x.example/", {{"content-type", "Application/VND.API+JSON"}},
                                            R"({"data": {}})"));
  EXPECT_EQ(vnd.body, R"({"data":{},"k":"k-1"})");
  HttpRequest empty = applied({rule}, request("PUT", "https://x.example/", {{"Content-Type", "application/json"}}));
  EXPECT_EQ(empty.body, R"({"k":"k-1"})");
}

TEST(ApplyRules, JsonObjectBodyWithoutContentType) {
  ApplyRule rule = payload_rule({{"k", "{{connection.key}}"}});
  EXPECT_EQ(applied({rule}, request("POST", "https://x.example/", {}, R"( {"a": 1} )")).body, R"({"a":1,"k":"k-1"})");
  // Not an object, or not JSON: left alone.
  EXPECT_EQ(applied({rule}, request("POST", "https://x.example/", {}, "[1]")).body, "[1]");
  EXPECT_EQ(applied({rule}, request("POST", "https://x.example/", {}, "a=1")).body, "a=1");
  EXPECT_EQ(applied({rule}, request("POST", "https://x.example/", {}, "")).body, "");
}

TEST(ApplyRules, JsonContentTypeWithNonObjectBodyIsSkipped) {
  ApplyRule rule = payload_rule({{"k", "{{connection.key}}"}});
  HttpRequest out = applied({rule}, request("POST", "https://x.example/", {{"Content-Type", "application/json"}}, "[1,2]"));
  EXPECT_EQ(out.body, "[1,2]");
  HttpRequest broken = applied({rule}, request("POST", "https://x.example/", {{"Content-Type", "application/json"}}, "{"));
  EXPECT_EQ(broken.body, "{");
}

TEST(ApplyRules, FormPayloadSetsAndReplacesFields) {
  ApplyRule first = payload_rule({{"api_token", "first"}, {"n", 5}});
  ApplyRule second = payload_rule({{"api_token", "{{connection.authtoken}}"}});
  HttpRequest out = applied({first, second},
                            request("POST", "https://x.example/", {{"Content-Type", "application/x-www-form-urlencoded"}},
                                    "name=A%20B&api_token=forged&x=1"));
  EXPECT_EQ(out.body, "name=A%20B&api_token=a+t%26%3D&x=1&n=5");
}

TEST(ApplyRules, FormPayloadOnEmptyBody) {
  HttpRequest out = applied({payload_rule({{"k", "{{connection.key}}"}})},
                            request("PUT", "https://x.example/", {{"Content-Type", "application/x-www-form-urlencoded"}}));
  EXPECT_EQ(out.body, "k=k-1");
}

TEST(ApplyRules, PayloadSkippedForOtherVerbsAndContentTypes) {
  ApplyRule rule = payload_rule({{"k", "{{connection.missing}}"}});  // would fail if rendered
  EXPECT_EQ(applied({rule}, request("GET", "https://x.example/", {{"Content-Type", "application/json"}}, "{}")).body, "{}");
  EXPECT_EQ(applied({rule}, request("DELETE", "https://x.example/", {}, R"({"a":1})")).body, R"({"a":1})");
  EXPECT_EQ(applied({rule}, request("POST", "https://x.example/", {{"Content-Type", "text/plain"}}, R"({"a":1})")).body,
            R"({"a":1})");
  EXPECT_EQ(applied({rule}, request("POST", "https://x.example/", {{"Content-Type", "multipart/form-data; boundary=x"}},
                                    "--x--")).body,
            "--x--");
}

TEST(ApplyRules, ContentLengthFollowsTheNewBody) {
  HttpRequest out = applied({payload_rule({{"k", "v"}})},
                            request("POST", "https://x.example/", {{"Content-Type", "application/json"}, {"Content-Length", "2"}}, "{}"));
  EXPECT_EQ(out.body, R"({"k":"v"})");
  EXPECT_EQ(*out.headers.get("content-length"), "9");
}

// ---- the whole list --------------------------------------------------------------------

TEST(ApplyRules, SpecExampleRuleList) {
  ApplyRule bearer;
  bearer.headers.emplace_back("Authorization", T("Bearer {{access_token}}"));
  bearer.headers.emplace_back("Content-Type", T("application/vnd.api+json"));
  ApplyRule cost = header_rule("Content-Type", "application/json");
  cost.url = condition(UrlCondition::Kind::Prefix, "https://developer.api.autodesk.com/cost/");
  ApplyRule payload = payload_rule({{"api_token", "{{connection.key}}"}});
  payload.verbs = {"POST", "PUT", "PATCH"};
  ApplyRule params = param_rule({{"authtoken", "{{connection.authtoken}}"}});
  std::vector<ApplyRule> rules = {bearer, cost, payload, params};

  HttpRequest post = applied(rules, request("POST", "https://developer.api.autodesk.com/cost/v1/items?page=1", {}, R"({"name":"n"})"));
  EXPECT_EQ(post.url, "https://developer.api.autodesk.com/cost/v1/items?page=1&authtoken=a+t%26%3D");
  EXPECT_THAT(post.headers.entries(), ElementsAre(Pair("Authorization", "Bearer tok"),
                                                  Pair("Content-Type", "application/json")));
  EXPECT_EQ(post.body, R"({"name":"n","api_token":"k-1"})");

  HttpRequest get = applied(rules, request("GET", "https://developer.api.autodesk.com/data/v1"));
  EXPECT_EQ(get.url, "https://developer.api.autodesk.com/data/v1?authtoken=a+t%26%3D");
  EXPECT_THAT(get.headers.entries(), ElementsAre(Pair("Authorization", "Bearer tok"),
                                                 Pair("Content-Type", "application/vnd.api+json")));
  EXPECT_EQ(get.body, "");
}

TEST(ApplyRules, NonMatchingRulesChangeNothing) {
  ApplyRule rule = header_rule("Authorization", "Bearer {{connection.missing}}");
  rule.verbs = {"POST"};
  HttpRequest in = request("GET", "https://x.example/a?b=c#d", {{"Accept", "*/*"}}, "");
  HttpRequest out = applied({rule}, in);
  EXPECT_EQ(out.url, in.url);
  EXPECT_THAT(out.headers.entries(), ElementsAre(Pair("Accept", "*/*")));
}

TEST(ApplyRules, MissingValueFailsTheWholeApply) {
  ApplyRule first = header_rule("Authorization", "Bearer {{access_token}}");
  ApplyRule second;
  second.params.emplace_back("sig", T("{{connection.secret}}", "/authorization/apply/1/params/sig"));
  auto result = apply_rules({first, second}, request("GET", "https://x.example/"), scope());
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].path, "/authorization/apply/1/params/sig");
  EXPECT_THAT(result.errors[0].message, HasSubstr("no value for `connection.secret`"));
}

TEST(ApplyRules, MissingPayloadValueFailsAPost) {
  auto result = apply_rules({payload_rule({{"k", "{{connection.missing}}"}})},
                            request("POST", "https://x.example/", {{"Content-Type", "application/json"}}, "{}"), scope());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].path, "/apply/0/payload");
  EXPECT_THAT(result.errors[0].message, HasSubstr("no value for `connection.missing`"));
}

TEST(ApplyRules, MissingAccessTokenFailsTheDefaultBearer) {
  auto result = apply_rules({header_rule("Authorization", "Bearer {{access_token}}")},
                            request("GET", "https://x.example/"), json::object());
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.errors[0].message, HasSubstr("no value for `access_token`"));
}

TEST(ApplyRules, NoRulesReturnTheRequestUnchanged) {
  HttpRequest out = applied({}, request("PUT", "https://x.example/p?q#f", {{"A", "1"}}, "body"));
  EXPECT_EQ(out.url, "https://x.example/p?q#f");
  EXPECT_EQ(out.body, "body");
  EXPECT_THAT(out.headers.entries(), ElementsAre(Pair("A", "1")));
}

}  // namespace
}  // namespace connauth
