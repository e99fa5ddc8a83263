#include "egress.h"

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

TEST(Egress, EveryRequestUrlsHostOnce) {
  Connector c = parse(R"({"name": "acme",
    "connection": {"base_uri": "https://API.acme.example/v1/"},
    "test": {"url": "me"},
    "authorization": {"type": "multi", "options": {
      "sso": {"type": "oauth2", "authorization_url": "https://login.acme.example/authorize",
              "token_url": "https://login.acme.example:8443/token",
              "revocation_url": "https://revoke.acme.example/revoke"},
      "session": {"type": "custom_auth", "acquire": {"request": {"url": "http://127.0.0.1:80/session"}},
                  "refresh": {"request": {"url": "https://api.acme.example/renew"}},
                  "apply": [{"headers": {"X": "{{access_token}}"}}]}}}})");
  Egress egress = derive_egress(c, json::object());
  // Options in key order; authorization_url is the browser's, never the edge's.
  EXPECT_THAT(egress.hosts,
              ElementsAre("api.acme.example", "127.0.0.1", "login.acme.example:8443", "revoke.acme.example"));
  EXPECT_THAT(egress.unresolved, IsEmpty());
}

TEST(Egress, TemplatesRenderWithTheAppsValuesOnly) {
  Connector c = parse(R"({"name": "acme",
    "connection": {"fields": [{"name": "subdomain", "default": "www"}, {"name": "tenant"}],
                   "base_uri": "https://{{connection.subdomain}}.acme.example/"},
    "test": {"url": "https://{{connection.tenant}}.acme.example/me"},
    "authorization": {"type": "oauth2", "authorization_url": "https://acme.example/authorize",
                      "token_url": "https://{{connection.region | default: \"eu\"}}.acme.example/token"}})");
  json app = {{"app", {{"settings", {{"subdomain", "corp"}}}}}, {"connection", {{"tenant", "mine"}}}};
  Egress egress = derive_egress(c, app);
  EXPECT_THAT(egress.hosts, ElementsAre("corp.acme.example", "eu.acme.example"));
  // The user's tenant never widens the list; neither does a field default.
  EXPECT_THAT(egress.unresolved, ElementsAre("/test/url"));
  EXPECT_THAT(derive_egress(c, json::object()).unresolved, ElementsAre("/connection/base_uri", "/test/url"));
}

TEST(Egress, ARenderedUrlThatIsNotHttpNamesNoHost) {
  Connector c = parse(R"({"name": "acme", "connection": {"base_uri": "{{connection.base}}"},
    "authorization": {"type": "api_key", "apply": [{"headers": {"X": "1"}}]}})");
  Egress egress = derive_egress(c, json{{"app", {{"settings", {{"base", "ftp://files.acme.example/"}}}}}});
  EXPECT_THAT(egress.hosts, IsEmpty());
  EXPECT_THAT(egress.unresolved, ElementsAre("/connection/base_uri"));
}

}  // namespace
}  // namespace connauth
