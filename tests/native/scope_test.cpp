#include "scope.h"

#include <gtest/gtest.h>

namespace connauth {
namespace {

using nlohmann::json;

TEST(MakeScope, BuildsEveryKeyFromAFullContext) {
  json context = json::parse(R"({
    "connection": {"subdomain": "user-sub", "region": "eu", "access_token": "at", "refresh_token": "rt",
                   "expires_at": 1700000000},
    "app": {"client_id": "cid", "client_secret": "cs", "scopes": ["read", "write"],
            "settings": {"subdomain": "admin-sub", "tenant": "t1"}},
    "flow": {"redirect_uri": "http://127.0.0.1:9/oauth/callback", "code": "c0de", "verifier": "v", "state": "s"}
  })");
  json expected = json::parse(R"({
    "connection": {"subdomain": "admin-sub", "region": "eu", "access_token": "at", "refresh_token": "rt",
                   "expires_at": 1700000000, "tenant": "t1"},
    "client_id": "cid", "client_secret": "cs", "scopes": "read write",
    "access_token": "at", "refresh_token": "rt",
    "redirect_uri": "http://127.0.0.1:9/oauth/callback", "code": "c0de", "verifier": "v", "state": "s"
  })");
  EXPECT_EQ(make_scope(context), expected);
}

TEST(MakeScope, JoinsScopesWithTheSeparator) {
  json context = {{"app", {{"scopes", {"a", "b", "c"}}}}};
  EXPECT_EQ(make_scope(context, ",")["scopes"], "a,b,c");
  EXPECT_EQ(make_scope(context, "+")["scopes"], "a+b+c");
  EXPECT_EQ(make_scope({{"app", {{"scopes", json::array()}}}})["scopes"], "");
}

TEST(MakeScope, SkipsNonStringScopes) {
  json context = {{"app", {{"scopes", {"a", 1, nullptr, "b", {{"x", 1}}}}}}};
  EXPECT_EQ(make_scope(context)["scopes"], "a b");
}

TEST(MakeScope, AbsentInputsLeaveKeysAbsent) {
  EXPECT_EQ(make_scope(json::object()), json::object());
  EXPECT_EQ(make_scope({{"connection", json::object()}}), json::parse(R"({"connection": {}})"));
  json only_app = make_scope({{"app", {{"client_id", "cid"}}}});
  EXPECT_EQ(only_app, json::parse(R"({"client_id": "cid"})"));
}

TEST(MakeScope, SettingsAloneMakeTheConnectionHash) {
  EXPECT_EQ(make_scope({{"app", {{"settings", {{"domain", "d"}}}}}}),
            json::parse(R"({"connection": {"domain": "d"}})"));
}

TEST(MakeScope, NullSettingDoesNotEraseTheUsersValue) {
  json context = {{"connection", {{"domain", "mine"}}}, {"app", {{"settings", {{"domain", nullptr}}}}}};
  EXPECT_EQ(make_scope(context)["connection"], json::parse(R"({"domain": "mine"})"));
}

TEST(MakeScope, TokensComeFromTheConnectionNotSettings) {
  json context = {{"connection", {{"user", "u"}}}, {"app", {{"settings", {{"access_token", "admin"}}}}}};
  json scope = make_scope(context);
  EXPECT_FALSE(scope.contains("access_token"));
  EXPECT_EQ(scope["connection"]["access_token"], "admin");
}

TEST(MakeScope, NullTokensAndFlowValuesAreAbsent) {
  json context = {{"connection", {{"access_token", nullptr}}}, {"flow", {{"code", nullptr}, {"state", "s"}}}};
  json scope = make_scope(context);
  EXPECT_FALSE(scope.contains("access_token"));
  EXPECT_FALSE(scope.contains("code"));
  EXPECT_EQ(scope["state"], "s");
}

TEST(MakeScope, IgnoresOddTypes) {
  EXPECT_EQ(make_scope(json()), json::object());
  EXPECT_EQ(make_scope(json("text")), json::object());
  EXPECT_EQ(make_scope(json::array({1, 2})), json::object());
  json odd = {{"connection", "not an object"},
              {"app", {{"client_id", 42}, {"client_secret", {{"x", 1}}}, {"scopes", "read"}, {"settings", {1, 2}}}},
              {"flow", json::array()}};
  EXPECT_EQ(make_scope(odd), json::object());
  EXPECT_EQ(make_scope({{"app", "x"}, {"flow", 3}}), json::object());
}

TEST(MakeScope, KeepsNonStringConnectionValues) {
  json context = {{"connection", {{"port", 8443}, {"nested", {{"a", {1, 2}}}}}}};
  EXPECT_EQ(make_scope(context)["connection"], context["connection"]);
}

}  // namespace
}  // namespace connauth
