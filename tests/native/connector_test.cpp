// parse_connector / select_authorization (SPEC §2): the model built from a
// definition, every validation problem at its exact pointer, and the
// example connectors in connectors/examples.
#include "connector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#ifndef CONNAUTH_SOURCE_DIR
#define CONNAUTH_SOURCE_DIR "."
#endif

namespace connauth {

// How gtest prints a Problem in failure messages (found by ADL; internal
// linkage so other test files may print Problems their own way).
static void PrintTo(const Problem& p, std::ostream* os) { *os << "{" << p.path << ": " << p.message << "}"; }

namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

// ---- helpers ----------------------------------------------------------------

MATCHER_P2(ProblemIs, path, message, "") {
  *result_listener << "problem {" << arg.path << ": " << arg.message << "}";
  return arg.path == path && arg.message == message;
}

MATCHER_P2(ProblemAt, path, words, "") {
  *result_listener << "problem {" << arg.path << ": " << arg.message << "}";
  return arg.path == path && arg.message.find(words) != std::string::npos;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::filesystem::path examples_dir() {
  return std::filesystem::path(CONNAUTH_SOURCE_DIR) / "connectors" / "examples";
}

Connector example(const std::string& file) {
  Result<Connector> parsed = parse_connector(read_file(examples_dir() / file));
  EXPECT_TRUE(parsed.ok()) << file;
  return parsed.ok() ? *parsed.value : Connector{};
}

// A valid api_key connector that tests modify one key at a time.
json api_key_connector() {
  return json::parse(R"({
    "name": "acme",
    "title": "Acme",
    "connection": {
      "fields": [ { "name": "api_key", "label": "API key", "secret": true } ],
      "base_uri": "https://api.acme.example/v1/"
    },
    "authorization": {
      "type": "api_key",
      "apply": [ { "headers": { "X-Api-Key": "{{connection.api_key}}" } } ]
    },
    "test": { "url": "me" }
  })");
}

json with_authorization(json authorization) {
  json definition = api_key_connector();
  definition["authorization"] = std::move(authorization);
  return definition;
}

json oauth2_authorization() {
  return json::parse(R"({
    "type": "oauth2",
    "authorization_url": "https://acme.example/oauth/authorize",
    "token_url": "https://acme.example/oauth/token"
  })");
}

Problems problems_of(const json& definition) { return parse_connector(definition).errors; }
Problems problems_of_text(const std::string& text) { return parse_connector(text).errors; }

Connector parsed(const json& definition) {
  Result<Connector> result = parse_connector(definition);
  EXPECT_TRUE(result.ok());
  for (const Problem& p : result.errors) ADD_FAILURE() << p.path << ": " << p.message;
  return result.ok() ? *result.value : Connector{};
}

// ---- the example connectors -------------------------------------------------

TEST(ConnectorExamples, EveryExampleParsesWithoutProblems) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(examples_dir())) {
    if (entry.path().extension() != ".json") continue;
    ++count;
    Result<Connector> result = parse_connector(read_file(entry.path()));
    EXPECT_THAT(result.errors, IsEmpty()) << entry.path();
    for (const Problem& p : result.errors)
      ADD_FAILURE() << entry.path().filename() << " " << p.path << ": " << p.message;
  }
  EXPECT_GE(count, 8u) << "examples not found in " << examples_dir();
}

TEST(ConnectorExamples, ZohoAcquiresAnAuthtokenAndAppliesItAsAParam) {
  Connector c = example("zoho_authtoken.json");
  const Authorization& auth = c.authorization;
  EXPECT_EQ(auth.type, AuthType::CustomAuth);
  ASSERT_THAT(auth.acquire, SizeIs(1));
  EXPECT_EQ(auth.acquire[0].request.method, "POST");
  ASSERT_THAT(auth.acquire[0].merge, SizeIs(1));
  EXPECT_EQ(auth.acquire[0].merge[0].first, "authtoken");
  EXPECT_EQ(auth.acquire[0].merge[0].second.source(), "{{response.AUTHTOKEN}}");
  ASSERT_THAT(auth.apply, SizeIs(1));
  ASSERT_THAT(auth.apply[0].params, SizeIs(2));
  EXPECT_EQ(auth.apply[0].params[0].first, "authtoken");
  ASSERT_THAT(auth.refresh_on, SizeIs(1));
  EXPECT_EQ(auth.refresh_on[0].kind, Signal::Kind::Status);
  EXPECT_EQ(auth.refresh_on[0].status, 401);
  EXPECT_EQ(auth.refresh_mode, Authorization::Refresh::Standard);  // = re-acquire
}

TEST(ConnectorExamples, GenesysAcquireMapsTokensAndMergesAnInstance) {
  Connector c = example("genesys_cloud.json");
  const Authorization& auth = c.authorization;
  EXPECT_EQ(auth.type, AuthType::OAuth2);
  ASSERT_THAT(auth.acquire, SizeIs(1));
  ASSERT_TRUE(auth.acquire[0].tokens.refresh_token.has_value());
  EXPECT_EQ(auth.acquire[0].tokens.refresh_token->source(), "{{response.refresh_token}}");
  ASSERT_THAT(auth.acquire[0].merge, SizeIs(1));
  EXPECT_EQ(auth.acquire[0].merge[0].first, "instance_id");
  ASSERT_TRUE(auth.acquire[0].request.basic.has_value());
  EXPECT_EQ(auth.acquire[0].request.basic->username.source(), "{{client_id}}");
  EXPECT_EQ(auth.oauth2.client_auth, OAuth2Settings::ClientAuth::Basic);
}

TEST(ConnectorExamples, TrackviaRefreshesWithItsOwnRequestOnTheCustomDomain) {
  Connector c = example("trackvia.json");
  ASSERT_TRUE(c.base_uri.has_value());
  EXPECT_EQ(c.base_uri->source(), "https://{{connection.custom_domain | default: \"go.trackvia.com\"}}/");
  const Authorization& auth = c.authorization;
  EXPECT_EQ(auth.refresh_mode, Authorization::Refresh::Custom);
  ASSERT_THAT(auth.refresh, SizeIs(1));
  EXPECT_EQ(auth.refresh[0].where, "/authorization/refresh");
  ASSERT_TRUE(auth.refresh[0].request.form.has_value());
  EXPECT_THAT(*auth.refresh[0].request.form, SizeIs(4));
  ASSERT_THAT(auth.apply, SizeIs(1));
  ASSERT_THAT(auth.apply[0].params, SizeIs(1));
  EXPECT_EQ(auth.apply[0].params[0].first, "user_key");
  ASSERT_THAT(auth.refresh_on, SizeIs(2));
  EXPECT_EQ(auth.refresh_on[1].kind, Signal::Kind::BodyRegex);
  EXPECT_EQ(auth.refresh_on[1].where, "/authorization/refresh_on/1");
}

TEST(ConnectorExamples, AutodeskOverridesContentTypeForTheCostApi) {
  Connector c = example("autodesk.json");
  const auto& apply = c.authorization.apply;
  ASSERT_THAT(apply, SizeIs(2));
  EXPECT_FALSE(apply[0].url.has_value());
  ASSERT_TRUE(apply[1].url.has_value());
  EXPECT_EQ(apply[1].url->kind, UrlCondition::Kind::Prefix);
  EXPECT_EQ(apply[1].url->value, "https://developer.api.autodesk.com/cost/");
  ASSERT_THAT(apply[1].headers, SizeIs(1));
  EXPECT_EQ(apply[1].headers[0].first, "Content-Type");
  EXPECT_EQ(apply[1].headers[0].second.source(), "application/json");
  ASSERT_TRUE(c.authorization.oauth2.scopes.has_value());
  EXPECT_THAT(*c.authorization.oauth2.scopes, ElementsAre("data:read", "data:write", "account:read"));
}

TEST(ConnectorExamples, StripeOffersOAuth2AndApiKeyOptionsWithTheirOwnFields) {
  Connector c = example("stripe_multi.json");
  const Authorization& auth = c.authorization;
  EXPECT_EQ(auth.type, AuthType::Multi);
  ASSERT_THAT(auth.options, SizeIs(2));
  EXPECT_EQ(auth.options[0].key, "stripe_api_key");
  EXPECT_EQ(auth.options[0].authorization->type, AuthType::ApiKey);
  EXPECT_EQ(auth.options[0].authorization->where, "/authorization/options/stripe_api_key");
  ASSERT_THAT(auth.options[0].authorization->fields, SizeIs(1));
  EXPECT_EQ(auth.options[0].authorization->fields[0].name, "api_key");
  EXPECT_TRUE(auth.options[0].authorization->fields[0].secret);
  EXPECT_EQ(auth.options[1].key, "stripe_oauth2");
  EXPECT_EQ(auth.options[1].authorization->type, AuthType::OAuth2);
  EXPECT_FALSE(auth.options[1].authorization->oauth2.pkce);
  ASSERT_THAT(auth.options[1].authorization->fields, SizeIs(1));
  EXPECT_EQ(auth.options[1].authorization->fields[0].name, "stripe_landing");
}

TEST(ConnectorExamples, ClientCredentialsAcquireUsesBasicClientAuthentication) {
  Connector c = example("client_credentials.json");
  const Authorization& auth = c.authorization;
  EXPECT_EQ(auth.type, AuthType::CustomAuth);
  ASSERT_THAT(auth.acquire, SizeIs(1));
  ASSERT_TRUE(auth.acquire[0].request.basic.has_value());
  EXPECT_EQ(auth.acquire[0].request.basic->password.source(), "{{client_secret}}");
  ASSERT_TRUE(auth.acquire[0].request.form.has_value());
  ASSERT_THAT(*auth.acquire[0].request.form, SizeIs(1));
  EXPECT_EQ((*auth.acquire[0].request.form)[0].second.source(), "client_credentials");
}

TEST(ConnectorExamples, BasicAuthGetsTheDefaultBasicRule) {
  Connector c = example("basic_auth.json");
  ASSERT_THAT(c.authorization.apply, SizeIs(1));
  ASSERT_TRUE(c.authorization.apply[0].basic.has_value());
  EXPECT_EQ(c.authorization.apply[0].basic->username.source(), "{{connection.username}}");
  ASSERT_TRUE(c.test.has_value());
  EXPECT_EQ(c.test->url.source(), "myself");
  EXPECT_EQ(c.test->where, "/test");
}

// ---- the model and its defaults ---------------------------------------------

TEST(ParseConnector, ReadsTopLevelConnectionAndFields) {
  Connector c = parsed(api_key_connector());
  EXPECT_EQ(c.name, "acme");
  EXPECT_EQ(c.title, "Acme");
  ASSERT_THAT(c.fields, SizeIs(1));
  EXPECT_EQ(c.fields[0].name, "api_key");
  EXPECT_EQ(c.fields[0].label, "API key");
  EXPECT_TRUE(c.fields[0].secret);
  EXPECT_FALSE(c.fields[0].optional);
  EXPECT_TRUE(c.fields[0].default_value.is_null());
  EXPECT_EQ(c.fields[0].where, "/connection/fields/0");
  ASSERT_TRUE(c.base_uri.has_value());
  EXPECT_EQ(c.base_uri->source(), "https://api.acme.example/v1/");
  ASSERT_TRUE(c.test.has_value());
  EXPECT_EQ(c.test->method, "GET");
  EXPECT_EQ(c.authorization.where, "/authorization");
  EXPECT_EQ(c.authorization.apply[0].where, "/authorization/apply/0");
}

TEST(ParseConnector, AcceptsSchemaAndDescriptionAndReadsTextAndJsonAlike) {
  json d = api_key_connector();
  d["$schema"] = "https://connauth.example/connector.schema.json";
  d["description"] = "An example";
  EXPECT_TRUE(parse_connector(d).ok());
  EXPECT_TRUE(parse_connector(d.dump()).ok());
}

TEST(ParseConnector, OAuth2Defaults) {
  Connector c = parsed(with_authorization(oauth2_authorization()));
  const Authorization& auth = c.authorization;
  EXPECT_EQ(auth.type, AuthType::OAuth2);
  ASSERT_THAT(auth.apply, SizeIs(1));
  ASSERT_THAT(auth.apply[0].headers, SizeIs(1));
  EXPECT_EQ(auth.apply[0].headers[0].first, "Authorization");
  EXPECT_EQ(auth.apply[0].headers[0].second.source(), "Bearer {{access_token}}");
  EXPECT_TRUE(auth.oauth2.pkce);
  EXPECT_EQ(auth.oauth2.scope_separator, " ");
  EXPECT_FALSE(auth.oauth2.scopes.has_value());
  EXPECT_EQ(auth.oauth2.client_id.source(), "{{client_id}}");
  EXPECT_EQ(auth.oauth2.client_secret.source(), "{{client_secret}}");
  EXPECT_EQ(auth.oauth2.client_auth, OAuth2Settings::ClientAuth::Body);
  EXPECT_EQ(auth.oauth2.token_format, OAuth2Settings::TokenFormat::Form);
  EXPECT_FALSE(auth.oauth2.noopener);
  EXPECT_EQ(auth.refresh_mode, Authorization::Refresh::Standard);
  ASSERT_TRUE(auth.oauth2.authorization_url.has_value());
  EXPECT_EQ(auth.oauth2.authorization_url->source(), "https://acme.example/oauth/authorize");
}

TEST(ParseConnector, OAuth2ExplicitSettings) {
  json a = oauth2_authorization();
  a["client_id"] = "{{connection.client_id}}";
  a["scopes"] = {"read", "write"};
  a["scope_separator"] = ",";
  a["authorization_params"] = {{"access_type", "offline"}};
  a["token_params"] = {{"audience", "api"}};
  a["pkce"] = false;
  a["client_auth"] = "basic";
  a["token_format"] = "json";
  a["noopener"] = true;
  a["refresh"] = false;
  a["identity"] = "{{connection.email}}";
  Connector c = parsed(with_authorization(a));
  const OAuth2Settings& o = c.authorization.oauth2;
  EXPECT_EQ(o.client_id.source(), "{{connection.client_id}}");
  EXPECT_THAT(*o.scopes, ElementsAre("read", "write"));
  EXPECT_EQ(o.scope_separator, ",");
  ASSERT_THAT(o.authorization_params, SizeIs(1));
  EXPECT_EQ(o.authorization_params[0].first, "access_type");
  ASSERT_THAT(o.token_params, SizeIs(1));
  EXPECT_FALSE(o.pkce);
  EXPECT_EQ(o.client_auth, OAuth2Settings::ClientAuth::Basic);
  EXPECT_EQ(o.token_format, OAuth2Settings::TokenFormat::Json);
  EXPECT_TRUE(o.noopener);
  EXPECT_EQ(c.authorization.refresh_mode, Authorization::Refresh::Disabled);
  EXPECT_TRUE(c.authorization.refresh.empty());
  ASSERT_TRUE(c.authorization.identity.has_value());
  EXPECT_EQ(c.authorization.identity->source(), "{{connection.email}}");
}

TEST(ParseConnector, BasicAuthDefaultApplyUsesUsernameAndPassword) {
  Connector c = parsed(with_authorization({{"type", "basic_auth"}}));
  ASSERT_THAT(c.authorization.apply, SizeIs(1));
  const ApplyRule& rule = c.authorization.apply[0];
  EXPECT_FALSE(rule.url.has_value());
  EXPECT_THAT(rule.verbs, IsEmpty());
  EXPECT_THAT(rule.headers, IsEmpty());
  ASSERT_TRUE(rule.basic.has_value());
  EXPECT_EQ(rule.basic->username.source(), "{{connection.username}}");
  EXPECT_EQ(rule.basic->password.source(), "{{connection.password}}");
}

TEST(ParseConnector, ExplicitApplyReplacesTheTypeDefault) {
  json a = oauth2_authorization();
  a["apply"] = json::parse(R"([{"headers": {"Authorization": "OAuth2 {{access_token}}"}}])");
  Connector c = parsed(with_authorization(a));
  ASSERT_THAT(c.authorization.apply, SizeIs(1));
  EXPECT_EQ(c.authorization.apply[0].headers[0].second.source(), "OAuth2 {{access_token}}");
}

TEST(ParseConnector, CustomAuthWithRefreshStep) {
  json a = json::parse(R"({
    "type": "custom_auth",
    "acquire": { "request": { "method": "post", "url": "https://acme.example/session",
                              "json": { "user": "{{connection.user}}", "remember": true } },
                 "owner_id": "{{response.user.id}}" },
    "refresh": { "request": { "method": "POST", "url": "session/renew" } },
    "apply": [ { "headers": { "X-Session": "{{connection.session}}" } } ]
  })");
  Connector c = parsed(with_authorization(a));
  const Authorization& auth = c.authorization;
  ASSERT_THAT(auth.acquire, SizeIs(1));
  EXPECT_EQ(auth.acquire[0].where, "/authorization/acquire");
  EXPECT_EQ(auth.acquire[0].request.method, "POST");
  EXPECT_EQ(auth.acquire[0].request.where, "/authorization/acquire/request");
  ASSERT_TRUE(auth.acquire[0].request.json.has_value());
  EXPECT_EQ(auth.acquire[0].request.json->source(), a["acquire"]["request"]["json"]);
  EXPECT_FALSE(auth.acquire[0].request.form.has_value());
  ASSERT_TRUE(auth.acquire[0].owner_id.has_value());
  EXPECT_EQ(auth.acquire[0].owner_id->source(), "{{response.user.id}}");
  EXPECT_FALSE(auth.acquire[0].tokens.access_token.has_value());  // standard names
  EXPECT_EQ(auth.refresh_mode, Authorization::Refresh::Custom);
  ASSERT_THAT(auth.refresh, SizeIs(1));
  EXPECT_EQ(auth.refresh[0].request.url.source(), "session/renew");
}

TEST(ParseConnector, JsonNullCountsAsNotGiven) {
  json a = json::parse(R"({
    "type": "custom_auth",
    "acquire": { "request": { "method": "POST", "url": "https://acme.example/token",
                              "form": { "grant_type": "client_credentials" }, "json": null } },
    "apply": [ { "headers": { "Authorization": "Bearer {{access_token}}" } } ]
  })");
  Connector c = parsed(with_authorization(a));
  ASSERT_THAT(c.authorization.acquire, SizeIs(1));
  EXPECT_TRUE(c.authorization.acquire[0].request.form.has_value());
  EXPECT_FALSE(c.authorization.acquire[0].request.json.has_value());
}

TEST(ParseConnector, ApplyRuleConditionsAndActions) {
  json a = json::parse(R"({
    "type": "api_key",
    "apply": [
      { "when": { "url": "/cost/" }, "headers": { "A": "1" } },
      { "when": { "url": { "prefix": "https://x.example/" }, "verb": "post" }, "params": { "k": "v" } },
      { "when": { "url": { "regex": "^https://[a-z]+\\.example/", "flags": "i" }, "verb": ["put", "PATCH"] },
        "payload": { "api_token": "{{connection.key}}", "n": 1 } },
      { "when": { "url": { "contains": "v2" } }, "basic": { "username": "u", "password": "{{connection.p}}" } }
    ]
  })");
  Connector c = parsed(with_authorization(a));
  const auto& rules = c.authorization.apply;
  ASSERT_THAT(rules, SizeIs(4));
  EXPECT_EQ(rules[0].url->kind, UrlCondition::Kind::Contains);
  EXPECT_EQ(rules[0].url->value, "/cost/");
  EXPECT_EQ(rules[1].url->kind, UrlCondition::Kind::Prefix);
  EXPECT_THAT(rules[1].verbs, ElementsAre("POST"));
  EXPECT_EQ(rules[2].url->kind, UrlCondition::Kind::Regex);
  ASSERT_NE(rules[2].url->pattern, nullptr);
  EXPECT_TRUE(rules[2].url->pattern->search("HTTPS://API.EXAMPLE/x"));
  EXPECT_THAT(rules[2].verbs, ElementsAre("PUT", "PATCH"));
  ASSERT_THAT(rules[2].payload, SizeIs(2));
  EXPECT_EQ(rules[2].payload[0].first, "api_token");
  EXPECT_EQ(rules[3].url->kind, UrlCondition::Kind::Contains);
  ASSERT_TRUE(rules[3].basic.has_value());
  EXPECT_EQ(rules[3].basic->password.source(), "{{connection.p}}");
}

TEST(ParseConnector, SignalsOfEveryKind) {
  json a = api_key_connector()["authorization"];
  a["refresh_on"] = json::parse(R"([401, "Unauthorized", {"regex": "token (is )?expired", "flags": "i"}])");
  a["detect_on"] = json::parse(R"([{"regex": "^\\{\"response\":\\{\"error\".+$"}])");
  Connector c = parsed(with_authorization(a));
  const Signals& refresh_on = c.authorization.refresh_on;
  ASSERT_THAT(refresh_on, SizeIs(3));
  EXPECT_EQ(refresh_on[0].kind, Signal::Kind::Status);
  EXPECT_EQ(refresh_on[0].status, 401);
  EXPECT_EQ(refresh_on[0].where, "/authorization/refresh_on/0");
  EXPECT_EQ(refresh_on[1].kind, Signal::Kind::BodyEquals);
  EXPECT_EQ(refresh_on[1].body, "Unauthorized");
  EXPECT_EQ(refresh_on[2].kind, Signal::Kind::BodyRegex);
  ASSERT_NE(refresh_on[2].pattern, nullptr);
  EXPECT_TRUE(refresh_on[2].pattern->search("Token Expired"));
  ASSERT_THAT(c.authorization.detect_on, SizeIs(1));
  EXPECT_TRUE(c.authorization.detect_on[0].pattern->search(R"({"response":{"error":"x"}})"));
}

// ---- invalid documents ------------------------------------------------------

TEST(ParseConnectorProblems, InvalidJsonTextIsOneProblemWithPositionAndReason) {
  Problems p = problems_of_text(R"({"name": "acme", "title": })");
  ASSERT_THAT(p, SizeIs(1));
  EXPECT_EQ(p[0].path, "");
  EXPECT_THAT(p[0].message, HasSubstr("invalid JSON at byte 27"));
  EXPECT_THAT(p[0].message, HasSubstr("syntax error while parsing value - unexpected '}'"));
}

TEST(ParseConnectorProblems, InvalidJsonMessageNeverEchoesTheInput) {
  Problems p = problems_of_text("{\"client_secret\": \"s3cr3t-value");
  ASSERT_THAT(p, SizeIs(1));
  EXPECT_THAT(p[0].message, HasSubstr("invalid JSON at byte"));
  EXPECT_THAT(p[0].message, Not(HasSubstr("s3cr3t")));
}

TEST(ParseConnectorProblems, EmptyTextIsInvalidJson) {
  Problems p = problems_of_text("");
  ASSERT_THAT(p, SizeIs(1));
  EXPECT_THAT(p[0], ProblemAt("", "invalid JSON at byte"));
}

TEST(ParseConnectorProblems, DefinitionMustBeAnObject) {
  EXPECT_THAT(problems_of(json::array()),
              ElementsAre(ProblemIs("", "a connector definition must be a JSON object, not an array")));
}

TEST(ParseConnectorProblems, RequiredTopLevelKeys) {
  EXPECT_THAT(problems_of(json::object()),
              ElementsAre(ProblemIs("", "missing required key \"name\""),
                          ProblemIs("", "missing required key \"authorization\"")));
}

TEST(ParseConnectorProblems, NameMustMatchThePattern) {
  for (const char* bad : {"Acme", "1acme", "acme crm", "", "_acme"}) {
    json d = api_key_connector();
    d["name"] = bad;
    EXPECT_THAT(problems_of(d), ElementsAre(ProblemIs("/name", "must match ^[a-z][a-z0-9_-]{0,63}$")))
        << bad;
  }
  json d = api_key_connector();
  d["name"] = std::string(65, 'a');
  EXPECT_THAT(problems_of(d), ElementsAre(ProblemAt("/name", "must match")));
  d["name"] = "acme_crm-2";
  EXPECT_THAT(problems_of(d), IsEmpty());
}

TEST(ParseConnectorProblems, WrongJsonTypes) {
  json d = api_key_connector();
  d["title"] = 5;
  d["connection"]["fields"][0]["optional"] = "no";
  d["connection"]["base_uri"] = json::array();
  EXPECT_THAT(problems_of(d),
              ElementsAre(ProblemIs("/title", "must be a string, not a number"),
                          ProblemIs("/connection/base_uri", "must be a string (a template), not an array"),
                          ProblemIs("/connection/fields/0/optional",
                                    "must be a boolean (true or false), not a string")));
}

TEST(ParseConnectorProblems, UnknownKeysSuggestTheClosestKnownKey) {
  json d = api_key_connector();
  d["authorization"]["refresh_onn"] = json::array({401});
  d["authorization"]["colour"] = "blue";
  d["tset"] = json::object();
  EXPECT_THAT(problems_of(d),
              ElementsAre(ProblemIs("/tset", "unknown key \"tset\"; did you mean \"test\"?"),
                          ProblemIs("/authorization/colour", "unknown key \"colour\""),
                          ProblemIs("/authorization/refresh_onn",
                                    "unknown key \"refresh_onn\"; did you mean \"refresh_on\"?")));
}

TEST(ParseConnectorProblems, UnknownKeyWithInvalidUtf8StaysPrintable) {
  json d = api_key_connector();
  d["authorization"][std::string("k\xff\xfe")] = 1;
  Problems p = problems_of(d);
  ASSERT_THAT(p, SizeIs(1));
  EXPECT_THAT(p[0].message, HasSubstr("unknown key \"k"));
  EXPECT_NO_THROW(json(p[0].message).dump());
}

TEST(ParseConnectorProblems, UnknownAuthorizationType) {
  EXPECT_THAT(problems_of(with_authorization({{"type", "oauth"}})),
              ElementsAre(ProblemIs("/authorization/type",
                                    "unknown authorization type \"oauth\"; expected one of basic_auth, "
                                    "api_key, oauth2, custom_auth, multi")));
}

TEST(ParseConnectorProblems, MissingAuthorizationType) {
  EXPECT_THAT(problems_of(with_authorization(json::object())),
              ElementsAre(ProblemIs("/authorization",
                                    "missing required key \"type\"; expected one of basic_auth, "
                                    "api_key, oauth2, custom_auth, multi")));
}

TEST(ParseConnectorProblems, KeysNotUsedByTheType) {
  json a = api_key_connector()["authorization"];
  a["token_url"] = "https://acme.example/token";
  a["selected"] = "{{connection.x}}";
  a["fields"] = json::array();
  EXPECT_THAT(problems_of(with_authorization(a)),
              ElementsAre(ProblemIs("/authorization/fields",
                                    "connection fields belong in /connection/fields; only options of a "
                                    "multi authorization have their own fields"),
                          ProblemIs("/authorization/selected", "not used by api_key authorization; remove it"),
                          ProblemIs("/authorization/token_url", "not used by api_key authorization; remove it")));
}

TEST(ParseConnectorProblems, RevocationUrlIsAnOAuth2RequestUrl) {
  json a = json::parse(R"({"type": "oauth2", "authorization_url": "https://acme.example/authorize",
                           "token_url": "https://acme.example/token", "revocation_url": "ftp://acme.example/revoke"})");
  EXPECT_THAT(problems_of(with_authorization(a)),
              ElementsAre(ProblemIs("/authorization/revocation_url", "must be an http:// or https:// URL")));
  a["revocation_url"] = "oauth/revoke";  // relative to base_uri, like token_url
  EXPECT_THAT(problems_of(with_authorization(a)), IsEmpty());
  json k = api_key_connector()["authorization"];
  k["revocation_url"] = "https://acme.example/revoke";
  EXPECT_THAT(problems_of(with_authorization(k)),
              ElementsAre(ProblemIs("/authorization/revocation_url", "not used by api_key authorization; remove it")));
}

TEST(ParseConnectorProblems, OAuth2RequiresUrls) {
  EXPECT_THAT(problems_of(with_authorization({{"type", "oauth2"}})),
              ElementsAre(ProblemIs("/authorization", "oauth2 requires authorization_url"),
                          ProblemIs("/authorization", "oauth2 requires token_url (or an acquire step)")));
}

TEST(ParseConnectorProblems, OAuth2AcquireWithoutTokenUrlMustSayHowToRefresh) {
  json a = oauth2_authorization();
  a.erase("token_url");
  a["acquire"] = json::parse(R"({"request": {"method": "POST", "url": "https://acme.example/t"}})");
  EXPECT_THAT(problems_of(with_authorization(a)),
              ElementsAre(ProblemAt("/authorization", "oauth2 without token_url cannot use the standard "
                                                      "refresh-token grant")));
  a["refresh"] = false;
  EXPECT_THAT(problems_of(with_authorization(a)), IsEmpty());
}

TEST(ParseConnectorProblems, OAuth2SettingTypes) {
  json a = oauth2_authorization();
  a["pkce"] = "yes";
  a["scopes"] = "read write";
  a["scope_separator"] = "";
  a["client_auth"] = "header";
  a["token_format"] = "xml";
  a["authorization_url"] = "acme.example/authorize";
  a["refresh"] = true;
  EXPECT_THAT(problems_of(with_authorization(a)),
              ElementsAre(ProblemIs("/authorization/authorization_url",
                                    "must be an absolute URL starting with https://"),
                          ProblemIs("/authorization/scopes", "must be an array of strings, not a string"),
                          ProblemIs("/authorization/scope_separator", "must not be empty"),
                          ProblemIs("/authorization/pkce", "must be true, false or {\"method\": \"S256\"|\"plain\", \"verifier_length\": 43..128}"),
                          ProblemIs("/authorization/client_auth",
                                    "must be \"body\", \"basic\" or \"private_key_jwt\", not \"header\""),
                          ProblemIs("/authorization/token_format", "must be \"form\" or \"json\", not \"xml\""),
                          ProblemAt("/authorization/refresh", "must be a refresh step object, or false")));
}

TEST(ParseConnectorProblems, EngineOwnedOAuth2ParamsCannotBeSet) {
  json a = oauth2_authorization();
  a["authorization_params"] = {{"state", "fixed"}, {"prompt", "consent"}};
  a["token_params"] = {{"code_verifier", "x"}};
  EXPECT_THAT(problems_of(with_authorization(a)),
              ElementsAre(ProblemIs("/authorization/authorization_params/state",
                                    "\"state\" is added by the engine (SPEC §2.2); remove it"),
                          ProblemIs("/authorization/token_params/code_verifier",
                                    "\"code_verifier\" is added by the engine (SPEC §2.2); remove it")));
}

TEST(ParseConnectorProblems, TokenHeadersCannotSetTheEngineHeaders) {
  json a = oauth2_authorization();
  a["token_headers"] = {{"CF-Access-Client-Id", "{{connection.access_id}}"}, {"authorization", "x"},
                        {"Content-Type", "text/plain"}, {"X Bad", "v"}};
  EXPECT_THAT(problems_of(with_authorization(a)),
              ElementsAre(ProblemAt("/authorization/token_headers/X Bad", "header name"),
                          ProblemIs("/authorization/token_headers/Content-Type",
                                    "\"Content-Type\" is set by the engine (client_auth, token_format); remove it"),
                          ProblemIs("/authorization/token_headers/authorization",
                                    "\"authorization\" is set by the engine (client_auth, token_format); remove it")));
}

TEST(ParseConnectorProblems, ApiKeyAndCustomAuthRequirements) {
  EXPECT_THAT(problems_of(with_authorization({{"type", "api_key"}})),
              ElementsAre(ProblemAt("/authorization", "api_key requires apply")));
  EXPECT_THAT(problems_of(with_authorization({{"type", "custom_auth"}})),
              ElementsAre(ProblemAt("/authorization", "custom_auth requires acquire"),
                          ProblemAt("/authorization", "custom_auth requires apply")));
}

TEST(ParseConnectorProblems, FormAndJsonAreExclusive) {
  json a = json::parse(R"({
    "type": "custom_auth",
    "acquire": { "request": { "method": "POST", "url": "https://acme.example/token",
                              "form": { "a": "1" }, "json": { "b": 2 } } },
    "apply": [ { "headers": { "Authorization": "Bearer {{access_token}}" } } ]
  })");
  EXPECT_THAT(problems_of(with_authorization(a)),
              ElementsAre(ProblemIs("/authorization/acquire/request", "give either form or json, not both")));
}

TEST(ParseConnectorProblems, RequestChecks) {
  json d = api_key_connector();
  d["connection"].erase("base_uri");
  d["test"] = json::parse(R"({"method": "GE T", "url": "me", "headers": {"Bad Name": "x"},
                             "params": {"q": 1}, "extra": true})");
  EXPECT_THAT(problems_of(d),
              ElementsAre(ProblemIs("/test/extra", "unknown key \"extra\""),
                          ProblemIs("/test/method", "must be an HTTP method such as GET or POST"),
                          ProblemAt("/test/url", "is relative but /connection/base_uri is not set"),
                          ProblemAt("/test/headers/Bad Name", "is not a valid token"),
                          ProblemIs("/test/params/q", "must be a string (a template), not a number")));
  d["test"] = json::parse(R"({"url": "https://acme.example/me", "form": {"a": "b"}})");
  EXPECT_THAT(problems_of(d),
              ElementsAre(ProblemIs("/test/form", "a GET request has no body; use params, or set method to POST")));
  d["test"] = json::parse(R"({"method": "POST"})");
  EXPECT_THAT(problems_of(d), ElementsAre(ProblemIs("/test", "missing required key \"url\"")));
  d["test"] = json::parse(R"({"url": "ftp://acme.example/me"})");
  EXPECT_THAT(problems_of(d), ElementsAre(ProblemIs("/test/url", "must be an http:// or https:// URL")));
  d["test"] = json::parse(R"({"url": "{{connection.base}}/me", "basic": {"username": "u", "password": "p"},
                             "headers": {"authorization": "x"}})");
  EXPECT_THAT(problems_of(d), ElementsAre(ProblemIs(
                                  "/test", "give either basic or an Authorization header, not both")));
}

TEST(ParseConnectorProblems, HeaderValuesMayNotSplitTheRequest) {
  json d = api_key_connector();
  d["authorization"]["apply"][0]["headers"]["X-Api-Key"] = "a\r\nX-Evil: 1";
  EXPECT_THAT(problems_of(d),
              ElementsAre(ProblemIs("/authorization/apply/0/headers/X-Api-Key",
                                    "header value must not contain CR, LF or NUL characters")));
}

TEST(ParseConnectorProblems, StepChecks) {
  json a = json::parse(R"({
    "type": "custom_auth",
    "acquire": { "tokens": { "access": "{{response.token}}" },
                 "merge": { "access_token": "{{response.token}}", "region": 5 } },
    "apply": [ { "headers": { "Authorization": "Bearer {{access_token}}" } } ]
  })");
  EXPECT_THAT(problems_of(with_authorization(a)),
              ElementsAre(ProblemIs("/authorization/acquire", "missing required key \"request\""),
                          ProblemIs("/authorization/acquire/tokens/access",
                                    "unknown key \"access\""),
                          ProblemIs("/authorization/acquire/merge/region",
                                    "must be a string (a template), not a number"),
                          ProblemIs("/authorization/acquire/merge/access_token",
                                    "\"access_token\" is a token; map it under tokens instead of merge")));
}

TEST(ParseConnectorProblems, TemplateSyntaxAndUnknownPathsAreReportedAtTheString) {
  json d = api_key_connector();
  d["authorization"]["apply"][0]["headers"]["X-Api-Key"] = "{{connection.api_key";
  Problems p = problems_of(d);
  ASSERT_THAT(p, SizeIs(1));
  EXPECT_EQ(p[0].path, "/authorization/apply/0/headers/X-Api-Key");
  EXPECT_THAT(p[0].message, HasSubstr("{{connection.api_key"));

  d["authorization"]["apply"][0]["headers"]["X-Api-Key"] = "{{conection.api_key}}";
  EXPECT_THAT(problems_of(d),
              ElementsAre(ProblemIs("/authorization/apply/0/headers/X-Api-Key",
                                    "unknown template path \"conection.api_key\"; did you mean \"connection\"?")));
  d["authorization"]["apply"][0]["headers"]["X-Api-Key"] = "{{user.api_key}}";
  EXPECT_THAT(problems_of(d), ElementsAre(ProblemAt("/authorization/apply/0/headers/X-Api-Key",
                                                    "unknown template path \"user.api_key\"; paths start "
                                                    "with connection, client_id")));
}

TEST(ParseConnectorProblems, ApplyRuleChecks) {
  json a = json::parse(R"({
    "type": "api_key",
    "apply": [
      { "when": { "url": { "prefix": "https://a/", "contains": "b" } }, "headers": { "A": "1" } },
      { "when": { "url": { "regex": "(" } }, "headers": { "A": "1" } },
      { "when": { "url": { "prefix": "https://a/", "flags": "i" }, "verb": [] }, "headers": { "A": "1" } },
      { "when": { "verb": ["GET", "NOT A VERB", 3], "method": "GET" } },
      { "basic": { "username": "u" }, "payload": [] },
      "headers"
    ]
  })");
  Problems p = problems_of(with_authorization(a));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/apply/0/when/url",
                                    "give exactly one of prefix, contains or regex")));
  EXPECT_THAT(p, Contains(ProblemAt("/authorization/apply/1/when/url/regex", "")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/apply/2/when/url/flags",
                                    "flags apply only to regex; remove it")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/apply/2/when/verb",
                                    "must not be empty; remove verb to match every method")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/apply/3/when/method",
                                    "unknown key \"method\"")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/apply/3/when/verb/1",
                                    "must be an HTTP method such as GET or POST")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/apply/3/when/verb/2", "must be a string, not a number")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/apply/3",
                                    "rule does nothing; give headers, params, payload, basic or sign")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/apply/4/payload", "must be an object, not an array")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/apply/4/basic", "missing required key \"password\"")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/apply/5", "must be an object, not a string")));
  EXPECT_THAT(p, SizeIs(11));
}

TEST(ParseConnectorProblems, ApplyMustBeANonEmptyList) {
  json d = api_key_connector();
  d["authorization"]["apply"] = json::array();
  EXPECT_THAT(problems_of(d), ElementsAre(ProblemIs("/authorization/apply", "must list at least one rule")));
  d["authorization"]["apply"] = {{"headers", {{"A", "b"}}}};
  EXPECT_THAT(problems_of(d), ElementsAre(ProblemIs("/authorization/apply",
                                                    "must be an array of apply rules, not an object")));
}

TEST(ParseConnectorProblems, SignalChecks) {
  json d = api_key_connector();
  d["authorization"]["refresh_on"] =
      json::parse(R"([99, 600, 401.5, true, ["x"], {"regex": "(unclosed"}, {"regex": "a", "flags": "ix"},
                      {"flags": "i"}, {"regex": "a", "options": 1}, -401, 18446744073709551615])");
  d["authorization"]["detect_on"] = 401;
  Problems p = problems_of(d);
  const std::string status = "must be an HTTP status code, an integer from 100 to 599";
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/refresh_on/0", status)));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/refresh_on/1", status)));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/refresh_on/2", status)));
  EXPECT_THAT(p, Contains(ProblemAt("/authorization/refresh_on/3", "must be an HTTP status code (e.g. 401)")));
  EXPECT_THAT(p, Contains(ProblemAt("/authorization/refresh_on/4", "not an array")));
  EXPECT_THAT(p, Contains(ProblemAt("/authorization/refresh_on/5/regex", "")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/refresh_on/6/flags",
                                    "unknown flag \"x\"; use i (ignore case), m (multi-line), s (dot "
                                    "matches newline)")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/refresh_on/7", "missing required key \"regex\"")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/refresh_on/8/options", "unknown key \"options\"")));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/refresh_on/9", status)));
  EXPECT_THAT(p, Contains(ProblemIs("/authorization/refresh_on/10", status)));
  EXPECT_THAT(p, Contains(ProblemAt("/authorization/detect_on", "must be an array of signals")));
  EXPECT_THAT(p, SizeIs(12));
}

TEST(ParseConnectorProblems, FieldChecks) {
  json d = api_key_connector();
  d["connection"]["fields"] = json::parse(R"([
    { "name": "Sub Domain" },
    { "label": "No name" },
    { "name": "api_key", "default": {"a": 1} },
    { "name": "api_key" },
    "region"
  ])");
  EXPECT_THAT(problems_of(d),
              ElementsAre(ProblemIs("/connection/fields/0/name", "must match ^[a-z_][a-z0-9_]*$"),
                          ProblemIs("/connection/fields/1", "missing required key \"name\""),
                          ProblemIs("/connection/fields/2/default",
                                    "must be a string, number, boolean or null"),
                          ProblemIs("/connection/fields/3/name",
                                    "duplicate field name \"api_key\"; already defined at "
                                    "/connection/fields/2"),
                          ProblemIs("/connection/fields/4", "must be an object, not a string")));
}

// ---- multi --------------------------------------------------------------------

json multi_connector() {
  json d = api_key_connector();
  d["connection"]["fields"] = json::parse(R"([{"name": "auth_type"}])");
  d["authorization"] = json::parse(R"({
    "type": "multi",
    "refresh_on": [401],
    "options": {
      "oauth": { "type": "oauth2",
                 "authorization_url": "https://acme.example/authorize",
                 "token_url": "https://acme.example/token" },
      "key": { "type": "api_key",
               "fields": [ { "name": "api_key", "secret": true } ],
               "refresh_on": [403],
               "apply": [ { "headers": { "X-Api-Key": "{{connection.api_key}}" } } ] }
    }
  })");
  return d;
}

TEST(ParseConnectorMulti, OptionsAreFullAuthorizationsThatInheritSharedKeys) {
  Connector c = parsed(multi_connector());
  const Authorization& auth = c.authorization;
  EXPECT_EQ(auth.type, AuthType::Multi);
  ASSERT_TRUE(auth.selected.has_value());
  EXPECT_EQ(auth.selected->source(), "{{connection.auth_type}}");
  ASSERT_THAT(auth.options, SizeIs(2));
  const Authorization& key = *auth.options[0].authorization;
  const Authorization& oauth = *auth.options[1].authorization;
  EXPECT_EQ(auth.options[0].key, "key");
  EXPECT_EQ(key.where, "/authorization/options/key");
  ASSERT_THAT(key.fields, SizeIs(1));
  EXPECT_EQ(key.fields[0].where, "/authorization/options/key/fields/0");
  ASSERT_THAT(key.refresh_on, SizeIs(1));
  EXPECT_EQ(key.refresh_on[0].status, 403);  // its own
  ASSERT_THAT(oauth.refresh_on, SizeIs(1));
  EXPECT_EQ(oauth.refresh_on[0].status, 401);  // inherited from the multi
  ASSERT_THAT(oauth.apply, SizeIs(1));
  EXPECT_EQ(oauth.apply[0].headers[0].second.source(), "Bearer {{access_token}}");
}

TEST(ParseConnectorMulti, AnOptionInheritsApplyToSatisfyItsType) {
  json d = multi_connector();
  d["authorization"]["apply"] = json::parse(R"([{"headers": {"X-Api-Key": "{{connection.api_key}}"}}])");
  d["authorization"]["options"]["key"].erase("apply");
  Connector c = parsed(d);
  const Authorization& key = *c.authorization.options[0].authorization;
  const Authorization& oauth = *c.authorization.options[1].authorization;
  ASSERT_THAT(key.apply, SizeIs(1));
  EXPECT_EQ(key.apply[0].where, "/authorization/apply/0");
  ASSERT_THAT(oauth.apply, SizeIs(1));  // the multi's rule, not the Bearer default
  EXPECT_EQ(oauth.apply[0].headers[0].first, "X-Api-Key");
}

TEST(ParseConnectorMulti, OptionProblemsAreReportedRecursively) {
  json d = multi_connector();
  d["authorization"]["options"]["oauth"].erase("token_url");
  d["authorization"]["options"]["key"]["fields"][0]["name"] = "auth_type";
  d["authorization"]["options"]["nested"] = {{"type", "multi"}};
  d["authorization"]["options"]["Bad-Key"] = {{"type", "api_key"}};
  d["authorization"]["scopes"] = json::array();
  EXPECT_THAT(problems_of(d),
              ElementsAre(ProblemIs("/authorization/scopes", "not used by multi authorization; remove it"),
                          ProblemIs("/authorization/options/Bad-Key", "option key must match ^[a-z_][a-z0-9_]*$"),
                          ProblemIs("/authorization/options/key/fields/0/name",
                                    "duplicate field name \"auth_type\"; already defined at "
                                    "/connection/fields/0"),
                          ProblemIs("/authorization/options/nested/type",
                                    "an option of a multi authorization cannot itself be multi; use "
                                    "basic_auth, api_key, oauth2 or custom_auth"),
                          ProblemIs("/authorization/options/oauth",
                                    "oauth2 requires token_url (or an acquire step)")));
}

TEST(ParseConnectorMulti, FieldNamesAreUniqueAcrossOptions) {
  json d = multi_connector();
  d["authorization"]["options"]["oauth"]["fields"] = json::parse(R"([{"name": "api_key"}])");
  EXPECT_THAT(problems_of(d),
              ElementsAre(ProblemIs("/authorization/options/oauth/fields/0/name",
                                    "duplicate field name \"api_key\"; already defined at "
                                    "/authorization/options/key/fields/0")));
}

TEST(ParseConnectorMulti, OptionsAreRequiredAndNonEmpty) {
  EXPECT_THAT(problems_of(with_authorization({{"type", "multi"}})),
              ElementsAre(ProblemAt("/authorization", "multi requires options")));
  EXPECT_THAT(problems_of(with_authorization({{"type", "multi"}, {"options", json::object()}})),
              ElementsAre(ProblemIs("/authorization/options", "must have at least one option")));
  EXPECT_THAT(problems_of(with_authorization({{"type", "multi"}, {"options", json::array()}})),
              ElementsAre(ProblemIs("/authorization/options", "must be an object, not an array")));
}

// ---- several problems at once ----------------------------------------------------

TEST(ParseConnectorProblems, CollectsEveryProblemInOnePass) {
  json d = json::parse(R"({
    "name": "Acme",
    "connection": { "fields": [ { "name": "key", "secret": "yes" } ], "base_uri": "ftp://x" },
    "authorization": { "type": "oauth2", "pkce": 1, "refresh_on": ["ok", 42] },
    "test": { "url": "me", "method": "" }
  })");
  EXPECT_THAT(problems_of(d),
              ElementsAre(ProblemIs("/name", "must match ^[a-z][a-z0-9_-]{0,63}$"),
                          ProblemIs("/connection/base_uri", "must be an http:// or https:// URL"),
                          ProblemIs("/connection/fields/0/secret", "must be a boolean (true or false), not a string"),
                          ProblemIs("/authorization/refresh_on/1",
                                    "must be an HTTP status code, an integer from 100 to 599"),
                          ProblemIs("/authorization/pkce", "must be true, false or {\"method\": \"S256\"|\"plain\", \"verifier_length\": 43..128}"),
                          ProblemIs("/authorization", "oauth2 requires authorization_url"),
                          ProblemIs("/authorization", "oauth2 requires token_url (or an acquire step)"),
                          ProblemIs("/test/method", "must be an HTTP method such as GET or POST")));
}

TEST(ParseConnectorProblems, DeeplyNestedDocumentsAreRefused) {
  std::string deep = std::string(200, '[') + std::string(200, ']');
  json d = api_key_connector();
  d["test"] = {{"url", "me"}, {"method", "POST"}, {"json", json::parse(deep)}};
  EXPECT_THAT(problems_of(d),
              ElementsAre(ProblemIs("", "nested more than 64 levels deep; flatten the definition")));
}

// ---- select_authorization ------------------------------------------------------

TEST(SelectAuthorization, NonMultiIsTheTopLevel) {
  Connector c = parsed(api_key_connector());
  Result<const Authorization*> selected = select_authorization(c, json::object());
  ASSERT_TRUE(selected.ok());
  EXPECT_EQ(*selected.value, &c.authorization);
}

TEST(SelectAuthorization, MultiPicksTheOptionNamedBySelected) {
  Connector c = parsed(multi_connector());
  Result<const Authorization*> selected =
      select_authorization(c, {{"connection", {{"auth_type", "key"}}}});
  ASSERT_TRUE(selected.ok());
  EXPECT_EQ(*selected.value, c.authorization.options[0].authorization.get());
  EXPECT_EQ((*selected.value)->type, AuthType::ApiKey);
}

TEST(SelectAuthorization, CustomSelectedTemplate) {
  json d = multi_connector();
  d["authorization"]["selected"] = "{{connection.mode | default: \"oauth\"}}";
  Connector c = parsed(d);
  Result<const Authorization*> selected = select_authorization(c, {{"connection", json::object()}});
  ASSERT_TRUE(selected.ok());
  EXPECT_EQ((*selected.value)->type, AuthType::OAuth2);
}

TEST(SelectAuthorization, UnknownOptionNamesTheValueAndTheOptions) {
  Connector c = parsed(multi_connector());
  Result<const Authorization*> selected =
      select_authorization(c, {{"connection", {{"auth_type", "password"}}}});
  EXPECT_FALSE(selected.ok());
  EXPECT_THAT(selected.errors,
              ElementsAre(ProblemIs("/authorization/selected",
                                    "selected authorization \"password\" is not an option; expected one "
                                    "of key, oauth")));
}

TEST(SelectAuthorization, MissingValueIsAProblemAtSelected) {
  Connector c = parsed(multi_connector());
  Result<const Authorization*> selected = select_authorization(c, {{"connection", json::object()}});
  EXPECT_FALSE(selected.ok());
  ASSERT_THAT(selected.errors, SizeIs(1));
  EXPECT_EQ(selected.errors[0].path, "/authorization/selected");
  EXPECT_THAT(selected.errors[0].message, HasSubstr("connection.auth_type"));
}

TEST(AuthTypeNames, MatchTheDefinitionSpelling) {
  EXPECT_STREQ(to_string(AuthType::BasicAuth), "basic_auth");
  EXPECT_STREQ(to_string(AuthType::ApiKey), "api_key");
  EXPECT_STREQ(to_string(AuthType::OAuth2), "oauth2");
  EXPECT_STREQ(to_string(AuthType::CustomAuth), "custom_auth");
  EXPECT_STREQ(to_string(AuthType::Multi), "multi");
}

}  // namespace
}  // namespace connauth
