// json_order.h: bodies written back with their members in order, at every
// depth, as compact JSON.
#include "json_order.h"

#include <gtest/gtest.h>

#include <string>

#include "json_io.h"

namespace connauth {
namespace {

using nlohmann::json;

std::string rewritten(const std::string& body, const JsonMembers& members = {}) {
  auto object = OrderedJsonObject::parse(body);
  return object ? object->dump_with(members) : "<refused>";
}

TEST(JsonOrder, KeepsMemberOrderAtEveryDepth) {
  EXPECT_EQ(rewritten(R"({ "b": 1, "a": {"z": [ {"q": 1, "p": 2} ], "y": 2.50} })"),
            R"({"b":1,"a":{"z":[{"q":1,"p":2}],"y":2.5}})");
}

TEST(JsonOrder, RepeatedKeyKeepsFirstPlaceAndLastValue) {
  EXPECT_EQ(rewritten(R"({"a":1,"b":2,"a":{"y":1,"x":2}})"), R"({"a":{"y":1,"x":2},"b":2})");
}

TEST(JsonOrder, SetReplacesInPlaceAndAppendsInOrder) {
  json v = "v", w = json{{"z", 1}, {"a", 2}};
  EXPECT_EQ(rewritten(R"({"k":0,"m":0})", {{"new", &w}, {"k", &v}}), R"({"k":"v","m":0,"new":{"a":2,"z":1}})");
  EXPECT_EQ(OrderedJsonObject().dump_with({{"b", &v}, {"a", &v}}), R"({"b":"v","a":"v"})");
  EXPECT_EQ(OrderedJsonObject().dump_with({}), "{}");
}

TEST(JsonOrder, EscapesKeysAndReplacesInvalidUtf8) {
  json bad = "\xff";
  EXPECT_EQ(rewritten(R"({"\u00e9\n":"\ud83d\ude00"})", {{"x", &bad}}),
            "{\"\xc3\xa9\\n\":\"\xf0\x9f\x98\x80\",\"x\":\"\xef\xbf\xbd\"}");
}

TEST(JsonOrder, WritesNumbersAndLiteralsAsNlohmannJsonDoes) {
  EXPECT_EQ(rewritten(R"({"f":1.0,"z":-0.0,"e":1E2,"u":18446744073709551615,"i":-9223372036854775808,"l":[true,null]})"),
            R"({"f":1.0,"z":-0.0,"e":100.0,"u":18446744073709551615,"i":-9223372036854775808,"l":[true,null]})");
  EXPECT_EQ(rewritten(R"({"n":1e400})"), "<refused>");  // not a finite number
}

TEST(JsonOrder, RefusesWhatIsNotAJsonObject) {
  EXPECT_EQ(rewritten("[1]"), "<refused>");
  EXPECT_EQ(rewritten("{\"a\":1"), "<refused>");
  EXPECT_EQ(rewritten(""), "<refused>");
  std::string nested(kMaxJsonDepth - 1, '[');
  EXPECT_EQ(rewritten("{\"d\":" + nested + std::string(kMaxJsonDepth - 1, ']') + "}"),
            "{\"d\":" + nested + std::string(kMaxJsonDepth - 1, ']') + "}");
  EXPECT_EQ(rewritten("{\"d\":" + nested + "[]" + std::string(kMaxJsonDepth - 1, ']') + "}"), "<refused>");
}

}  // namespace
}  // namespace connauth
