#include "http.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace connauth {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(Iequals, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(iequals("Content-Type", "content-type"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Content-Type", "Content-Typ"));
  EXPECT_FALSE(iequals("a", "b"));
  // Only ASCII letters fold: "[" (0x5B) is not "{" (0x7B).
  EXPECT_FALSE(iequals("[", "{"));
}

TEST(ToUpper, UppercasesAsciiLettersOnly) {
  EXPECT_EQ(to_upper("patch"), "PATCH");
  EXPECT_EQ(to_upper("m-Search_1"), "M-SEARCH_1");
  EXPECT_EQ(to_upper("é"), "é");
}

TEST(Headers, StartsEmpty) {
  Headers h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.get("Accept"), nullptr);
}

TEST(Headers, GetIsCaseInsensitiveAndReturnsTheFirst) {
  Headers h;
  h.add("Accept", "a");
  h.add("ACCEPT", "b");
  ASSERT_NE(h.get("accept"), nullptr);
  EXPECT_EQ(*h.get("accept"), "a");
  EXPECT_FALSE(h.empty());
}

TEST(Headers, AddKeepsDuplicatesInOrder) {
  Headers h;
  h.add("Set-Cookie", "a=1");
  h.add("X", "x");
  h.add("set-cookie", "b=2");
  EXPECT_THAT(h.entries(), ElementsAre(Pair("Set-Cookie", "a=1"), Pair("X", "x"), Pair("set-cookie", "b=2")));
}

TEST(Headers, SetAppendsANewName) {
  Headers h;
  h.add("A", "1");
  h.set("B", "2");
  EXPECT_THAT(h.entries(), ElementsAre(Pair("A", "1"), Pair("B", "2")));
}

TEST(Headers, SetReplacesEveryCopyAtTheFirstPositionKeepingItsSpelling) {
  Headers h;
  h.add("x-api-key", "old1");
  h.add("Accept", "*/*");
  h.add("X-API-KEY", "old2");
  h.add("Other", "o");
  h.set("X-Api-Key", "new");
  EXPECT_THAT(h.entries(), ElementsAre(Pair("x-api-key", "new"), Pair("Accept", "*/*"), Pair("Other", "o")));
}

TEST(Headers, RemoveDeletesEveryCopy) {
  Headers h;
  h.add("Cookie", "a");
  h.add("Keep", "k");
  h.add("cookie", "b");
  h.remove("COOKIE");
  EXPECT_THAT(h.entries(), ElementsAre(Pair("Keep", "k")));
  h.remove("absent");
  EXPECT_THAT(h.entries(), ElementsAre(Pair("Keep", "k")));
  h.remove("keep");
  EXPECT_TRUE(h.empty());
}

TEST(HttpMessages, DefaultValues) {
  HttpResponse response;
  EXPECT_EQ(response.status, 0);
  EXPECT_TRUE(response.headers.empty());
  HttpRequest request;
  EXPECT_EQ(request.method, "");
  EXPECT_TRUE(request.body.empty());
}

TEST(HeaderValueProblem, LineBreaksNulAndCharactersAboveLatin1) {
  EXPECT_EQ(header_value_problem("Bearer abc.def-_~+/="), nullptr);
  EXPECT_EQ(header_value_problem(""), nullptr);
  EXPECT_EQ(header_value_problem("caf\xC3\xA9 \xC2\x80"), nullptr);  // U+00E9, U+0080: one byte each on the wire
  EXPECT_STREQ(header_value_problem("a\r\nX-Injected: 1"), "a line break or NUL character");
  EXPECT_STREQ(header_value_problem(std::string_view("a\0b", 3)), "a line break or NUL character");
  std::string above = "a character above U+00FF (encode it, e.g. with the urlencode or base64 filter)";
  EXPECT_EQ(header_value_problem("\xE6\x97\xA5\xE6\x9C\xAC"), above);  // 日本
  EXPECT_EQ(header_value_problem("\xC4\x80"), above);                  // U+0100
  EXPECT_EQ(header_value_problem("\xF0\x9F\x94\x91"), above);          // an emoji
  EXPECT_EQ(header_value_problem("\xC3"), above);                      // cut UTF-8
  EXPECT_EQ(header_value_problem("\xC3\x41"), above);                  // not UTF-8
  EXPECT_EQ(header_value_problem("\xFF"), above);
}

}  // namespace
}  // namespace connauth
