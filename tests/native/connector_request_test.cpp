#include "connector_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::Pair;

Template tmpl(const std::string& source, const std::string& where = "/t") {
  auto parsed = Template::parse(source, where);
  EXPECT_TRUE(parsed.ok()) << source;
  return parsed.ok() ? *parsed.value : Template::literal("");
}

const json& scope() {
  static const json s = json::parse(R"({
    "connection": {"subdomain": "acme", "user": "ann", "pass": "p:w d", "region": "eu"},
    "client_id": "cid", "client_secret": "csec", "access_token": "at"})");
  return s;
}

std::optional<Template> base_uri() { return tmpl("https://{{connection.subdomain}}.example.com/api/", "/connection/base_uri"); }

ConnectorRequest request(const std::string& method, const std::string& url) {
  ConnectorRequest r;
  r.where = "/test";
  r.method = method;
  r.url = tmpl(url, "/test/url");
  return r;
}

TEST(ConnectorRequest, RelativeUrlResolvesAgainstBaseUri) {
  auto built = build_request(request("GET", "me"), scope(), base_uri());
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.value->method, "GET");
  EXPECT_EQ(built.value->url, "https://acme.example.com/api/me");
  EXPECT_TRUE(built.value->headers.empty());
  EXPECT_EQ(built.value->body, "");
}

TEST(ConnectorRequest, AbsoluteUrlIgnoresBaseUri) {
  auto built = build_request(request("get", "https://login.example.com/{{connection.region}}/token"), scope(), base_uri());
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.value->method, "GET");
  EXPECT_EQ(built.value->url, "https://login.example.com/eu/token");
}

TEST(ConnectorRequest, ParamsGoIntoTheQuery) {
  ConnectorRequest r = request("GET", "users?limit=1");
  r.params = {{"fields", tmpl("id,name")}, {"limit", tmpl("5")}, {"q", tmpl("a b&c")}};
  auto built = build_request(r, scope(), base_uri());
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.value->url, "https://acme.example.com/api/users?limit=5&fields=id%2Cname&q=a+b%26c");
}

TEST(ConnectorRequest, FormBodyWithContentType) {
  ConnectorRequest r = request("POST", "https://auth.example.com/oauth/token");
  r.form = TemplateMap{{"grant_type", tmpl("client_credentials")}, {"scope", tmpl("read write")},
                       {"client_id", tmpl("{{client_id}}")}};
  r.headers = {{"Accept", tmpl("application/json")}};
  auto built = build_request(r, scope(), std::nullopt);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.value->method, "POST");
  EXPECT_EQ(built.value->body, "grant_type=client_credentials&scope=read+write&client_id=cid");
  EXPECT_THAT(built.value->headers.entries(),
              ElementsAre(Pair("Accept", "application/json"),
                          Pair("Content-Type", "application/x-www-form-urlencoded")));
}

TEST(ConnectorRequest, JsonBodyWithContentType) {
  ConnectorRequest r = request("POST", "sessions");
  auto body = JsonTemplate::parse(json::parse(R"({"user":"{{connection.user}}","password":"{{connection.pass}}","remember":true})"),
                                  "/test/json");
  ASSERT_TRUE(body.ok());
  r.json = *body.value;
  auto built = build_request(r, scope(), base_uri());
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.value->body, R"({"password":"p:w d","remember":true,"user":"ann"})");
  EXPECT_THAT(built.value->headers.entries(), ElementsAre(Pair("Content-Type", "application/json")));
}

TEST(ConnectorRequest, ExplicitContentTypeIsKept) {
  ConnectorRequest r = request("POST", "sessions");
  r.headers = {{"content-type", tmpl("application/vnd.api+json")}};
  auto body = JsonTemplate::parse(json::parse(R"({"a":1})"), "/test/json");
  r.json = *body.value;
  auto built = build_request(r, scope(), base_uri());
  ASSERT_TRUE(built.ok());
  EXPECT_THAT(built.value->headers.entries(), ElementsAre(Pair("content-type", "application/vnd.api+json")));
}

TEST(ConnectorRequest, BasicAuthorizationPerRfc7617) {
  ConnectorRequest r = request("GET", "me");
  r.basic = BasicCredentials{tmpl("{{connection.user}}", "/test/basic/username"),
                             tmpl("{{connection.pass}}", "/test/basic/password")};
  auto built = build_request(r, scope(), base_uri());
  ASSERT_TRUE(built.ok());
  // base64("ann:p:w d")
  EXPECT_EQ(*built.value->headers.get("Authorization"), "Basic YW5uOnA6dyBk");
}

TEST(ConnectorRequest, ExplicitAuthorizationHeaderWinsOverBasic) {
  ConnectorRequest r = request("GET", "me");
  r.basic = BasicCredentials{tmpl("u"), tmpl("p")};
  r.headers = {{"authorization", tmpl("Bearer {{access_token}}")}};
  auto built = build_request(r, scope(), base_uri());
  ASSERT_TRUE(built.ok());
  EXPECT_THAT(built.value->headers.entries(), ElementsAre(Pair("Authorization", "Bearer at")));
}

TEST(ConnectorRequest, BasicUsernameWithColonIsRefused) {
  ConnectorRequest r = request("GET", "me");
  r.basic = BasicCredentials{tmpl("a:b", "/test/basic/username"), tmpl("p", "/test/basic/password")};
  auto built = build_request(r, scope(), base_uri());
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.errors[0].path, "/test/basic/username");
  EXPECT_EQ(built.errors[0].message,
            "renders to a username containing ':', which Basic authentication cannot carry (RFC 7617 §2)");
}

TEST(ConnectorRequest, EveryMissingValueIsReportedAtItsPath) {
  ConnectorRequest r = request("POST", "{{connection.missing_path}}");
  r.headers = {{"X-Key", tmpl("{{connection.key}}", "/test/headers/X-Key")}};
  r.params = {{"p", tmpl("{{connection.p}}", "/test/params/p")}};
  r.form = TemplateMap{{"f", tmpl("{{connection.f}}", "/test/form/f")}};
  auto built = build_request(r, scope(), base_uri());
  ASSERT_FALSE(built.ok());
  std::vector<std::string> paths;
  for (const auto& p : built.errors) paths.push_back(p.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/test/url", "/test/params/p", "/test/headers/X-Key", "/test/form/f"}));
  EXPECT_EQ(built.errors[1].message,
            "no value for `connection.p`; fill it in on the connection or app, or give the template a fallback "
            "with | default: \"text\"");
}

TEST(ConnectorRequest, MissingBaseUriValueFailsTheBuild) {
  json s = scope();
  s["connection"].erase("subdomain");
  auto built = build_request(request("GET", "me"), s, base_uri());
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.errors[0].path, "/connection/base_uri");
}

TEST(ConnectorRequest, RelativeUrlWithoutBaseUri) {
  auto built = build_request(request("GET", "me"), scope(), std::nullopt);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.errors[0].path, "/test/url");
  EXPECT_EQ(built.errors[0].message, "is relative but the connector has no connection.base_uri; give an absolute URL");
}

TEST(ConnectorRequest, OnlyHttpAndHttpsWithoutUserinfo) {
  auto ftp = build_request(request("GET", "ftp://example.com/x"), scope(), std::nullopt);
  ASSERT_FALSE(ftp.ok());
  EXPECT_EQ(ftp.errors[0].message, "must be an http or https URL, not ftp:");
  auto userinfo = build_request(request("GET", "https://u:p@example.com/x"), scope(), std::nullopt);
  ASSERT_FALSE(userinfo.ok());
  EXPECT_EQ(userinfo.errors[0].path, "/test/url");
}

TEST(ConnectorRequest, HeaderInjectionIsRefused) {
  json s = scope();
  s["connection"]["key"] = "k\r\nX-Evil: 1";
  ConnectorRequest r = request("GET", "me");
  r.headers = {{"X-Key", tmpl("{{connection.key}}", "/test/headers/X-Key")}};
  auto built = build_request(r, s, base_uri());
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.errors[0].path, "/test/headers/X-Key");
  EXPECT_EQ(built.errors[0].message, "renders a header value with a line break or NUL character; the request is not sent");
}

TEST(ConnectorRequest, ResolveRequestUrl) {
  auto resolved = resolve_request_url(base_uri(), scope(), "/v2/me", "/x");
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(*resolved.value, "https://acme.example.com/v2/me");
}

TEST(ConnectorRequest, BasicCredentials) {
  EXPECT_EQ(*basic_credentials("Aladdin", "open sesame", "/b").value, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_FALSE(basic_credentials("a:b", "", "/b").ok());
}

}  // namespace
}  // namespace connauth
