#include "flow_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace connauth {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1700000000;
// 00 01 .. 0f (state), then RFC 7636 Appendix B's 32 octets (verifier).
const char* const kRandomHex =
    "000102030405060708090a0b0c0d0e0f"
    "7418dfb49799e0254ffa607dd8adbbba16d4254d69d6bff05b58055853848d79";

Connector parse(const std::string& text) {
  auto parsed = parse_connector(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.errors[0].path + ": " + parsed.errors[0].message);
  return parsed.ok() ? *parsed.value : Connector{};
}

const Connector& oauth2() {
  static const Connector c = parse(R"({"name": "acme",
    "connection": {"fields": [], "base_uri": "https://api.acme.example/v1/"},
    "authorization": {"type": "oauth2", "authorization_url": "https://auth.acme.example/authorize",
                      "token_url": "https://auth.acme.example/token", "identity": "{{connection.email}}"},
    "test": {"method": "GET", "url": "me"}})");
  return c;
}

json context(json connection = json::object()) {
  return json{{"app", {{"client_id", "cid"}, {"client_secret", "cs"}, {"scopes", {"read"}},
                       {"issuer", "https://auth.acme.example"}}},
              {"connection", std::move(connection)},
              {"flow", {{"redirect_uri", "https://app.example/cb"}}},
              {"state", {{"last_working_version", 4}}}};
}

json pending() {
  return json{{"state", "AAECAwQFBgcICQoLDA0ODw"},
              {"verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"},
              {"expires_at", kNow + 600},
              {"redirect_uri", "https://app.example/cb"}};
}

// ---- authorization code flow, end to end ------------------------------------------

TEST(FlowApi, AuthorizeBegin) {
  json out = authorize_begin(oauth2(), context(), kRandomHex, kNow);
  EXPECT_EQ(out, json::parse(R"({"ok": true, "value": {
    "url": "https://auth.acme.example/authorize?response_type=code&client_id=cid&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=AAECAwQFBgcICQoLDA0ODw&scope=read&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
    "pending": {"state": "AAECAwQFBgcICQoLDA0ODw", "verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                "expires_at": 1700000600, "redirect_uri": "https://app.example/cb"},
    "noopener": false}})"));
}

TEST(FlowApi, AuthorizeBeginRejectsBadRandomBytes) {
  EXPECT_EQ(authorize_begin(oauth2(), context(), "zz", kNow),
            json::parse(R"({"ok": false,
              "error": {"code": "invalid_input",
                        "message": "/random_bytes: must be hex digits (two per byte) from the host's CSPRNG",
                        "problems": [{"path": "/random_bytes",
                                      "message": "must be hex digits (two per byte) from the host's CSPRNG"}]},
              "errors": [{"path": "/random_bytes",
                          "message": "must be hex digits (two per byte) from the host's CSPRNG"}]})"));
  json short_bytes = authorize_begin(oauth2(), context(), "00ff", kNow);
  EXPECT_EQ(short_bytes["errors"][0]["message"], "needs 48 random bytes from the host's CSPRNG, got 2");
}

TEST(FlowApi, AuthorizeCallbackBuildsTheTokenRequest) {
  json out = authorize_callback(oauth2(), context(), pending(),
                                "?code=c%2F1&state=AAECAwQFBgcICQoLDA0ODw&iss=https%3A%2F%2Fauth.acme.example", kNow);
  EXPECT_EQ(out, json::parse(R"({"ok": true, "value": {
    "request": {"method": "POST", "url": "https://auth.acme.example/token",
                "headers": {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
                "body": "grant_type=authorization_code&code=c%2F1&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=cid&client_secret=cs"},
    "flow": {"code": "c/1", "state": "AAECAwQFBgcICQoLDA0ODw", "redirect_uri": "https://app.example/cb",
             "verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
             "callback": {"code": "c/1", "state": "AAECAwQFBgcICQoLDA0ODw", "iss": "https://auth.acme.example"}}}})"));
}

// QuickBooks names the company in the callback (realmId): a custom exchange
// reads it as callback.<name>, and its merge keeps it.
TEST(FlowApi, CallbackParametersReachTheExchangeAndItsMappings) {
  Connector quickbooks = parse(R"({"name": "qb",
    "authorization": {"type": "oauth2", "authorization_url": "https://auth.acme.example/authorize",
      "token_url": "https://auth.acme.example/token",
      "acquire": {"request": {"method": "POST", "url": "https://auth.acme.example/token",
                              "form": {"code": "{{code}}", "realm": "{{callback.realmId}}"}},
                  "merge": {"realm_id": "{{callback.realmId}}"}}}})");
  json callback = authorize_callback(quickbooks, context(), pending(),
                                     "?code=c&state=AAECAwQFBgcICQoLDA0ODw&realmId=4620816365&iss=https%3A%2F%2Fauth.acme.example", kNow);
  ASSERT_TRUE(callback["ok"].get<bool>()) << callback.dump();
  EXPECT_EQ(callback["value"]["request"]["body"], "code=c&realm=4620816365");
  json flowing = context();
  flowing["flow"] = callback["value"]["flow"];
  json finished = authorize_finish(quickbooks, flowing,
                                   json{{"status", 200}, {"body", R"({"access_token": "at", "expires_in": 3600})"}}, kNow);
  ASSERT_TRUE(finished["ok"].get<bool>()) << finished.dump();
  EXPECT_EQ(finished["value"]["connection"]["realm_id"], "4620816365");
}

TEST(FlowApi, AuthorizeCallbackParamsAsObjectOrPairs) {
  json object = authorize_callback(oauth2(), context(), pending(),
                                   json{{"code", "c"}, {"state", "AAECAwQFBgcICQoLDA0ODw"}, {"iss", "https://auth.acme.example"}}, kNow);
  EXPECT_TRUE(object["ok"].get<bool>());
  json pairs = authorize_callback(oauth2(), context(), pending(),
                                  json::parse(R"([["code","c"],["state","AAECAwQFBgcICQoLDA0ODw"],["iss","https://auth.acme.example"]])"), kNow);
  EXPECT_TRUE(pairs["ok"].get<bool>());
  json repeated = authorize_callback(oauth2(), context(), pending(),
                                     json{{"code", {"a", "b"}}, {"state", "AAECAwQFBgcICQoLDA0ODw"}}, kNow);
  EXPECT_EQ(repeated["error"]["code"], "invalid_callback");
  json bad = authorize_callback(oauth2(), context(), pending(), json::parse(R"([["code"]])"), kNow);
  EXPECT_EQ(bad["error"]["code"], "invalid_input");
  EXPECT_EQ(bad["error"]["problems"], bad["errors"]);
  EXPECT_EQ(bad["errors"], json::parse(R"([{"path": "/params/0", "message": "must be a [name, value] pair of strings"}])"));
}

TEST(FlowApi, AuthorizeCallbackErrors) {
  json mismatch = authorize_callback(oauth2(), context(), pending(), "code=c&state=nope", kNow);
  EXPECT_EQ(mismatch, json::parse(R"({"ok": false, "error": {"code": "state_mismatch", "cause": null,
    "message": "This answer from the provider does not belong to a connection attempt in progress (state mismatch). Start connecting again from the app.",
    "action": "Start connecting again from the app.", "detail": "state_mismatch"}})"));

  json denied = authorize_callback(oauth2(), context(), pending(), "error=access_denied&state=AAECAwQFBgcICQoLDA0ODw&iss=https%3A%2F%2Fauth.acme.example", kNow);
  EXPECT_EQ(denied["error"]["code"], "access_denied");
  EXPECT_EQ(denied["error"]["cause"], "authorization_revoked");
  EXPECT_THAT(denied["error"]["action"].get<std::string>(), HasSubstr("service account"));

  json issuer = authorize_callback(oauth2(), context(), pending(),
                                   "code=c&state=AAECAwQFBgcICQoLDA0ODw&iss=https%3A%2F%2Fevil.example", kNow);
  EXPECT_EQ(issuer["error"]["code"], "issuer_mismatch");

  json expired = authorize_callback(oauth2(), context(), pending(), "code=c&state=AAECAwQFBgcICQoLDA0ODw", kNow + 600);
  EXPECT_EQ(expired["error"]["code"], "state_expired");

  // The app knows its issuer: an answer without iss is refused (RFC 9207 §2.4).
  json unattributed = authorize_callback(oauth2(), context(), pending(), "code=c&state=AAECAwQFBgcICQoLDA0ODw", kNow);
  EXPECT_EQ(unattributed["error"]["code"], "issuer_missing");

  json no_pending = authorize_callback(oauth2(), context(), json::object(), "code=c", kNow);
  EXPECT_EQ(no_pending["errors"][0]["path"], "/pending/state");
}

TEST(FlowApi, AuthorizeFinishStoresTokensAndIdentity) {
  json ctx = context({{"email", "ann@example.com"}});
  ctx["flow"] = {{"code", "c"}};
  json out = authorize_finish(oauth2(), ctx,
                              json{{"status", 200},
                                   {"headers", {{"Content-Type", "application/json"}}},
                                   {"body", R"({"access_token":"at-1","refresh_token":"rt-1","expires_in":"3600"})"}},
                              kNow);
  EXPECT_EQ(out, json::parse(R"({"ok": true, "value": {
    "connection": {"email": "ann@example.com", "access_token": "at-1", "refresh_token": "rt-1", "expires_at": 1700003600},
    "warnings": [], "identity": "ann@example.com", "scope": "read"}})"));
}

TEST(FlowApi, AuthorizeFinishFailureCarriesTheDiagnosis) {
  json out = authorize_finish(oauth2(), context(),
                              json{{"status", 401}, {"body", R"({"error":"invalid_client","error_description":"bad secret"})"}},
                              kNow);
  EXPECT_EQ(out, json::parse(R"({"ok": false, "error": {"code": "invalid_client", "cause": "client_misconfigured",
    "message": "The provider rejected the application's client credentials.",
    "action": "An administrator must fix the outbound application's client id and client secret.",
    "detail": "invalid_client (HTTP 401): bad secret"}})"));
}

TEST(FlowApi, MalformedTokenResponseNamesTheLastWorkingVersion) {
  json out = authorize_finish(oauth2(), context(), json{{"status", 200}, {"body", "<html>"}}, kNow);
  EXPECT_EQ(out["error"]["cause"], "connector_error");
  EXPECT_THAT(out["error"]["action"].get<std::string>(), HasSubstr("(version 4)"));
}

TEST(FlowApi, NetworkErrorIsProviderUnavailable) {
  json out = authorize_finish(oauth2(), context(), json{{"network_error", "connect timeout"}}, kNow);
  EXPECT_EQ(out["error"]["code"], "unreachable");
  EXPECT_EQ(out["error"]["cause"], "provider_unavailable");
  EXPECT_EQ(out["error"]["detail"], "unreachable: connect timeout");
}

TEST(FlowApi, BadResponseShapeIsAnInputError) {
  json out = authorize_finish(oauth2(), context(), json{{"status", "200"}}, kNow);
  EXPECT_EQ(out["error"]["code"], "invalid_input");
  EXPECT_EQ(out["error"]["message"], "/response/status: must be an HTTP status code from 100 to 599");
  EXPECT_EQ(out["errors"], json::parse(R"([{"path": "/response/status",
    "message": "must be an HTTP status code from 100 to 599"}])"));
}

// ---- refresh ----------------------------------------------------------------------------

TEST(FlowApi, RefreshNeededUsesTheAppBuffer) {
  json ctx = context({{"expires_at", kNow + 100}});
  EXPECT_EQ(refresh_needed(ctx, kNow), json::parse(R"({"ok": true, "value": false})"));
  EXPECT_EQ(refresh_needed(ctx, kNow + 40), json::parse(R"({"ok": true, "value": true})"));
  ctx["app"]["refresh_buffer"] = 300;
  EXPECT_EQ(refresh_needed(ctx, kNow), json::parse(R"({"ok": true, "value": true})"));
}

TEST(FlowApi, RefreshRoundTripKeepsTheRefreshToken) {
  json ctx = context({{"access_token", "at-1"}, {"refresh_token", "rt-1"}, {"expires_at", kNow}});
  json begin = refresh_begin(oauth2(), ctx, kNow);
  ASSERT_TRUE(begin["ok"].get<bool>());
  EXPECT_EQ(begin["value"]["request"]["body"], "grant_type=refresh_token&refresh_token=rt-1&client_id=cid&client_secret=cs");
  json finish = refresh_finish(oauth2(), ctx, json{{"status", 200}, {"body", R"({"access_token":"at-2","expires_in":60})"}}, kNow);
  EXPECT_EQ(finish, json::parse(R"({"ok": true, "value": {
    "connection": {"access_token": "at-2", "refresh_token": "rt-1", "expires_at": 1700000060}, "warnings": []}})"));
}

TEST(FlowApi, RefreshBeginWithoutRefreshToken) {
  json out = refresh_begin(oauth2(), context({{"access_token", "at"}}), kNow);
  EXPECT_EQ(out["error"]["code"], "no_refresh_token");
  EXPECT_EQ(out["error"]["cause"], "authorization_revoked");
}

TEST(FlowApi, RefreshFinishRevoked) {
  json out = refresh_finish(oauth2(), context({{"refresh_token", "rt"}}),
                            json{{"status", 400}, {"body", R"({"error":"invalid_grant"})"}}, kNow);
  EXPECT_EQ(out["error"]["cause"], "authorization_revoked");
  EXPECT_EQ(out["error"]["detail"], "invalid_grant (HTTP 400)");
}

TEST(FlowApi, RequestNextStep) {
  EXPECT_EQ(request_next_step("refresh", false), json::parse(R"({"ok": true, "value": {"next": "refresh_and_retry"}})"));
  EXPECT_EQ(request_next_step("refresh", true), json::parse(R"({"ok": true, "value": {"next": "deliver"}})"));
  EXPECT_EQ(request_next_step("ok", false), json::parse(R"({"ok": true, "value": {"next": "deliver"}})"));
  EXPECT_FALSE(request_next_step("retry", false)["ok"].get<bool>());
}

// ---- connect and check -----------------------------------------------------------------

const Connector& custom_auth() {
  static const Connector c = parse(R"({"name": "sess",
    "connection": {"fields": [{"name": "user"}, {"name": "password", "secret": true}],
                   "base_uri": "https://api.sess.example/"},
    "authorization": {"type": "custom_auth",
      "acquire": {"request": {"method": "POST", "url": "login", "json": {"u": "{{connection.user}}", "p": "{{connection.password}}"}},
                  "tokens": false, "merge": {"session": "{{response.session}}"}},
      "apply": [{"headers": {"X-Session": "{{connection.session}}"}}]},
    "test": {"url": "whoami"}})");
  return c;
}

TEST(FlowApi, ConnectCustomAuthAcquireThenTest) {
  json ctx = context({{"user", "ann"}, {"password", "pw"}});
  json begin = connect_begin(custom_auth(), ctx, kNow);
  EXPECT_EQ(begin, json::parse(R"({"ok": true, "value": {"step": "acquire", "request": {
    "method": "POST", "url": "https://api.sess.example/login",
    "headers": {"Content-Type": "application/json"}, "body": "{\"p\":\"pw\",\"u\":\"ann\"}"}}})"));

  json finish = connect_finish(custom_auth(), ctx, json{{"status", 200}, {"body", R"({"session":"s-1"})"}}, kNow);
  EXPECT_EQ(finish, json::parse(R"({"ok": true, "value": {
    "connection": {"user": "ann", "password": "pw", "session": "s-1"}, "warnings": []}})"));

  json test = test_begin(custom_auth(), context(finish["value"]["connection"]));
  EXPECT_EQ(test, json::parse(R"({"ok": true, "value": {"request": {"method": "GET",
    "url": "https://api.sess.example/whoami", "headers": {"X-Session": "s-1"}, "body": ""}}})"));
}

TEST(FlowApi, ConnectApiKeyGoesStraightToTheTest) {
  Connector c = parse(R"({"name": "k", "connection": {"fields": [{"name": "key", "secret": true}]},
    "authorization": {"type": "api_key", "apply": [{"params": {"api_key": "{{connection.key}}"}}]},
    "test": {"url": "https://k.example/ping"}})");
  EXPECT_EQ(connect_begin(c, context({{"key", "k1"}}), kNow), json::parse(R"({"ok": true, "value": {"step": "test",
    "request": {"method": "GET", "url": "https://k.example/ping?api_key=k1", "headers": {}, "body": ""}}})"));
  Connector untested = parse(R"({"name": "k", "connection": {"fields": [{"name": "key"}]},
    "authorization": {"type": "api_key", "apply": [{"params": {"api_key": "{{connection.key}}"}}]}})");
  EXPECT_EQ(connect_begin(untested, context({{"key", "k1"}}), kNow), json::parse(R"({"ok": true, "value": {"step": "done"}})"));
}

TEST(FlowApi, ConnectBeginIsNotForOAuth2) {
  json out = connect_begin(oauth2(), context(), kNow);
  EXPECT_EQ(out["errors"][0]["path"], "/authorization/type");
}

TEST(FlowApi, ConnectBeginMissingFieldIsAConnectorErrorWithProblems) {
  json out = connect_begin(custom_auth(), context({{"user", "ann"}}), kNow);
  EXPECT_EQ(out["error"]["code"], "missing_value");
  EXPECT_EQ(out["error"]["cause"], "connector_error");
  EXPECT_EQ(out["errors"][0]["path"], "/authorization/acquire/request/json/p");
}

TEST(FlowApi, TestFinishOutcomes) {
  json ctx = context({{"access_token", "at"}});
  EXPECT_EQ(test_finish(oauth2(), ctx, json{{"status", 200}, {"body", "{}"}}, false),
            json::parse(R"({"ok": true, "value": {"outcome": "ok"}})"));
  EXPECT_EQ(test_finish(oauth2(), ctx, json{{"status", 401}}, false),
            json::parse(R"({"ok": true, "value": {"outcome": "refresh"}})"));
  json revoked = test_finish(oauth2(), ctx, json{{"status", 401}}, true);
  EXPECT_EQ(revoked["error"]["code"], "authorization_revoked");
  EXPECT_EQ(revoked["error"]["detail"], "the test answered HTTP 401");
  json outage = test_finish(oauth2(), ctx, json{{"status", 502}}, false);
  EXPECT_EQ(outage["error"]["cause"], "provider_unavailable");
  EXPECT_EQ(outage["error"]["action"],
            "Wait: the connection recovers by itself once the provider is back. \"Check connection\" retries now.");
}

// ---- state ------------------------------------------------------------------------------

TEST(FlowApi, RevokeBeginForTheOptionInForce) {
  Connector c = parse(R"({"name": "acme", "authorization": {"type": "multi", "options": {
    "sso": {"type": "oauth2", "authorization_url": "https://auth.acme.example/authorize",
            "token_url": "https://auth.acme.example/token", "revocation_url": "https://auth.acme.example/revoke"},
    "key": {"type": "api_key", "apply": [{"headers": {"X-Key": "{{connection.key}}"}}]}}}})");
  json out = revoke_begin(c, context({{"auth_type", "sso"}, {"access_token", "at"}, {"refresh_token", "rt"}}));
  ASSERT_TRUE(out["ok"]) << out.dump();
  EXPECT_EQ(out["value"]["request"]["url"], "https://auth.acme.example/revoke");
  EXPECT_EQ(out["value"]["request"]["body"], "token=rt&token_type_hint=refresh_token&client_id=cid&client_secret=cs");
  EXPECT_EQ(revoke_begin(c, context({{"auth_type", "key"}, {"key", "k"}})),
            json::parse(R"({"ok": true, "value": {"request": null}})"));
  EXPECT_EQ(revoke_begin(oauth2(), context({{"refresh_token", "rt"}})),
            json::parse(R"({"ok": true, "value": {"request": null}})"));
}

TEST(FlowApi, StateLifecycle) {
  json s = state_success(nullptr, kNow, 3);
  ASSERT_TRUE(s["ok"].get<bool>());
  EXPECT_EQ(s["value"]["status"], "connected");
  json degraded = state_failure(s["value"], "provider_unavailable", "HTTP 503", kNow + 10, 0.5, nullptr);
  EXPECT_EQ(degraded["value"]["status"], "degraded");
  EXPECT_EQ(degraded["value"]["next_retry_at"], kNow + 11);
  json lost = state_failure(degraded["value"], "authorization_revoked", "invalid_grant (HTTP 400)", kNow + 20, 0.5,
                            json{{"lost_after_failures", 3}});
  EXPECT_EQ(lost["value"]["status"], "lost");
  json view = state_view(lost["value"], true);
  EXPECT_EQ(view["value"]["status"], "lost");
  EXPECT_EQ(view["value"]["lost"]["cause"], "authorization_revoked");
  EXPECT_EQ(view["value"]["lost"]["detail"], "invalid_grant (HTTP 400)");
  EXPECT_EQ(view["value"]["history"].size(), 3u);
  EXPECT_EQ(state_view(lost["value"], false)["value"]["status"], "disabled");
  json reset = state_disconnect(lost["value"], kNow + 30, "disconnected by the user");
  EXPECT_EQ(reset["value"]["status"], "not_connected");
  EXPECT_EQ(state_view(reset["value"], true)["value"].count("lost"), 0u);
}

TEST(FlowApi, StateInputErrors) {
  EXPECT_EQ(state_failure(nullptr, "gone", "", kNow, 0.5, nullptr)["errors"][0]["path"], "/cause");
  EXPECT_EQ(state_failure(nullptr, "connector_error", "", kNow, 0.5, json{{"lost_after_failures", 0}})["errors"][0]["path"],
            "/settings/lost_after_failures");
  EXPECT_EQ(state_success(json{{"status", "bogus"}}, kNow, nullptr)["errors"][0]["path"], "/state/status");
  EXPECT_EQ(state_success(nullptr, kNow, "3")["errors"][0]["path"], "/connector_version");
}

TEST(FlowApi, NeverThrowsOnHostileInput) {
  for (const json& junk : {json(nullptr), json(42), json("x"), json::array(), json::object(),
                           json::parse(R"({"connection": 5, "app": [], "flow": "x"})")}) {
    EXPECT_NO_THROW(authorize_begin(oauth2(), junk, kRandomHex, kNow));
    EXPECT_NO_THROW(authorize_callback(oauth2(), junk, junk, junk, kNow));
    EXPECT_NO_THROW(authorize_finish(oauth2(), junk, junk, kNow));
    EXPECT_NO_THROW(refresh_begin(oauth2(), junk, kNow));
    EXPECT_NO_THROW(refresh_finish(oauth2(), junk, junk, kNow));
    EXPECT_NO_THROW(refresh_needed(junk, kNow));
    EXPECT_NO_THROW(connect_begin(custom_auth(), junk, kNow));
    EXPECT_NO_THROW(connect_finish(custom_auth(), junk, junk, kNow));
    EXPECT_NO_THROW(test_begin(oauth2(), junk));
    EXPECT_NO_THROW(test_finish(oauth2(), junk, junk, false));
    EXPECT_NO_THROW(state_success(junk, kNow, junk));
    EXPECT_NO_THROW(state_failure(junk, "connector_error", "", kNow, 0.5, junk));
    EXPECT_NO_THROW(state_view(junk, true));
  }
}

}  // namespace
}  // namespace connauth

namespace connauth {
namespace {

const Connector& custom_with_defaults() {
  static const Connector c = parse(R"({"name": "login",
    "connection": {"fields": [{"name": "user"}, {"name": "region", "default": "eu"}],
                   "base_uri": "https://{{connection.region}}.login.example/"},
    "authorization": {"type": "custom_auth", "identity": "{{connection.user}}@{{connection.region}}",
      "acquire": {"request": {"method": "POST", "url": "session", "json": {"user": "{{connection.user}}"}},
                  "tokens": {"access_token": "{{response.token}}"}},
      "apply": [{"headers": {"X-Session": "{{access_token}}"}}]},
    "test": {"url": "me"}})");
  return c;
}

TEST(FlowApi, FieldDefaultsStandInForValuesTheUserLeftOut) {
  json begun = connect_begin(custom_with_defaults(), json{{"connection", {{"user", "ann"}}}}, kNow);
  ASSERT_TRUE(begun["ok"]) << begun.dump();
  EXPECT_EQ(begun["value"]["request"]["url"], "https://eu.login.example/session");
  json entered = connect_begin(custom_with_defaults(), json{{"connection", {{"user", "ann"}, {"region", "us"}}}}, kNow);
  EXPECT_EQ(entered["value"]["request"]["url"], "https://us.login.example/session");
}

TEST(FlowApi, ConnectFinishAndTestFinishReportTheIdentity) {
  json ctx = {{"connection", {{"user", "ann"}}}};
  json finished = connect_finish(custom_with_defaults(), ctx,
                                 json{{"status", 200}, {"body", R"({"token":"t1"})"}}, kNow);
  ASSERT_TRUE(finished["ok"]) << finished.dump();
  EXPECT_EQ(finished["value"]["identity"], "ann@eu");

  json tested = test_finish(custom_with_defaults(), json{{"connection", {{"user", "ann"}, {"access_token", "t1"}}}},
                            json{{"status", 200}, {"body", "{}"}}, false);
  ASSERT_TRUE(tested["ok"]) << tested.dump();
  EXPECT_EQ(tested["value"], (json{{"outcome", "ok"}, {"identity", "ann@eu"}}));
}

}  // namespace
}  // namespace connauth
