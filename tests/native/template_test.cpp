#include "template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const json& scope() {
  static const json s = json::parse(R"({
    "connection": {"subdomain": "acme", "user": "ann", "pass": "p:w", "empty": "",
                   "nothing": null, "port": 8443, "ratio": 0.1, "big": 3600.0,
                   "neg": -12, "on": true, "off": false, "city": "Zürich",
                   "nested": {"deep": {"value": "found"}},
                   "0": "zero-key", "dash-name": "d", "under_score": "u"},
    "response": {"items": [{"id": 7}, {"id": 8, "tags": ["a", "b"]}]},
    "access_token": "tok",
    "client_id": "cid"
  })");
  return s;
}

std::string render(std::string_view source) {
  auto parsed = Template::parse(source, "/t");
  EXPECT_TRUE(parsed.ok()) << (parsed.errors.empty() ? "" : parsed.errors[0].message);
  if (!parsed.ok()) return "<parse error>";
  auto rendered = parsed.value->render(scope());
  EXPECT_TRUE(rendered.ok()) << (rendered.errors.empty() ? "" : rendered.errors[0].message);
  return rendered.ok() ? *rendered.value : "<render error>";
}

Problem render_problem(std::string_view source) {
  auto parsed = Template::parse(source, "/t");
  EXPECT_TRUE(parsed.ok());
  if (!parsed.ok()) return {};
  auto rendered = parsed.value->render(scope());
  EXPECT_FALSE(rendered.ok());
  EXPECT_EQ(rendered.errors.size(), 1u);
  return rendered.errors.empty() ? Problem{} : rendered.errors[0];
}

Problems parse_problems(std::string_view source) {
  auto parsed = Template::parse(source, "/authorization/apply/0/headers/X");
  EXPECT_FALSE(parsed.ok()) << source;
  return parsed.errors;
}

// ---- rendering --------------------------------------------------------------

TEST(Template, LiteralTextRendersAsIs) {
  EXPECT_EQ(render("plain text"), "plain text");
  EXPECT_EQ(render(""), "");
  auto parsed = Template::parse("plain", "/p");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed.value->is_literal());
  EXPECT_EQ(parsed.value->source(), "plain");
  EXPECT_EQ(parsed.value->where(), "/p");
}

TEST(Template, SubstitutesPathsWithAndWithoutSpaces) {
  EXPECT_EQ(render("https://{{connection.subdomain}}.acme.example/api/"), "https://acme.acme.example/api/");
  EXPECT_EQ(render("{{ connection.user }}:{{connection.pass}}"), "ann:p:w");
  EXPECT_EQ(render("Bearer {{\taccess_token\n}}"), "Bearer tok");
}

TEST(Template, NestedPathsAndArrayIndexes) {
  EXPECT_EQ(render("{{connection.nested.deep.value}}"), "found");
  EXPECT_EQ(render("{{response.items.0.id}}-{{response.items.1.id}}"), "7-8");
  EXPECT_EQ(render("{{response.items.1.tags.1}}"), "b");
  // A numeric segment on an object is a key.
  EXPECT_EQ(render("{{connection.0}}"), "zero-key");
  EXPECT_EQ(render("{{connection.dash-name}}{{connection.under_score}}"), "du");
}

TEST(Template, ScalarsRenderAsText) {
  EXPECT_EQ(render("{{connection.port}}"), "8443");
  EXPECT_EQ(render("{{connection.neg}}"), "-12");
  EXPECT_EQ(render("{{connection.big}}"), "3600");
  EXPECT_EQ(render("{{connection.ratio}}"), "0.1");
  EXPECT_EQ(render("{{connection.on}}/{{connection.off}}"), "true/false");
  EXPECT_EQ(render("{{connection.empty}}"), "");
}

TEST(Template, LargeAndFractionalNumbers) {
  json s = {{"a", 1e300}, {"b", 2.5}, {"c", 18446744073709551615ull}, {"d", -0.000125}};
  auto t = Template::parse("{{a}} {{b}} {{c}} {{d}}", "");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t.value->render(s).value, "1e+300 2.5 18446744073709551615 -0.000125");
}

TEST(Template, UnicodePassesThroughAndIsEncodedByFilters) {
  EXPECT_EQ(render("🔑 {{connection.city}} ✓"), "🔑 Zürich ✓");
  EXPECT_EQ(render("{{connection.city | urlencode}}"), "Z%C3%BCrich");
  EXPECT_EQ(render("{{connection.missing | default: \"Ünïcode ✓\"}}"), "Ünïcode ✓");
}

TEST(Template, LoneClosingBracesAndSingleBracesAreText) {
  EXPECT_EQ(render("}} {x} { y }"), "}} {x} { y }");
  EXPECT_EQ(render("{\"a\": \"{{client_id}}\"}"), "{\"a\": \"cid\"}");
  EXPECT_EQ(render("{{{client_id}}}"), "{cid}");
  EXPECT_EQ(render("a}}b{{client_id}}}}"), "a}}bcid}}");
}

// ---- filters ----------------------------------------------------------------

TEST(Template, DefaultAppliesToAbsentNullAndEmpty) {
  EXPECT_EQ(render("{{connection.custom_domain | default: \"go.trackvia.com\"}}"), "go.trackvia.com");
  EXPECT_EQ(render("{{connection.nothing|default:'n'}}"), "n");
  EXPECT_EQ(render("{{connection.empty | default: \"e\"}}"), "e");
  EXPECT_EQ(render("{{connection.subdomain | default: \"x\"}}"), "acme");
  EXPECT_EQ(render("{{connection.off | default: \"x\"}}"), "false");
  EXPECT_EQ(render("{{connection.missing | default: \"\"}}"), "");
}

TEST(Template, DefaultStringEscapes) {
  EXPECT_EQ(render(R"({{a | default: "say \"hi\""}})"), "say \"hi\"");
  EXPECT_EQ(render(R"({{a | default: 'it\'s'}})"), "it's");
  EXPECT_EQ(render(R"({{a | default: "back\\slash"}})"), "back\\slash");
  EXPECT_EQ(render(R"({{a | default: "pipe | and }} braces"}})"), "pipe | and }} braces");
  EXPECT_EQ(render(R"({{a | default: 'double " inside single'}})"), "double \" inside single");
}

TEST(Template, Base64IsStandardWithPadding) {
  EXPECT_EQ(render("{{connection.user}}:{{connection.pass | base64}}"), "ann:cDp3");
  EXPECT_EQ(render("{{connection.subdomain | base64}}"), "YWNtZQ==");
  EXPECT_EQ(render("{{connection.empty | base64}}"), "");
}

TEST(Template, UrlencodeIsRfc3986) {
  json s = {{"v", "a b&c=d/é~_.-*"}};
  auto t = Template::parse("{{ v | urlencode }}", "");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t.value->render(s).value, "a%20b%26c%3Dd%2F%C3%A9~_.-%2A");
}

TEST(Template, FiltersChainLeftToRight) {
  EXPECT_EQ(render("{{connection.missing | default: \"a b\" | urlencode}}"), "a%20b");
  EXPECT_EQ(render("{{connection.missing | default: \"u:p\" | base64 | urlencode}}"), "dTpw");
  EXPECT_EQ(render("{{connection.subdomain | base64 | base64}}"), "WVdOdFpRPT0=");
  // An absent value passes through base64 to a later default.
  EXPECT_EQ(render("{{connection.missing | base64 | default: \"d\"}}"), "d");
}

// ---- render errors -------------------------------------------------------------

TEST(Template, MissingValueNamesThePath) {
  Problem p = render_problem("https://{{connection.subdomain_x}}.acme.example/");
  EXPECT_EQ(p.path, "/t");
  EXPECT_THAT(p.message, HasSubstr("no value for `connection.subdomain_x`"));
  EXPECT_THAT(p.message, HasSubstr("default"));
}

TEST(Template, NullIsNoValue) {
  EXPECT_THAT(render_problem("{{connection.nothing}}").message, HasSubstr("no value for `connection.nothing`"));
}

TEST(Template, MissingArrayIndexAndPathThroughScalarAreNoValue) {
  EXPECT_THAT(render_problem("{{response.items.5.id}}").message, HasSubstr("no value for `response.items.5.id`"));
  EXPECT_THAT(render_problem("{{connection.subdomain.x}}").message,
              HasSubstr("no value for `connection.subdomain.x`"));
  EXPECT_THAT(render_problem("{{response.items.x}}").message, HasSubstr("no value for `response.items.x`"));
}

TEST(Template, ObjectOrListIsNotASingleValue) {
  Problem p = render_problem("{{connection.nested}}");
  EXPECT_EQ(p.path, "/t");
  EXPECT_THAT(p.message, HasSubstr("`connection.nested` is an object or a list, not a single value"));
  EXPECT_THAT(render_problem("{{response.items}}").message, HasSubstr("not a single value"));
  // default does not hide a structured value
  EXPECT_THAT(render_problem("{{response.items | default: \"x\"}}").message, HasSubstr("not a single value"));
}

TEST(Template, RenderErrorNeverLeaksOtherValues) {
  Problem p = render_problem("{{access_token}} {{connection.none}}");
  EXPECT_THAT(p.message, ::testing::Not(HasSubstr("tok")));
}

// ---- syntax errors ----------------------------------------------------------------

TEST(Template, UnterminatedExpression) {
  Problems p = parse_problems("Bearer {{access_token");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].path, "/authorization/apply/0/headers/X");
  EXPECT_EQ(p[0].message, "the template expression {{access_token is not closed; add }} after the expression");
  EXPECT_THAT(parse_problems("{{ a }")[0].message, HasSubstr("is not closed"));
  EXPECT_THAT(parse_problems("{{")[0].message, HasSubstr("is not closed"));
  EXPECT_THAT(parse_problems("{{ a | default: \"x}}")[0].message, HasSubstr("is not closed"));
}

TEST(Template, EmptyExpression) {
  EXPECT_EQ(parse_problems("x{{ }}y")[0].message,
            "the template expression {{ }} is empty; write a path such as {{connection.subdomain}}");
  EXPECT_THAT(parse_problems("{{}}")[0].message, HasSubstr("is empty"));
}

TEST(Template, BadPaths) {
  EXPECT_THAT(parse_problems("{{ connection..x }}")[0].message,
              HasSubstr("{{ connection..x }} has an invalid path \"connection..x"));
  EXPECT_THAT(parse_problems("{{ .x }}")[0].message, HasSubstr("has an invalid path"));
  EXPECT_THAT(parse_problems("{{ x. }}")[0].message, HasSubstr("has an invalid path"));
  EXPECT_THAT(parse_problems("{{ connection[0] }}")[0].message, HasSubstr("unexpected text \"[0] \""));
  EXPECT_THAT(parse_problems("{{ a b }}")[0].message,
              HasSubstr("has unexpected text \"b \" after the path \"a\""));
  EXPECT_THAT(parse_problems("{{ 'x' }}")[0].message, HasSubstr("letters, digits"));
  EXPECT_THAT(parse_problems("{{ ruby.code() }}")[0].message, HasSubstr("unexpected text \"()"));
}

TEST(Template, UnknownFilter) {
  Problems p = parse_problems("{{ connection.name | upcase }}");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].message,
            "the template expression {{ connection.name | upcase }} uses the unknown filter \"upcase\"; "
            "allowed filters: default: \"text\", base64, base64url, urlencode, hex, sha256, hmac_sha256: <key>, "
            "hmac_sha1: <key>");
  EXPECT_THAT(parse_problems("{{ a | Base64 }}")[0].message, HasSubstr("unknown filter \"Base64\""));
  EXPECT_THAT(parse_problems("{{ a | }}")[0].message, HasSubstr("\"|\" without a filter name"));
}

TEST(Template, FilterArguments) {
  EXPECT_EQ(parse_problems("{{ a | base64: \"x\" }}")[0].message,
            "the template expression {{ a | base64: \"x\" }} gives the base64 filter an argument "
            "(\": \"x\" \"); it takes none: write | base64");
  EXPECT_THAT(parse_problems("{{ a | urlencode:1 }}")[0].message, HasSubstr("it takes none: write | urlencode"));
  EXPECT_THAT(parse_problems("{{ a | default }}")[0].message,
              HasSubstr("uses the default filter without a value; write | default: \"text\""));
  EXPECT_THAT(parse_problems("{{ a | default: x }}")[0].message, HasSubstr("not a quoted string"));
  EXPECT_THAT(parse_problems("{{ a | default: }}")[0].message, HasSubstr("not a quoted string"));
  EXPECT_THAT(parse_problems("{{ a | default: \"x\" y }}")[0].message, HasSubstr("unexpected text \"y \""));
  EXPECT_THAT(parse_problems(R"({{ a | default: "\n" }})")[0].message,
              HasSubstr("uses the escape \\n in the default value"));
}

TEST(Template, ReportsEveryBadExpressionInAString) {
  Problems p = parse_problems("{{ a | up }} and {{ }} and {{ ok }}");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_THAT(p[0].message, HasSubstr("unknown filter \"up\""));
  EXPECT_THAT(p[1].message, HasSubstr("is empty"));
}

TEST(Template, LongUnclosedExpressionIsShortenedInTheMessage) {
  std::string source = "{{ a" + std::string(200, ' ');
  EXPECT_EQ(parse_problems(source)[0].message.size(),
            std::string("the template expression ").size() + 60 + 3 +
                std::string(" is not closed; add }} after the expression").size());
}

// ---- introspection and copies ----------------------------------------------------

TEST(Template, PathsListsEveryExpressionInOrder) {
  auto t = Template::parse("{{connection.user}}:{{ connection.pass | base64 }}{{connection.user}}", "");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t.value->is_literal());
  EXPECT_EQ(t.value->paths(), (std::vector<std::string>{"connection.user", "connection.pass", "connection.user"}));
}

TEST(Template, LiteralFactoryNeverInterprets) {
  Template t = Template::literal("{{not.parsed}}", "/w");
  EXPECT_TRUE(t.is_literal());
  EXPECT_EQ(t.where(), "/w");
  EXPECT_EQ(*t.render(json::object()).value, "{{not.parsed}}");
  EXPECT_TRUE(t.paths().empty());
}

TEST(Template, DefaultConstructedRendersEmpty) {
  Template t;
  EXPECT_EQ(*t.render(scope()).value, "");
  EXPECT_EQ(t.source(), "");
  EXPECT_TRUE(t.is_literal());
}

TEST(Template, CopiesShareTheParsedForm) {
  auto t = Template::parse("{{client_id}}", "/c");
  ASSERT_TRUE(t.ok());
  Template copy = *t.value;
  t.value.reset();
  EXPECT_EQ(*copy.render(scope()).value, "cid");
  EXPECT_EQ(copy.where(), "/c");
}

TEST(Template, NonObjectScopeIsNoValue) {
  auto t = Template::parse("{{a.b}}", "");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t.value->render(json("text")).ok());
  EXPECT_FALSE(t.value->render(json::array({1})).ok());
  EXPECT_FALSE(t.value->render(json()).ok());
}

// ---- JsonTemplate -------------------------------------------------------------------

TEST(JsonTemplate, RendersEveryStringAndKeepsOtherValues) {
  json source = json::parse(R"({"token": "{{access_token}}", "n": 5, "flag": true, "none": null,
      "list": ["{{connection.user}}", 2, {"deep": "x-{{connection.port}}"}], "{{key}}": "plain"})");
  auto t = JsonTemplate::parse(source, "/payload");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.value->source(), source);
  auto rendered = t.value->render(scope());
  ASSERT_TRUE(rendered.ok());
  EXPECT_EQ(*rendered.value, json::parse(R"({"token": "tok", "n": 5, "flag": true, "none": null,
      "list": ["ann", 2, {"deep": "x-8443"}], "{{key}}": "plain"})"));
}

TEST(JsonTemplate, ScalarAndStringRoots) {
  auto number = JsonTemplate::parse(json(42), "/j");
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(*number.value->render(scope()).value, json(42));
  auto text = JsonTemplate::parse(json("{{client_id}}"), "/j");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text.value->render(scope()).value, json("cid"));
}

TEST(JsonTemplate, ParseCollectsAllProblemsAtTheirPointers) {
  json source = json::parse(R"({"a": "{{ x | nope }}", "b": ["ok", "{{ }}"], "c/d": "{{y"})");
  auto t = JsonTemplate::parse(source, "/authorization/acquire/request/json");
  ASSERT_FALSE(t.ok());
  ASSERT_EQ(t.errors.size(), 3u);
  EXPECT_EQ(t.errors[0].path, "/authorization/acquire/request/json/a");
  EXPECT_EQ(t.errors[1].path, "/authorization/acquire/request/json/b/1");
  EXPECT_EQ(t.errors[2].path, "/authorization/acquire/request/json/c~1d");
}

TEST(JsonTemplate, RenderReportsEveryMissingValue) {
  auto t = JsonTemplate::parse(json::parse(R"({"a": "{{m1}}", "b": ["{{m2}}"], "c": "{{client_id}}"})"), "/j");
  ASSERT_TRUE(t.ok());
  auto rendered = t.value->render(scope());
  ASSERT_FALSE(rendered.ok());
  ASSERT_EQ(rendered.errors.size(), 2u);
  EXPECT_EQ(rendered.errors[0].path, "/j/a");
  EXPECT_THAT(rendered.errors[0].message, HasSubstr("`m1`"));
  EXPECT_EQ(rendered.errors[1].path, "/j/b/0");
}

json nested_arrays(size_t depth, json leaf) {
  json value = std::move(leaf);
  for (size_t i = 0; i < depth; ++i) value = json::array({std::move(value)});
  return value;
}

TEST(JsonTemplate, NestingIsLimitedTo64Levels) {
  auto deepest_allowed = JsonTemplate::parse(nested_arrays(64, "{{client_id}}"), "/j");
  ASSERT_TRUE(deepest_allowed.ok());
  EXPECT_EQ(*deepest_allowed.value->render(scope()).value, nested_arrays(64, "cid"));

  auto too_deep = JsonTemplate::parse(nested_arrays(65, "x"), "/j");
  ASSERT_FALSE(too_deep.ok());
  ASSERT_EQ(too_deep.errors.size(), 1u);
  std::string pointer = "/j";
  for (int i = 0; i < 64; ++i) pointer += "/0";
  EXPECT_EQ(too_deep.errors[0].path, pointer);
  EXPECT_EQ(too_deep.errors[0].message, "nests objects and lists deeper than 64 levels; flatten the value");
}

TEST(JsonTemplate, DefaultConstructedRendersNull) {
  JsonTemplate t;
  EXPECT_EQ(*t.render(scope()).value, json());
}

// SPEC §10: digests print as lowercase hex, or their raw bytes encoded when
// base64 or base64url follows (values checked against Node's crypto).
TEST(Template, DigestFilters) {
  EXPECT_EQ(render("{{connection.user | sha256}}"), "49915e0d7d4b402e3017d010bc1c0e83cac6c797d6c16e66340fe3268693a6a1");
  EXPECT_EQ(render("{{connection.user | sha256 | base64}}"), "SZFeDX1LQC4wF9AQvBwOg8rGx5fWwW5mNA/jJoaTpqE=");
  EXPECT_EQ(render("{{ connection.user | hmac_sha256: connection.pass }}"),
            "39c4ec146af1c40022981b848505e210669ddcb28dad68aca62b07b2f622c4b8");
  EXPECT_EQ(render("{{connection.user | hmac_sha256: connection.pass | base64url}}"),
            "OcTsFGrxxAAimBuEhQXiEGad3LKNrWispisHsvYixLg");
  EXPECT_EQ(render("{{connection.subdomain | hmac_sha1: \"lit\"}}"), "27d5457e3f6f3774b4315cda8a9add22b71f1711");
  EXPECT_EQ(render("{{connection.subdomain | hmac_sha1: 'lit' | hex}}"), "27d5457e3f6f3774b4315cda8a9add22b71f1711");
  // Any other filter after a digest sees its hex.
  EXPECT_EQ(render("{{connection.user | sha256 | sha256}}"),
            "b50579a1a304be3959bf48a110c05c1e2a94ac5857638c64744400ae781bfef8");
  EXPECT_EQ(render("{{connection.port | sha256 | urlencode}}"), render("{{connection.port | sha256}}"));
}

TEST(Template, StringEncodingFilters) {
  EXPECT_EQ(render("{{connection.city | base64url}}"), "WsO8cmljaA");
  EXPECT_EQ(render("{{connection.city | hex}}"), "5ac3bc72696368");
}

TEST(Template, DigestFilterProblems) {
  EXPECT_THAT(parse_problems("{{ a | sha512 }}")[0].message,
              HasSubstr("the template expression {{ a | sha512 }} uses the unknown filter \"sha512\""));
  EXPECT_THAT(parse_problems("{{ a | hmac_sha256 }}")[0].message,
              HasSubstr("uses the hmac_sha256 filter without a key; write | hmac_sha256: connection.secret"));
  EXPECT_THAT(parse_problems("{{ a | hmac_sha1: \"open }}")[0].message, HasSubstr("not closed"));
  EXPECT_THAT(parse_problems("{{ a | sha256: \"x\" }}")[0].message, HasSubstr("it takes none: write | sha256"));
  EXPECT_THAT(parse_problems("{{ a | hmac_sha1: ? }}")[0].message, HasSubstr("invalid path"));
  // A key path is read like any other: missing, it names itself.
  Problem missing = render_problem("{{connection.user | hmac_sha256: connection.secret}}");
  EXPECT_EQ(missing.path, "/t");
  EXPECT_THAT(missing.message, HasSubstr("no value for `connection.secret`, the key of the hmac filter"));
  // A digest of a missing value is still the missing value.
  EXPECT_THAT(render_problem("{{connection.absent | sha256}}").message, HasSubstr("no value for `connection.absent`"));
  EXPECT_THAT(render_problem("{{connection.nested | sha256}}").message, HasSubstr("is an object or a list"));
}

TEST(Template, PathsIncludeHmacKeys) {
  auto t = Template::parse("{{connection.user | hmac_sha256: client_secret}}{{now}}", "/t");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.value->paths(), (std::vector<std::string>{"connection.user", "client_secret", "now"}));
  EXPECT_FALSE(t.value->sole_path());
}

}  // namespace
}  // namespace connauth
