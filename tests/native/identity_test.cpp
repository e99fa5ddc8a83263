// SPEC §10: pkce options, the identity from id_token claims or an identity
// request, the granted scope, and a reconnect's account change.
#include "identity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "authorization_flow.h"
#include "connection_loop.h"
#include "flow_api.h"
#include "scope.h"
#include "url.h"

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1700000000;
const char* const kRedirect = "https://app.example/oauth/callback";
// RFC 7636 Appendix B: the verifier and its S256 challenge.
const char* const kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const char* const kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
// {"alg":"RS256"} . {"sub":"u1","email":"a@x.example"} . "sig"
const char* const kIdToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSIsImVtYWlsIjoiYUB4LmV4YW1wbGUifQ.c2ln";

Connector parse(const std::string& authorization_extra, const std::string& top_extra = "") {
  auto parsed = parse_connector(std::string(R"({"name": "acme",
    "connection": {"base_uri": "https://api.acme.example/"},
    "authorization": {"type": "oauth2", "authorization_url": "https://auth.acme.example/authorize",
      "token_url": "https://auth.acme.example/token")") + authorization_extra + "}" + top_extra + "}");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors[0].path + ": " + parsed.errors[0].message);
  return parsed.ok() ? *parsed.value : Connector{};
}

std::vector<std::string> problems_of(const std::string& authorization_extra) {
  auto parsed = parse_connector(std::string(R"({"name": "acme", "authorization": {"type": "oauth2",
      "authorization_url": "https://auth.acme.example/authorize", "token_url": "https://auth.acme.example/token")") +
                                authorization_extra + "}}");
  std::vector<std::string> out;
  if (!parsed.ok())
    for (const Problem& p : parsed.errors) out.push_back(p.path + ": " + p.message);
  return out;
}

// 16 state bytes, then the 32 octets of RFC 7636 Appendix B, then 64 more.
std::string random_bytes() {
  std::string bytes(16, '\0');
  const unsigned char rfc7636[32] = {116, 24,  223, 180, 151, 153, 224, 37, 79,  250, 96,
                                     125, 216, 173, 187, 186, 22,  212, 37, 77,  105, 214,
                                     191, 240, 91,  88,  5,   88,  83,  132, 141, 121};
  bytes.append(reinterpret_cast<const char*>(rfc7636), 32);
  for (int i = 0; i < 64; ++i) bytes += char(i * 7);
  return bytes;
}

json context(json connection = json::object()) {
  return json{{"app", {{"client_id", "cid"}, {"client_secret", "cs"}, {"scopes", {"openid", "email"}}}},
              {"connection", std::move(connection)}};
}

json response(int status, const std::string& body) {
  return json{{"status", status}, {"headers", json::array()}, {"body", body}};
}

HttpResponse http(int status, const std::string& body) { return HttpResponse{status, {}, body}; }

// ---- pkce ---------------------------------------------------------------------------

TEST(Pkce, S256ByDefaultWithTheRfc7636Vector) {
  Connector c = parse("");
  json scope = make_scope(json{{"app", {{"client_id", "cid"}}}, {"flow", {{"redirect_uri", kRedirect}}}});
  auto start = begin_authorization(c.authorization, scope, random_bytes(), kNow);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start.value->pending.verifier, kVerifier);
  EXPECT_THAT(start.value->url, HasSubstr(std::string("&code_challenge=") + kChallenge + "&code_challenge_method=S256"));
}

TEST(Pkce, PlainSendsTheVerifierAsTheChallenge) {
  Connector c = parse(R"(, "pkce": {"method": "plain"})");
  json scope = make_scope(json{{"app", {{"client_id", "cid"}}}, {"flow", {{"redirect_uri", kRedirect}}}});
  auto start = begin_authorization(c.authorization, scope, random_bytes(), kNow);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start.value->pending.verifier, kVerifier);
  EXPECT_THAT(start.value->url, HasSubstr(std::string("&code_challenge=") + kVerifier + "&code_challenge_method=plain"));
  EXPECT_EQ(pkce_challenge(kVerifier, OAuth2Settings::PkceMethod::Plain), kVerifier);
  EXPECT_EQ(pkce_challenge(kVerifier, OAuth2Settings::PkceMethod::S256), kChallenge);
}

TEST(Pkce, VerifierLengthFrom43To128) {
  json scope = make_scope(json{{"app", {{"client_id", "cid"}}}, {"flow", {{"redirect_uri", kRedirect}}}});
  for (int length : {43, 44, 64, 100, 127, 128}) {
    Connector c = parse(R"(, "pkce": {"verifier_length": )" + std::to_string(length) + "}");
    auto start = begin_authorization(c.authorization, scope, random_bytes(), kNow);
    ASSERT_TRUE(start.ok()) << length;
    const std::string& verifier = start.value->pending.verifier;
    EXPECT_EQ(verifier.size(), static_cast<size_t>(length));
    // RFC 7636 §4.1: unreserved characters only (base64url's are).
    EXPECT_EQ(verifier.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_THAT(start.value->url, HasSubstr("code_challenge=" + pkce_challenge(verifier) + "&"));
  }
  // A 128-character verifier needs 96 random bytes after the state's 16.
  Connector longest = parse(R"(, "pkce": {"verifier_length": 128})");
  auto short_of_bytes = begin_authorization(longest.authorization, scope, random_bytes().substr(0, 111), kNow);
  ASSERT_FALSE(short_of_bytes.ok());
  EXPECT_THAT(short_of_bytes.errors[0].message, HasSubstr("needs 112 random bytes"));
}

TEST(Pkce, BadOptionsAreProblemsAtTheirPointers) {
  EXPECT_THAT(problems_of(R"(, "pkce": {"method": "S512"})"),
              ::testing::ElementsAre(HasSubstr("/authorization/pkce/method: must be \"S256\" or \"plain\"")));
  EXPECT_THAT(problems_of(R"(, "pkce": {"verifier_length": 42})"),
              ::testing::ElementsAre("/authorization/pkce/verifier_length: must be an integer from 43 to 128 (RFC 7636 §4.1)"));
  EXPECT_THAT(problems_of(R"(, "pkce": {"verifier_length": 129})"),
              ::testing::ElementsAre(HasSubstr("/authorization/pkce/verifier_length: ")));
  EXPECT_THAT(problems_of(R"(, "pkce": {"verifier_length": "64"})"),
              ::testing::ElementsAre(HasSubstr("/authorization/pkce/verifier_length: ")));
  EXPECT_THAT(problems_of(R"(, "pkce": {"lenght": 64})"), ::testing::ElementsAre(HasSubstr("/authorization/pkce/lenght")));
  EXPECT_THAT(problems_of(R"(, "pkce": "S256")"), ::testing::ElementsAre(HasSubstr("/authorization/pkce: must be true, false or")));
}

TEST(Pkce, ThePlainVerifierIsSentInTheCodeExchange) {
  Connector c = parse(R"(, "pkce": {"method": "plain", "verifier_length": 50})");
  json ctx = context();
  ctx["flow"] = {{"redirect_uri", kRedirect}};
  json begun = authorize_begin(c, ctx, hex_encode(random_bytes()), kNow);
  ASSERT_EQ(begun["ok"], true) << begun.dump();
  std::string verifier = begun["value"]["pending"]["verifier"];
  EXPECT_EQ(verifier.size(), 50u);
  json callback = authorize_callback(c, ctx, begun["value"]["pending"],
                                     "code=abc&state=" + begun["value"]["pending"]["state"].get<std::string>(), kNow);
  ASSERT_EQ(callback["ok"], true) << callback.dump();
  EXPECT_THAT(callback["value"]["request"]["body"].get<std::string>(), HasSubstr("code_verifier=" + verifier));
}

// ---- id_token ------------------------------------------------------------------------

TEST(IdToken, ClaimsAreThePayload) {
  IdTokenClaims read = read_id_token(http(200, std::string(R"({"access_token":"t","id_token":")") + kIdToken + "\"}"));
  EXPECT_EQ(read.problem, "");
  EXPECT_EQ(read.claims, json::parse(R"({"sub":"u1","email":"a@x.example"})"));
  EXPECT_TRUE(read_id_token(http(200, R"({"access_token":"t"})")).claims.is_null());
  EXPECT_EQ(read_id_token(http(200, R"({"access_token":"t"})")).problem, "");
}

TEST(IdToken, MalformedTokensAreNamedNeverThrown) {
  auto problem = [](const std::string& token_json) {
    return read_id_token(http(200, R"({"access_token":"t","id_token":)" + token_json + "}")).problem;
  };
  EXPECT_EQ(problem("3"), "the id_token is not a string");
  EXPECT_EQ(problem(R"("abc")"), "the id_token is not a JWT (three dot-separated parts)");
  EXPECT_EQ(problem(R"("a.b.c.d")"), "the id_token is not a JWT (three dot-separated parts)");
  EXPECT_EQ(problem(R"("a.!!.c")"), "the id_token payload is not base64url");
  EXPECT_EQ(problem(R"("a.bm90IGpzb24.c")"), "the id_token payload is not a JSON object");  // "not json"
  EXPECT_EQ(problem(R"("a.WzFd.c")"), "the id_token payload is not a JSON object");         // [1]
  EXPECT_EQ(problem(R"("a..c")"), "the id_token payload is not a JSON object");
}

TEST(IdToken, Base64urlDecodeRoundTrips) {
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00\x01"}) {
    auto back = base64url_decode(base64url_encode(text));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, text);
  }
  EXPECT_FALSE(base64url_decode("a").has_value());
  EXPECT_FALSE(base64url_decode("ab=").has_value());
  EXPECT_FALSE(base64url_decode("a+b/").has_value());
}

TEST(IdToken, TheIdentityReadsItsClaims) {
  Connector c = parse(R"(, "identity": "{{id_token.email}}")");
  json ctx = context();
  ctx["flow"] = {{"code", "abc"}, {"redirect_uri", kRedirect}};
  json finished = authorize_finish(
      c, ctx, response(200, std::string(R"({"access_token":"t","id_token":")") + kIdToken + "\"}"), kNow);
  ASSERT_EQ(finished["ok"], true) << finished.dump();
  EXPECT_EQ(finished["value"]["identity"], "a@x.example");
  EXPECT_FALSE(finished["value"].contains("identity_problem"));
  // The claims are not kept in the connection hash.
  EXPECT_FALSE(finished["value"]["connection"].contains("id_token"));
}

TEST(IdToken, AMalformedOneConnectsWithoutAnIdentity) {
  Connector c = parse(R"(, "identity": "{{id_token.email}}")");
  json ctx = context();
  ctx["flow"] = {{"code", "abc"}, {"redirect_uri", kRedirect}};
  json finished = authorize_finish(c, ctx, response(200, R"({"access_token":"t","id_token":"not-a-jwt"})"), kNow);
  ASSERT_EQ(finished["ok"], true) << finished.dump();
  EXPECT_EQ(finished["value"]["connection"]["access_token"], "t");
  EXPECT_FALSE(finished["value"].contains("identity"));
  EXPECT_EQ(finished["value"]["identity_problem"], "the id_token is not a JWT (three dot-separated parts)");
  // No id_token at all: the template's value is missing.
  json none = authorize_finish(c, ctx, response(200, R"({"access_token":"t"})"), kNow);
  ASSERT_EQ(none["ok"], true);
  EXPECT_THAT(none["value"]["identity_problem"].get<std::string>(), HasSubstr("/authorization/identity"));
}

// ---- granted scope ----------------------------------------------------------------------

TEST(GrantedScope, FromTheTokenResponse) {
  Connector c = parse("");
  json ctx = context();
  ctx["flow"] = {{"code", "abc"}, {"redirect_uri", kRedirect}};
  json finished = authorize_finish(c, ctx, response(200, R"({"access_token":"t","scope":"openid"})"), kNow);
  ASSERT_EQ(finished["ok"], true);
  EXPECT_EQ(finished["value"]["scope"], "openid");
}

TEST(GrantedScope, TheRequestedScopesWhenTheResponseHasNone) {
  json ctx = context();
  ctx["flow"] = {{"code", "abc"}, {"redirect_uri", kRedirect}};
  json from_app = authorize_finish(parse(""), ctx, response(200, R"({"access_token":"t"})"), kNow);
  EXPECT_EQ(from_app["value"]["scope"], "openid email");
  json from_connector = authorize_finish(parse(R"(, "scopes": ["repo", "gist"], "scope_separator": ",")"), ctx,
                                         response(200, R"({"access_token":"t"})"), kNow);
  EXPECT_EQ(from_connector["value"]["scope"], "repo,gist");
  EXPECT_EQ(granted_scope(http(200, R"({"scope": ""})"), "a b"), "a b");
}

TEST(GrantedScope, ARefreshAnswersTheNarrowerScopeItGranted) {
  // RFC 6749 §6: the refresh response may grant less than before.
  json ctx = context({{"access_token", "at-1"}, {"refresh_token", "rt-1"}});
  json narrower = refresh_finish(parse(""), ctx, response(200, R"({"access_token":"at-2","scope":"openid"})"), kNow);
  ASSERT_EQ(narrower["ok"], true);
  EXPECT_EQ(narrower["value"]["scope"], "openid");
  EXPECT_EQ(narrower["value"]["connection"]["access_token"], "at-2");
  // §5.1: without `scope` (or with an empty one) the grant is unchanged, so no
  // scope is answered and the host keeps the one it has; never the requested one.
  for (const char* body : {R"({"access_token":"at-3"})", R"({"access_token":"at-3","scope":""})"}) {
    json same = refresh_finish(parse(""), ctx, response(200, body), kNow);
    ASSERT_EQ(same["ok"], true) << body;
    EXPECT_FALSE(same["value"].contains("scope")) << body;
  }
  json refused = refresh_finish(parse(""), ctx, response(400, R"({"error":"invalid_grant","scope":"x"})"), kNow);
  EXPECT_EQ(refused["ok"], false);
  EXPECT_FALSE(refused.contains("value"));
}

// The renew operation's store effect, after one refresh answered `body`.
json renewed_store(const Connector& c, const json& ctx, const std::string& body) {
  json out = connection_step(&c, ctx, json::object(), {{"type", "start"}, {"op", "renew"}}, kNow);
  EXPECT_EQ(out["value"]["effects"][0]["type"], "send") << out.dump();
  out = connection_step(&c, ctx, out["value"]["state"], {{"type", "response"}, {"response", response(200, body)}}, kNow);
  EXPECT_EQ(out["value"]["effects"][0]["type"], "store") << out.dump();
  return out["value"]["effects"][0];
}

TEST(GrantedScope, TheRenewOperationStoresItWithTheTokens) {
  Connector c = parse("");
  json ctx = context({{"access_token", "at-1"}, {"refresh_token", "rt-1"}});
  json narrower = renewed_store(c, ctx, R"({"access_token":"at-2","scope":"openid"})");
  EXPECT_EQ(narrower["scope"], "openid");
  EXPECT_EQ(narrower["connection"]["access_token"], "at-2");
  EXPECT_FALSE(renewed_store(c, ctx, R"({"access_token":"at-2"})").contains("scope"));

  // Only oauth2 has a granted scope: custom_auth acquiring again answers none.
  auto custom = parse_connector(R"({"name": "session", "connection": {"base_uri": "https://api.example/"},
    "authorization": {"type": "custom_auth", "acquire": {"request": {"method": "POST", "url": "login"}},
      "apply": [{"headers": {"Authorization": "Bearer {{access_token}}"}}]}})");
  ASSERT_TRUE(custom.ok());
  EXPECT_FALSE(renewed_store(*custom.value, ctx, R"({"access_token":"s-2","scope":"openid"})").contains("scope"));
}

// ---- the identity request and the account change, through the connection loop -----------

// Runs the exchange operation: the callback, then each response of
// `responses` in turn. Answers the effects' step names and the end effect.
struct Exchanged {
  std::vector<std::string> steps;
  json end;
  std::vector<json> requests;
};

Exchanged exchange(const Connector& c, const std::vector<json>& answers, json previous = nullptr) {
  Exchanged run;
  json ctx = context();
  json pending = {{"state", "AAECAwQFBgcICQoLDA0ODw"}, {"verifier", kVerifier}, {"expires_at", kNow + 600},
                  {"redirect_uri", kRedirect}};
  json event = {{"type", "start"}, {"op", "exchange"}, {"pending", pending}, {"params", "code=abc&state=AAECAwQFBgcICQoLDA0ODw"}};
  if (!previous.is_null()) event["previous"] = previous;
  json state = json::object();
  size_t next = 0;
  for (int guard = 0; guard < 10; ++guard) {
    json out = connection_step(&c, ctx, state, event, kNow);
    EXPECT_EQ(out["ok"], true) << out.dump();
    if (out["ok"] != true) return run;
    state = out["value"]["state"];
    const json& effect = out["value"]["effects"].back();
    if (effect["type"] != "send") {
      run.end = effect;
      return run;
    }
    run.steps.push_back(effect["step"]);
    run.requests.push_back(effect["request"]);
    if (next >= answers.size()) {
      ADD_FAILURE() << "no answer for " << effect.dump();
      return run;
    }
    event = answers[next++];
  }
  ADD_FAILURE() << "no end";
  return run;
}

json answer(int status, const std::string& body) { return json{{"type", "response"}, {"response", response(status, body)}}; }

const char* const kTokens = R"({"access_token":"new-token","token_type":"Bearer","scope":"openid email"})";

TEST(IdentityRequest, SentWithTheNewCredentialsAndRead) {
  Connector c = parse(R"(, "identity": {"request": {"method": "GET", "url": "me"}, "value": "{{response.email}}"})");
  Exchanged run = exchange(c, {answer(200, kTokens), answer(200, R"({"email":"b@x.example"})")});
  EXPECT_EQ(run.steps, (std::vector<std::string>{"token", "identity"}));
  EXPECT_EQ(run.requests[1]["url"], "https://api.acme.example/me");
  EXPECT_EQ(run.requests[1]["headers"], json::parse(R"({"Authorization": "Bearer new-token"})"));
  ASSERT_EQ(run.end["type"], "done") << run.end.dump();
  EXPECT_EQ(run.end["value"]["identity"], "b@x.example");
  EXPECT_EQ(run.end["value"]["scope"], "openid email");
  EXPECT_EQ(run.end["value"]["connection"]["access_token"], "new-token");
}

TEST(IdentityRequest, AFailedOneStillConnectsAndSaysWhy) {
  Connector c = parse(R"(, "identity": {"request": {"method": "GET", "url": "me"}, "value": "{{response.email}}"})");
  Exchanged refused = exchange(c, {answer(200, kTokens), answer(403, R"({"error":"insufficient_scope"})")});
  ASSERT_EQ(refused.end["type"], "done");
  EXPECT_EQ(refused.end["value"]["connection"]["access_token"], "new-token");
  EXPECT_TRUE(refused.end["value"]["identity"].is_null());
  EXPECT_EQ(refused.end["value"]["identity_problem"], "the identity request answered HTTP 403");

  Exchanged no_value = exchange(c, {answer(200, kTokens), answer(200, R"({"name":"B"})")});
  EXPECT_THAT(no_value.end["value"]["identity_problem"].get<std::string>(), HasSubstr("/authorization/identity/value"));

  Exchanged unreachable = exchange(c, {answer(200, kTokens), json{{"type", "response"}, {"response", {{"network_error", "timeout"}}}}});
  EXPECT_EQ(unreachable.end["value"]["identity_problem"], "the identity request got no answer (timeout)");

  Exchanged not_sent = exchange(c, {answer(200, kTokens),
                              json{{"type", "failed"}, {"error", {{"code", "egress_denied"}, {"message", "api.acme.example is not allowed"}}}}});
  ASSERT_EQ(not_sent.end["type"], "done");
  EXPECT_EQ(not_sent.end["value"]["identity_problem"], "the identity request was not sent: api.acme.example is not allowed");
}

TEST(IdToken, OnlyTheIdentityReadsIt) {
  EXPECT_TRUE(problems_of(R"(, "identity": "{{id_token.email}}")").empty());
  EXPECT_TRUE(problems_of(R"(, "identity": {"request": {"url": "https://x.example/me"}, "value": "{{id_token.sub}}"})").empty());
  // Nothing else is rendered with the token response's claims.
  EXPECT_THAT(problems_of(R"(, "apply": [{"headers": {"X-User": "{{id_token.sub}}"}}])"),
              ::testing::ElementsAre(HasSubstr("/authorization/apply/0/headers/X-User: unknown template path \"id_token.sub\"")));
}

TEST(IdentityRequest, ParsedWithItsPointers) {
  auto problems = problems_of(R"(, "identity": {"request": {"method": "GET"}, "valeu": "x"})");
  EXPECT_THAT(problems, ::testing::UnorderedElementsAre(HasSubstr("/authorization/identity/valeu"),
                                                        HasSubstr("/authorization/identity/request"),
                                                        HasSubstr("/authorization/identity: ")));
  EXPECT_THAT(problems_of(R"(, "identity": 5)"), ::testing::ElementsAre(HasSubstr("/authorization/identity: must be a template string")));
}

TEST(AccountChange, ReportedWhenTheReconnectLandsOnAnotherAccount) {
  Connector c = parse(R"(, "identity": "{{id_token.email}}")");
  std::string tokens = std::string(R"({"access_token":"t","id_token":")") + kIdToken + "\"}";
  Exchanged changed = exchange(c, {answer(200, tokens)}, json{{"identity", "old@x.example"}});
  ASSERT_EQ(changed.end["type"], "done");
  EXPECT_EQ(changed.end["value"]["account_changed"], json::parse(R"({"from":"old@x.example","to":"a@x.example"})"));
  Exchanged same = exchange(c, {answer(200, tokens)}, json{{"identity", "a@x.example"}});
  EXPECT_FALSE(same.end["value"].contains("account_changed"));
  Exchanged first = exchange(c, {answer(200, tokens)});
  EXPECT_FALSE(first.end["value"].contains("account_changed"));
}

TEST(AccountChange, ComparedByOwnerIdWhenBothHaveOne) {
  EXPECT_FALSE(account_change(json{{"owner_id", "7"}, {"identity", "Old Name"}}, "New Name", "7").has_value());
  auto change = account_change(json{{"owner_id", "7"}, {"identity", "a@x"}}, "a@x", "8");
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->from, "a@x");
  EXPECT_EQ(change->to, "a@x");
  auto by_id = account_change(json{{"owner_id", "7"}}, std::nullopt, "8");
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->from, "7");
  EXPECT_EQ(by_id->to, "8");
  // Unknown on either side: nothing to compare.
  EXPECT_FALSE(account_change(json{{"identity", "a@x"}}, std::nullopt, std::nullopt).has_value());
  EXPECT_FALSE(account_change(nullptr, "a@x", "7").has_value());
  EXPECT_FALSE(account_change(json{{"identity", 3}}, "a@x", std::nullopt).has_value());
}

TEST(AccountChange, AConnectWithFieldsComparesToo) {
  auto parsed = parse_connector(std::string(R"({"name": "keyed",
    "connection": {"fields": [{"name": "key"}], "base_uri": "https://api.example/"},
    "authorization": {"type": "api_key", "apply": [{"headers": {"X-Key": "{{connection.key}}"}}],
      "identity": {"request": {"url": "whoami"}, "value": "{{response.login}}"}},
    "test": {"method": "GET", "url": "me"}})"));
  ASSERT_TRUE(parsed.ok());
  json ctx = context(json{{"key", "k2"}});
  json state = json::object();
  json event = {{"type", "start"}, {"op", "connect"}, {"previous", {{"identity", "alice"}}}};
  std::vector<json> answers = {answer(200, "{}"), answer(200, R"({"login":"bob"})")};
  std::vector<std::string> steps;
  json end;
  for (size_t i = 0; i <= answers.size(); ++i) {
    json out = connection_step(&*parsed.value, ctx, state, event, kNow);
    ASSERT_EQ(out["ok"], true) << out.dump();
    state = out["value"]["state"];
    end = out["value"]["effects"].back();
    if (end["type"] != "send") break;
    steps.push_back(end["step"]);
    EXPECT_EQ(end["request"]["headers"], json::parse(R"({"X-Key": "k2"})"));
    event = answers[i];
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"test", "identity"}));
  ASSERT_EQ(end["type"], "done") << end.dump();
  EXPECT_EQ(end["value"]["identity"], "bob");
  EXPECT_EQ(end["value"]["account_changed"], json::parse(R"({"from":"alice","to":"bob"})"));
}

}  // namespace
}  // namespace connauth
