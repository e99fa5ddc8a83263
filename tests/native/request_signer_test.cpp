// Apply rules that sign (SPEC §10) and the stamp values, through the engine's
// one-shot apply and a bound connection. The signatures themselves are
// checked against published vectors in oauth1_test / aws_sigv4_test and
// against independent implementations in tests/node/signing.test.mjs.
#include "request_signer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aws_sigv4.h"
#include "bound_connection.h"
#include "engine.h"
#include "hmac.h"
#include "oauth1.h"
#include "sha256.h"
#include "stamp.h"
#include "url.h"

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// 32 bytes 00..1f as hex: uuid 00010203-0405-4607-8809-0a0b0c0d0e0f,
// nonce 101112...1f.
std::string random_hex() {
  std::string bytes;
  for (int i = 0; i < 32; ++i) bytes += char(i);
  return hex_encode(bytes);
}

Stamp stamp(int64_t now = 1318622958) { return Stamp{now, *hex_decode(random_hex())}; }

json context(json connection, bool with_stamp = true) {
  json c = {{"connection", std::move(connection)}, {"app", {{"client_id", "ck"}, {"client_secret", "cs"}}}};
  if (with_stamp) c["stamp"] = {{"now", 1318622958}, {"random", random_hex()}};
  return c;
}

Connector connector(const json& apply) {
  json definition = {{"name", "signed"},
                     {"connection", {{"base_uri", "https://api.example.com/v1/"}}},
                     {"authorization", {{"type", "custom_auth"}, {"apply", apply}}}};
  // custom_auth needs an acquire; a static one will do.
  definition["authorization"]["acquire"] = {{"request", {{"method", "POST"}, {"url", "https://api.example.com/t"}}}};
  auto parsed = parse_connector(definition);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors[0].path + ": " + parsed.errors[0].message);
  return parsed.ok() ? std::move(*parsed.value) : Connector{};
}

std::string header(const json& applied, std::string_view name) {
  for (const auto& [key, value] : applied["value"]["headers"].items())
    if (iequals(key, name)) return value.get<std::string>();
  return "";
}

TEST(StampValues, Rfc3339AndUuid) {
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339(1318622958), "2011-10-14T20:09:18Z");
  EXPECT_EQ(rfc3339(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(rfc3339(-1), "1969-12-31T23:59:59Z");
  json scope = json::object();
  stamp_scope(scope, stamp());
  EXPECT_EQ(scope["now"], 1318622958);
  EXPECT_EQ(scope["now_iso"], "2011-10-14T20:09:18Z");
  EXPECT_EQ(scope["uuid"], "00010203-0405-4607-8809-0a0b0c0d0e0f");  // version 4, variant 10
  EXPECT_EQ(stamp_nonce(stamp()), "101112131415161718191a1b1c1d1e1f");
}

TEST(StampValues, FromContext) {
  EXPECT_EQ(stamp_from_context(json::object()).value->now, 0);
  auto bad = stamp_from_context({{"stamp", {{"now", 1}, {"random", "xyz"}}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.errors[0].path, "/context/stamp");
  EXPECT_FALSE(stamp_from_context({{"stamp", "now"}}).ok());
}

TEST(StampValues, TemplatesInApplyRules) {
  Connector c = connector(json::parse(R"([{"headers": {"X-Time": "{{now}} {{now_iso}}", "X-Request-Id": "{{uuid}}",
                                           "X-Sig": "{{now | hmac_sha256: connection.key}}"}}])"));
  json applied = apply_to_request(c, context({{"key", "k"}}), {{"method", "GET"}, {"url", "items"}});
  ASSERT_TRUE(applied["ok"]) << applied.dump();
  EXPECT_EQ(header(applied, "X-Time"), "1318622958 2011-10-14T20:09:18Z");
  EXPECT_EQ(header(applied, "X-Request-Id"), "00010203-0405-4607-8809-0a0b0c0d0e0f");
  EXPECT_EQ(header(applied, "X-Sig"), hex_encode(hmac_sha256("k", "1318622958")));
  // Without the host's stamp the value is missing, and says which.
  json unstamped = apply_to_request(c, context({{"key", "k"}}, false), {{"method", "GET"}, {"url", "items"}});
  EXPECT_FALSE(unstamped["ok"]);
  EXPECT_THAT(unstamped["errors"][0]["message"].get<std::string>(), HasSubstr("no value for `uuid`"));  // the first header in name order
}

TEST(StampValues, BoundConnectionRendersStampedRulesPerRequest) {
  Connector c = connector(json::parse(R"([{"headers": {"X-Static": "{{connection.key}}"}},
                                          {"headers": {"X-Time": "{{now}}"}}])"));
  auto bound = BoundConnection::bind(c, context({{"key", "k"}}, false));
  ASSERT_TRUE(bound.ok());
  EXPECT_TRUE(bound.value->stamped());
  EXPECT_FALSE(bound.value->signs());
  for (int64_t now : {100, 200}) {
    auto edits = bound.value->apply("GET", "items", std::nullopt, "", stamp(now));
    ASSERT_TRUE(edits.ok());
    ASSERT_EQ(edits.value->headers.size(), 2u);
    EXPECT_EQ(edits.value->headers[0].second, "k");
    EXPECT_EQ(edits.value->headers[1].second, std::to_string(now));
  }
}

TEST(Oauth1Signer, AuthorizationHeaderOverTheFinalRequest) {
  Connector c = connector(json::parse(R"([{"params": {"page": "2"}}, {"sign": "oauth1"}])"));
  json connection = {{"oauth_token", "tok"}, {"oauth_token_secret", "ts"}};
  json applied = apply_to_request(c, context(connection),
                                  {{"method", "POST"},
                                   {"url", "statuses?x=1"},
                                   {"headers", {{"Content-Type", "application/x-www-form-urlencoded"}}},
                                   {"body", "status=hi+there"}});
  ASSERT_TRUE(applied["ok"]) << applied.dump();
  std::string authorization = header(applied, "Authorization");
  QueryParams oauth = {{"oauth_consumer_key", "ck"},
                       {"oauth_nonce", "101112131415161718191a1b1c1d1e1f"},
                       {"oauth_signature_method", "HMAC-SHA1"},
                       {"oauth_timestamp", "1318622958"},
                       {"oauth_token", "tok"},
                       {"oauth_version", "1.0"}};
  // Signed over the URL with the rule's param and the form body.
  auto base = oauth1_base_string("POST", "https://api.example.com/v1/statuses?x=1&page=2", "status=hi+there", oauth);
  oauth.emplace_back("oauth_signature", oauth1_signature(*base, "cs", "ts"));
  EXPECT_EQ(authorization, oauth1_header(oauth));
  EXPECT_EQ(applied["value"]["url"], "https://api.example.com/v1/statuses?x=1&page=2");
}

TEST(Oauth1Signer, TwoLeggedWithoutAToken) {
  Connector c = connector(json::parse(R"([{"sign": "oauth1"}])"));
  json applied = apply_to_request(c, context(json::object()), {{"method", "GET"}, {"url", "me"}});
  ASSERT_TRUE(applied["ok"]);
  EXPECT_THAT(header(applied, "Authorization"), StartsWith("OAuth oauth_consumer_key=\"ck\", oauth_nonce="));
  EXPECT_THAT(header(applied, "Authorization"), ::testing::Not(HasSubstr("oauth_token")));
}

TEST(Oauth1Signer, ProblemsNameWhatIsMissing) {
  Connector c = connector(json::parse(R"([{"sign": "oauth1"}])"));
  json no_secret = context(json::object());
  no_secret["app"].erase("client_secret");
  json applied = apply_to_request(c, no_secret, {{"method", "GET"}, {"url", "me"}});
  ASSERT_FALSE(applied["ok"]);
  EXPECT_EQ(applied["errors"][0]["path"], "/authorization/apply/0/sign");
  EXPECT_THAT(applied["errors"][0]["message"].get<std::string>(), HasSubstr("`client_secret`"));
  applied = apply_to_request(c, context(json::object(), false), {{"method", "GET"}, {"url", "me"}});
  ASSERT_FALSE(applied["ok"]);
  EXPECT_THAT(applied["errors"][0]["message"].get<std::string>(), HasSubstr("no clock and random bytes"));
}

TEST(AwsSigV4Signer, SignsHostDateBodyHashAndSessionToken) {
  Connector c = connector(json::parse(R"([{"when": {"verb": "POST"}, "payload": {"extra": 1}},
                                          {"sign": {"aws_sigv4": {"service": "execute-api", "region": "eu-west-1"}}}])"));
  json connection = {{"access_key_id", "AKID"}, {"secret_access_key", "SECRET"}, {"session_token", "SESSION"}};
  json applied = apply_to_request(c, context(connection),
                                  {{"method", "POST"},
                                   {"url", "https://api.example.com:8443/v1/things?b=2&a=1"},
                                   {"headers", {{"Content-Type", "application/json"}}},
                                   {"body", "{\"a\":1}"}});
  ASSERT_TRUE(applied["ok"]) << applied.dump();
  std::string body = applied["value"]["body"];
  EXPECT_EQ(body, "{\"a\":1,\"extra\":1}");
  EXPECT_EQ(header(applied, "X-Amz-Date"), "20111014T200918Z");
  EXPECT_EQ(header(applied, "X-Amz-Content-Sha256"), sha256_hex(body));  // the body as sent
  EXPECT_EQ(header(applied, "X-Amz-Security-Token"), "SESSION");
  const std::string body_hash = sha256_hex(body);  // SigV4Request views it
  SigV4Request expected_request{"POST",
                                "https://api.example.com:8443/v1/things?b=2&a=1",
                                {{"host", "api.example.com:8443"},
                                 {"x-amz-date", "20111014T200918Z"},
                                 {"x-amz-content-sha256", body_hash},
                                 {"x-amz-security-token", "SESSION"}},
                                body_hash,
                                "20111014T200918Z"};
  EXPECT_EQ(header(applied, "Authorization"),
            sigv4_authorization(expected_request, {"AKID", "SECRET"}, {"eu-west-1", "execute-api"}));
  EXPECT_THAT(header(applied, "Authorization"),
              HasSubstr("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token"));
}

TEST(AwsSigV4Signer, BoundConnectionSignsEachRequest) {
  Connector c = connector(json::parse(R"([{"sign": {"aws_sigv4": {"service": "s3", "region": "us-east-1"}}}])"));
  json connection = {{"access_key_id", "AKID"}, {"secret_access_key", "SECRET"}};
  auto bound = BoundConnection::bind(c, context(connection, false));
  ASSERT_TRUE(bound.ok());
  EXPECT_TRUE(bound.value->signs());
  EXPECT_TRUE(bound.value->reads_request_body());
  auto first = bound.value->apply("PUT", "obj", std::string_view("text/plain"), "hello", stamp(1000));
  ASSERT_TRUE(first.ok());
  json one_shot = apply_to_request(
      c, [&] { json x = context(connection); x["stamp"]["now"] = 1000; return x; }(),
      {{"method", "PUT"}, {"url", "obj"}, {"headers", {{"Content-Type", "text/plain"}}}, {"body", "hello"}});
  ASSERT_TRUE(one_shot["ok"]);
  ASSERT_EQ(first.value->headers.size(), 3u);
  for (const auto& [name, value] : first.value->headers) EXPECT_EQ(std::string(value), header(one_shot, name)) << name;
  // Missing keys fail the request, at the signer.
  auto unsigned_bound = BoundConnection::bind(c, context(json::object(), false));
  auto failed = unsigned_bound.value->apply("GET", "obj", std::nullopt, "", stamp());
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.errors[0].path, "/authorization/apply/0/sign");
  EXPECT_THAT(failed.errors[0].message, HasSubstr("`connection.access_key_id`"));
}

TEST(SignRule, Validation) {
  auto problems = [](const json& rule) {
    json definition = {{"name", "x"},
                       {"authorization", {{"type", "api_key"}, {"apply", json::array({rule})}}}};
    auto parsed = parse_connector(definition);
    return parsed.ok() ? Problems{} : parsed.errors;
  };
  EXPECT_TRUE(problems({{"sign", "oauth1"}}).empty());
  Problems p = problems({{"sign", "oauth2"}});
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(p[0].path, "/authorization/apply/0/sign");
  EXPECT_THAT(p[0].message, HasSubstr("\"oauth1\" or {\"aws_sigv4\""));
  p = problems({{"sign", {{"aws_sigv4", {{"service", "s3"}}}}}});
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(p[0].path, "/authorization/apply/0/sign/aws_sigv4");
  EXPECT_THAT(p[0].message, HasSubstr("region"));
  p = problems({{"sign", "oauth1"}, {"headers", {{"Authorization", "x"}}}});
  ASSERT_FALSE(p.empty());
  EXPECT_THAT(p[0].message, HasSubstr("sets the Authorization header itself"));
  p = problems({{"headers", {{"X-Sig", "{{connection.k | sha512}}"}}}});
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(p[0].path, "/authorization/apply/0/headers/X-Sig");
  EXPECT_THAT(p[0].message, HasSubstr("unknown filter \"sha512\""));
}

}  // namespace
}  // namespace connauth
