#include "applied_secrets.h"

#include <gtest/gtest.h>

#include "engine.h"

namespace connauth {
namespace {

using nlohmann::json;

TEST(AppliedSecrets, ClientSecretInAnApplyRuleIsAWarning) {
  json out = validate_connector(R"({"name": "leaky", "connection": {"base_uri": "https://api.example/"},
    "authorization": {"type": "custom_auth",
      "acquire": {"request": {"method": "POST", "url": "https://api.example/token",
                              "form": {"secret": "{{client_secret}}"}}},
      "apply": [{"headers": {"X-Client": "{{client_id}}:{{client_secret}}"}},
                {"params": {"cs": "{{ client_secret | urlencode }}"}}]}})");
  ASSERT_TRUE(out["ok"].get<bool>()) << out.dump();
  const json& warnings = out["value"]["warnings"];
  ASSERT_EQ(warnings.size(), 2u) << out.dump();
  EXPECT_EQ(warnings[0]["path"], "/authorization/apply/0/headers/X-Client");
  EXPECT_EQ(warnings[1]["path"], "/authorization/apply/1/params/cs");
  EXPECT_EQ(warnings[0]["message"],
            "sends the app's client_secret with every request: any member can read it back through an upstream "
            "that echoes request headers; send it only in the token request");
}

TEST(AppliedSecrets, SecretFieldsAppliedAreNamedForTheHost) {
  json out = validate_connector(R"({"name": "keyed",
    "connection": {"base_uri": "https://api.example/",
                   "fields": [{"name": "api_key", "secret": true}, {"name": "region"}]},
    "authorization": {"type": "api_key",
      "apply": [{"headers": {"X-Key": "{{connection.api_key}}", "X-Region": "{{connection.region}}"}},
                {"payload": {"auth": {"key": "{{connection.api_key}}"}}}]}})");
  ASSERT_TRUE(out["ok"].get<bool>()) << out.dump();
  EXPECT_FALSE(out["value"].contains("warnings"));
  EXPECT_EQ(out["value"]["secret_fields_applied"],
            json::parse(R"([{"field": "api_key", "path": "/authorization/apply/0/headers/X-Key"},
                            {"field": "api_key", "path": "/authorization/apply/1/payload/auth/key"}])"));
}

TEST(AppliedSecrets, NothingSecretAppliedNothingSaid) {
  json out = validate_connector(R"({"name": "plain", "connection": {"base_uri": "https://api.example/"},
    "authorization": {"type": "oauth2", "authorization_url": "https://a.example/auth", "token_url": "https://a.example/token"}})");
  ASSERT_TRUE(out["ok"].get<bool>()) << out.dump();
  EXPECT_FALSE(out["value"].contains("warnings"));
  EXPECT_FALSE(out["value"].contains("secret_fields_applied"));
}

}  // namespace
}  // namespace connauth
