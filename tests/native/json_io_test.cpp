#include "json_io.h"

#include <gtest/gtest.h>

#include <string>

namespace connauth {
namespace {

using nlohmann::json;

TEST(JsonTextDepth, CountsNestingOutsideStrings) {
  EXPECT_EQ(json_text_depth(""), 0u);
  EXPECT_EQ(json_text_depth("1"), 0u);
  EXPECT_EQ(json_text_depth("{\"a\":[1,{\"b\":[]}]}"), 4u);
  EXPECT_EQ(json_text_depth("[\"[[[[\", \"\\\"[[\"]"), 1u);
}

TEST(ParseJsonText, RefusesDocumentsNestedDeeperThanTheLimit) {
  std::string ok(kMaxJsonDepth, '['), deep(kMaxJsonDepth + 1, '[');
  ok += std::string(kMaxJsonDepth, ']');
  deep += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_TRUE(parse_json_text(ok, "/x").ok());
  auto refused = parse_json_text(deep, "/x");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.errors[0].path, "/x");
  EXPECT_EQ(refused.errors[0].message, "nests deeper than 128 levels; flatten it");
}

TEST(ParseJsonText, NamesTheBytePositionWithoutEchoingTheInput) {
  auto r = parse_json_text("{\"secret\": \"hunter2\" oops}", "/context");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].path, "/context");
  EXPECT_NE(r.errors[0].message.find("invalid JSON at byte 22"), std::string::npos) << r.errors[0].message;
  EXPECT_EQ(r.errors[0].message.find("hunter2"), std::string::npos);
}

TEST(ParseJsonBody, DiscardsDeepOrInvalidBodies) {
  EXPECT_TRUE(parse_json_body(std::string(10000, '[')).is_discarded());
  EXPECT_TRUE(parse_json_body("not json").is_discarded());
  EXPECT_EQ(parse_json_body("{\"a\":1}")["a"], 1);
}

TEST(RequestFromJson, DefaultsAndValidatesEveryMember) {
  auto ok = request_from_json(json{{"url", "https://a.example/"}, {"headers", {{"X-A", "1"}}}}, "/request");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value->method, "GET");
  EXPECT_EQ(*ok.value->headers.get("x-a"), "1");

  auto bad = request_from_json(
      json{{"method", "GE T"}, {"headers", {{"Bad Name", "x"}, {"X-B", "a\r\nInjected: 1"}}}, {"body", 3}},
      "/request");
  ASSERT_FALSE(bad.ok());
  std::vector<std::string> paths;
  for (const auto& p : bad.errors) paths.push_back(p.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/request/method", "/request/url", "/request/headers/Bad Name",
                                             "/request/headers/X-B", "/request/body"}));
}

TEST(RequestFromJson, AcceptsHeaderPairsAndJoinsRepeatsOnTheWayOut) {
  auto r = request_from_json(json::parse(R"({"url":"https://a.example/","headers":[["Accept","a"],["accept","b"]]})"), "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(request_to_json(*r.value)["headers"], json({{"Accept", "a, b"}}));
}

TEST(ResponseFromJson, RequiresAStatusInRange) {
  EXPECT_FALSE(response_from_json(json{{"status", 99}}, "/response").ok());
  EXPECT_FALSE(response_from_json(json{{"status", "200"}}, "/response").ok());
  auto r = response_from_json(json{{"status", 204}}, "/response");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->status, 204);
  EXPECT_EQ(r.value->body, "");
}

TEST(ToText, ReplacesInvalidUtf8InsteadOfThrowing) {
  EXPECT_EQ(to_text(json("a\xff" "b")), "\"a\xEF\xBF\xBD" "b\"");
}

}  // namespace
}  // namespace connauth
