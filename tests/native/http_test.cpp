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

}  // namespace
}  // namespace connauth
