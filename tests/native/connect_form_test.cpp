#include "connect_form.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

Connector parse(const std::string& definition) {
  auto parsed = parse_connector(definition);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors[0].path + ": " + parsed.errors[0].message);
  return parsed.ok() ? *parsed.value : Connector{};
}

// A multi connector whose selector reads its own field, `mode`.
const char* const kModeMulti = R"({"name": "acme",
  "connection": {"fields": [{"name": "region", "default": "eu"}, {"name": "note", "optional": true}],
                 "base_uri": "https://api.acme.example/"},
  "authorization": {"type": "multi", "selected": "{{connection.mode}}", "options": {
    "key": {"type": "api_key", "fields": [{"name": "api_key", "secret": true}],
            "apply": [{"headers": {"X-Key": "{{connection.api_key}}"}}]},
    "password": {"type": "basic_auth", "fields": [{"name": "username"}, {"name": "password", "secret": true}]},
    "sso": {"type": "oauth2", "authorization_url": "https://acme.example/authorize",
            "token_url": "https://acme.example/token", "noopener": true}}}})";

json context(json connection, json settings = json::object(), json secret = json::array()) {
  return json{{"connection", std::move(connection)},
              {"app", {{"settings", std::move(settings)}, {"secret_settings", std::move(secret)}}}};
}

std::vector<std::string> names(const std::vector<const Field*>& fields) {
  std::vector<std::string> out;
  for (const Field* f : fields) out.push_back(f->name);
  return out;
}

std::vector<std::string> paths(const Problems& problems) {
  std::vector<std::string> out;
  for (const Problem& p : problems) out.push_back(p.path + ": " + p.message);
  return out;
}

TEST(ConnectForm, TheSelectorsFieldChoosesTheOptionInForce) {
  Connector c = parse(kModeMulti);
  ConnectForm form = connect_form(c, context({{"mode", "key"}, {"api_key", "k1"}}));
  ASSERT_NE(form.authorization, nullptr);
  EXPECT_EQ(form.authorization->type, AuthType::ApiKey);
  EXPECT_EQ(form.option, "key");
  EXPECT_EQ(form.choice_field, "mode");
  EXPECT_THAT(names(form.fields), ElementsAre("region", "note", "api_key"));
  EXPECT_THAT(form.problems, IsEmpty());
  EXPECT_EQ(form.values, (json{{"mode", "key"}, {"api_key", "k1"}, {"region", "eu"}}));

  ConnectForm sso = connect_form(c, context({{"mode", "sso"}}));
  ASSERT_NE(sso.authorization, nullptr);
  EXPECT_EQ(sso.authorization->type, AuthType::OAuth2);
  EXPECT_TRUE(sso.authorization->oauth2.noopener);
  EXPECT_THAT(sso.problems, IsEmpty());
}

TEST(ConnectForm, OffersEveryOptionWithTheFieldsItNeeds) {
  Connector c = parse(kModeMulti);  // the form points into it
  ConnectForm form = connect_form(c, context(json::object(), json{{"region", "us"}}));
  EXPECT_EQ(form.authorization, nullptr);
  ASSERT_EQ(form.options.size(), 3u);
  EXPECT_EQ(form.options[1].key, "password");
  EXPECT_EQ(form.options[1].authorization->type, AuthType::BasicAuth);
  // region is the app's: never asked for.
  EXPECT_THAT(names(form.options[1].fields), ElementsAre("note", "username", "password"));
  EXPECT_THAT(paths(form.problems), ElementsAre("/fields/mode: must be one of key, password, sso"));
}

TEST(ConnectForm, ChecksEnteredValuesAtTheirPointers) {
  ConnectForm form = connect_form(parse(kModeMulti), context({{"mode", "password"}, {"username", ""},
                                                             {"a/b", "x"}, {"note", json::array()}, {"api_key", "k"}}));
  EXPECT_THAT(paths(form.problems), ElementsAre("/fields/a~1b: is not a field of this connector",
                                                "/fields/api_key: is not a field of this connector",
                                                "/fields/note: must be a string, number or boolean",
                                                "/fields/username: is required", "/fields/password: is required"));
  EXPECT_FALSE(form.values.contains("username"));  // "" is not a value

  ConnectForm not_object = connect_form(parse(kModeMulti), context("mode=key"));
  EXPECT_EQ(paths(not_object.problems).front(), "/fields: must be an object of field values");
}

TEST(ConnectForm, AnAppSettingChoosesForTheUser) {
  Connector c = parse(kModeMulti);
  ConnectForm form = connect_form(c, context({{"mode", "sso"}, {"username", "u"}, {"password", "p"}},
                                             {{"mode", "password"}}));
  ASSERT_NE(form.authorization, nullptr);
  EXPECT_EQ(form.option, "password");  // the app's value wins over the user's
  EXPECT_EQ(form.choice_field, "");
  EXPECT_THAT(form.problems, IsEmpty());

  ConnectForm secret = connect_form(c, context({{"mode", "key"}}, json::object(), {"api_key"}));
  EXPECT_THAT(names(secret.fields), ElementsAre("region", "note"));
  EXPECT_THAT(secret.problems, IsEmpty());
}

TEST(ConnectForm, TheDefaultSelectorReadsAuthType) {
  Connector c = parse(R"({"name": "acme", "authorization": {"type": "multi", "options": {
      "token": {"type": "api_key", "fields": [{"name": "token"}], "apply": [{"headers": {"X": "{{connection.token}}"}}]}}}})");
  ConnectForm form = connect_form(c, context({{"auth_type", "token"}, {"token", "t"}}));
  EXPECT_EQ(form.choice_field, "auth_type");
  EXPECT_EQ(form.option, "token");
  EXPECT_THAT(form.problems, IsEmpty());
}

TEST(ConnectForm, ADeclaredChoiceFieldIsThePickersNotAnInput) {
  Connector c = parse(R"({"name": "acme", "connection": {"fields": [{"name": "kind", "default": "token"}]},
      "authorization": {"type": "multi", "selected": "{{connection.kind}}", "options": {
      "token": {"type": "api_key", "fields": [{"name": "token"}], "apply": [{"headers": {"X": "{{connection.token}}"}}]}}}})");
  ConnectForm form = connect_form(c, context({{"token", "t"}}));
  EXPECT_EQ(form.choice_field, "kind");
  EXPECT_EQ(form.option, "token");  // the field's default picks it
  EXPECT_THAT(names(form.fields), ElementsAre("token"));
  EXPECT_THAT(names(form.options[0].fields), ElementsAre("token"));
  EXPECT_EQ(form.values, (json{{"kind", "token"}, {"token", "t"}}));
}

TEST(ConnectForm, ASelectorOfSeveralValuesIsNotAChoice) {
  Connector c = parse(R"({"name": "acme", "connection": {"fields": [{"name": "tier", "optional": true}]},
      "authorization": {"type": "multi", "selected": "{{connection.kind}}_{{connection.tier | default: \"std\"}}",
      "options": {"key_std": {"type": "api_key", "apply": [{"headers": {"X": "1"}}]}}}})");
  ConnectForm picked = connect_form(c, context({{"kind", "key"}}));
  EXPECT_EQ(picked.choice_field, "");
  EXPECT_EQ(picked.option, "key_std");
  EXPECT_THAT(picked.problems, IsEmpty());

  ConnectForm none = connect_form(c, context({{"kind", "x"}, {"tier", "gold"}}));
  EXPECT_EQ(none.authorization, nullptr);
  ASSERT_EQ(none.problems.size(), 1u);
  EXPECT_EQ(none.problems[0].path, "/fields");
  EXPECT_THAT(none.problems[0].message, ::testing::HasSubstr("\"x_gold\" is not an option"));
}

TEST(ConnectForm, ASingleAuthorizationHasNoOptions) {
  Connector c = parse(R"({"name": "acme", "connection": {"fields": [{"name": "key", "secret": true}]},
      "authorization": {"type": "api_key", "apply": [{"headers": {"X": "{{connection.key}}"}}]}})");
  ConnectForm form = connect_form(c, context(json::object()));
  ASSERT_NE(form.authorization, nullptr);
  EXPECT_THAT(form.options, IsEmpty());
  EXPECT_EQ(form.choice_field, "");
  EXPECT_THAT(paths(form.problems), ElementsAre("/fields/key: is required"));
}

}  // namespace
}  // namespace connauth
