#include "consent_flow.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace connauth {
namespace {

using nlohmann::json;

const char* kOrigin = "http://127.0.0.1:8787";
const char* kState = "s7aTe-0123456789abcdefghijklmnopqrstuvwx";
const char* kUrl = "http://127.0.0.1:4000/auth?client_id=demo&state=s7aTe";

struct Out {
  json state;
  json effects;
};

Out step(const json& state, const json& event) {
  json r = consent_step(state, event);
  EXPECT_TRUE(r["ok"].get<bool>()) << r.dump();
  if (!r["ok"].get<bool>()) return {state, json::array()};
  return {r["value"]["state"], r["value"]["effects"]};
}

std::vector<std::string> types(const json& effects) {
  std::vector<std::string> out;
  for (const auto& e : effects) out.push_back(e["type"].get<std::string>());
  return out;
}

json effect(const json& effects, const std::string& type) {
  for (const auto& e : effects)
    if (e["type"] == type) return e;
  return nullptr;
}

json start_event(bool noopener = false) {
  return {{"type", "start"}, {"app", "app1"}, {"prompt", "Connect your CRM"}, {"origin", kOrigin},
          {"noopener", noopener}};
}

json message(const std::string& state, bool ok, const std::string& error = "", const std::string& origin = kOrigin) {
  json data = {{"type", "connauth:oauth"}, {"state", state}, {"ok", ok}};
  if (!error.empty()) data["error"] = error;
  return {{"type", "message"}, {"origin", origin}, {"data", data}, {"channel", "window"}};
}

// Drives the machine to each interesting state.
json prompting() { return step(nullptr, start_event()).state; }
json opening() { return step(prompting(), {{"type", "confirm"}}).state; }
json authorizing() { return step(opening(), {{"type", "popup_opened"}, {"attempt", 1}}).state; }
json consenting() {
  return step(authorizing(), {{"type", "authorization_ready"}, {"authorization_url", kUrl}, {"state", kState},
                              {"attempt", 1}})
      .state;
}
json exchanging() { return step(consenting(), message(kState, true)).state; }
json blocked() { return step(opening(), {{"type", "popup_blocked"}, {"attempt", 1}}).state; }
json blocked_with_link() {
  return step(blocked(), {{"type", "authorization_ready"}, {"authorization_url", kUrl}, {"state", kState},
                          {"attempt", 1}})
      .state;
}

// ---- idle and the prompt -----------------------------------------------------

TEST(ConsentFlow, NullAndEmptyStateAreIdle) {
  Out a = step(nullptr, start_event());
  Out b = step(json::object(), start_event());
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.state["phase"], "prompting");
}

TEST(ConsentFlow, StartShowsTheAppsPromptFirst) {
  Out out = step(nullptr, start_event());
  EXPECT_EQ(out.state["phase"], "prompting");
  EXPECT_EQ(out.state["app"], "app1");
  EXPECT_EQ(out.state["origin"], kOrigin);
  EXPECT_EQ(types(out.effects), std::vector<std::string>{"show_prompt"});
  EXPECT_EQ(out.effects[0]["prompt"], "Connect your CRM");
}

TEST(ConsentFlow, StartNeedsAppAndOrigin) {
  json r = consent_step(nullptr, {{"type", "start"}, {"origin", kOrigin}});
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_EQ(r["errors"][0]["path"], "/event/app");
  r = consent_step(nullptr, {{"type", "start"}, {"app", "a"}});
  EXPECT_EQ(r["errors"][0]["path"], "/event/origin");
  r = consent_step(nullptr, {{"type", "start"}, {"app", 7}, {"origin", kOrigin}});
  EXPECT_EQ(r["errors"][0]["path"], "/event/app");
}

TEST(ConsentFlow, StartWhilePromptingShowsThePromptAgain) {
  Out out = step(prompting(), start_event());
  EXPECT_EQ(out.state, prompting());
  EXPECT_EQ(types(out.effects), std::vector<std::string>{"show_prompt"});
}

TEST(ConsentFlow, CancelInThePromptGoesBackToIdle) {
  Out out = step(prompting(), {{"type", "cancel"}});
  EXPECT_EQ(out.state["phase"], "idle");
  EXPECT_EQ(types(out.effects), std::vector<std::string>{"hide_prompt"});
}

TEST(ConsentFlow, TimeoutIsClampedAndDefaultsToTenMinutes) {
  EXPECT_EQ(prompting()["timeout_ms"], 600000);
  json ev = start_event();
  ev["timeout_ms"] = 5;
  EXPECT_EQ(step(nullptr, ev).state["timeout_ms"], 1000);
  ev["timeout_ms"] = int64_t{1} << 40;
  EXPECT_EQ(step(nullptr, ev).state["timeout_ms"], 3600000);
}

// ---- opening the popup inside the click ------------------------------------

TEST(ConsentFlow, ConfirmOpensThePopupSynchronously) {
  Out out = step(prompting(), {{"type", "confirm"}});
  EXPECT_EQ(out.state["phase"], "awaiting_consent");
  EXPECT_EQ(out.state["step"], "opening");
  EXPECT_EQ(out.state["attempt"], 1);
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"hide_prompt", "open_popup"}));
  EXPECT_EQ(out.effects[1]["name"], "connauth-app1");
}

TEST(ConsentFlow, PopupOpenedRequestsTheAuthorizationWatchesAndTimes) {
  Out out = step(opening(), {{"type", "popup_opened"}, {"attempt", 1}});
  EXPECT_EQ(out.state["step"], "authorizing");
  EXPECT_TRUE(out.state["popup"].get<bool>());
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"request_authorization", "watch_popup", "start_timer"}));
  EXPECT_EQ(out.effects[0]["app"], "app1");
  EXPECT_EQ(out.effects[2]["ms"], 600000);
  EXPECT_EQ(out.effects[2]["attempt"], 1);
}

TEST(ConsentFlow, AuthorizationReadyListensThenNavigates) {
  Out out = step(authorizing(), {{"type", "authorization_ready"}, {"authorization_url", kUrl}, {"state", kState}});
  EXPECT_EQ(out.state["step"], "consenting");
  EXPECT_EQ(out.state["pending_state"], kState);
  EXPECT_TRUE(out.state["listening"].get<bool>());
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"listen", "navigate_popup"}));
  EXPECT_EQ(out.effects[0]["state"], kState);
  EXPECT_EQ(out.effects[0]["origin"], kOrigin);
  EXPECT_EQ(out.effects[1]["url"], kUrl);
  EXPECT_EQ(out.effects[1]["noopener"], false);
}

TEST(ConsentFlow, NoopenerFromTheConnectorOrTheConnectAnswerReachesTheNavigation) {
  json s = step(step(step(nullptr, start_event(true)).state, {{"type", "confirm"}}).state,
                {{"type", "popup_opened"}})
               .state;
  Out out = step(s, {{"type", "authorization_ready"}, {"authorization_url", kUrl}, {"state", kState}});
  EXPECT_EQ(effect(out.effects, "navigate_popup")["noopener"], true);
  out = step(authorizing(),
             {{"type", "authorization_ready"}, {"authorization_url", kUrl}, {"state", kState}, {"noopener", true}});
  EXPECT_EQ(effect(out.effects, "navigate_popup")["noopener"], true);
  EXPECT_EQ(out.state["noopener"], true);
}

TEST(ConsentFlow, OnlyHttpAuthorizationUrlsAreFollowed) {
  for (const char* bad : {"javascript:alert(1)", "data:text/html,x", "HTTP://", "", "https://a b", "//evil.example/"}) {
    Out out = step(authorizing(), {{"type", "authorization_ready"}, {"authorization_url", bad}, {"state", kState}});
    EXPECT_EQ(out.state["phase"], "failed") << bad;
    EXPECT_EQ(out.state["reason"], "server_error") << bad;
    EXPECT_EQ(effect(out.effects, "navigate_popup"), nullptr) << bad;
    EXPECT_NE(effect(out.effects, "close_popup"), nullptr) << bad;
  }
  Out upper = step(authorizing(), {{"type", "authorization_ready"}, {"authorization_url", "HTTPS://x.example/a"},
                                   {"state", kState}});
  EXPECT_EQ(upper.state["step"], "consenting");
  Out no_state = step(authorizing(), {{"type", "authorization_ready"}, {"authorization_url", kUrl}});
  EXPECT_EQ(no_state.state["reason"], "server_error");
}

TEST(ConsentFlow, AuthorizationFailedExplainsTheServersAnswer) {
  Out out = step(authorizing(), {{"type", "authorization_failed"}, {"error", "app_disabled"},
                                 {"message", "the app is disabled: no new connections"}});
  EXPECT_EQ(out.state["phase"], "failed");
  EXPECT_EQ(out.state["reason"], "server_error");
  EXPECT_EQ(out.state["error"], "app_disabled");
  EXPECT_EQ(out.state["message"], "Connecting failed: the app is disabled: no new connections");
  EXPECT_FALSE(out.state["action"].get<std::string>().empty());
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"stop_timer", "close_popup"}));
}

TEST(ConsentFlow, LongServerMessagesAreCut) {
  Out out = step(authorizing(), {{"type", "authorization_failed"}, {"message", std::string(5000, 'x')}});
  EXPECT_LT(out.state["message"].get<std::string>().size(), 600u);
  EXPECT_EQ(out.state["error"], "server_error");
}

// ---- second click ------------------------------------------------------------

TEST(ConsentFlow, SecondClickWhileThePopupIsOpenFocusesIt) {
  for (const json& s : {authorizing(), consenting()}) {
    Out out = step(s, start_event());
    EXPECT_EQ(out.state, s);
    EXPECT_EQ(types(out.effects), std::vector<std::string>{"focus_popup"});
    Out again = step(s, {{"type", "confirm"}});
    EXPECT_EQ(again.state, s);
    EXPECT_EQ(types(again.effects), std::vector<std::string>{"focus_popup"});
  }
}

TEST(ConsentFlow, ClickWhileExchangingIsIgnored) {
  Out out = step(exchanging(), start_event());
  EXPECT_EQ(out.state, exchanging());
  EXPECT_EQ(out.effects[0]["reason"], "busy");
}

// ---- results ---------------------------------------------------------------------

TEST(ConsentFlow, SuccessMessageExchangesThenConnects) {
  Out out = step(consenting(), message(kState, true));
  EXPECT_EQ(out.state["phase"], "exchanging");
  EXPECT_FALSE(out.state["listening"].get<bool>());
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"stop_timer", "stop_listening", "close_popup", "load_connection"}));
  EXPECT_EQ(out.effects[3]["app"], "app1");

  Out done = step(out.state, {{"type", "connection_loaded"},
                              {"connection", {{"status", "connected"}, {"identity", "alice@example.com"}}}});
  EXPECT_EQ(done.state["phase"], "connected");
  EXPECT_EQ(done.state["identity"], "alice@example.com");
  EXPECT_TRUE(done.effects.empty());
}

TEST(ConsentFlow, BroadcastResultIsAcceptedLikeAWindowMessage) {
  json ev = message(kState, true);
  ev["channel"] = "broadcast";
  EXPECT_EQ(step(consenting(), ev).state["phase"], "exchanging");
}

TEST(ConsentFlow, AccessDeniedIsItsOwnFailure) {
  Out out = step(consenting(), message(kState, false, "access_denied"));
  EXPECT_EQ(out.state["phase"], "failed");
  EXPECT_EQ(out.state["reason"], "access_denied");
  EXPECT_FALSE(out.state.contains("error"));
  EXPECT_NE(out.state["message"].get<std::string>().find("denied"), std::string::npos);
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"stop_timer", "stop_listening", "close_popup"}));
}

TEST(ConsentFlow, ServerReportedStateErrorsAreStateMismatch) {
  EXPECT_EQ(step(consenting(), message(kState, false, "state_mismatch")).state["reason"], "state_mismatch");
  EXPECT_EQ(step(consenting(), message(kState, false, "invalid_state")).state["reason"], "state_mismatch");
}

TEST(ConsentFlow, OtherCallbackErrorsAreServerErrorsWithTheirCode) {
  Out out = step(consenting(), message(kState, false, "invalid_grant"));
  EXPECT_EQ(out.state["reason"], "server_error");
  EXPECT_EQ(out.state["error"], "invalid_grant");
  Out none = step(consenting(), message(kState, false));
  EXPECT_EQ(none.state["error"], "server_error");
}

TEST(ConsentFlow, ForeignOriginIsIgnored) {
  for (const char* origin : {"http://127.0.0.1:9999", "https://127.0.0.1:8787", "http://evil.example", "null", ""}) {
    Out out = step(consenting(), message(kState, true, "", origin));
    EXPECT_EQ(out.state, consenting()) << origin;
    EXPECT_EQ(out.effects, json::parse(R"([{"type":"ignored","reason":"foreign_origin"}])")) << origin;
  }
  json no_origin = message(kState, true);
  no_origin.erase("origin");
  EXPECT_EQ(step(consenting(), no_origin).effects[0]["reason"], "foreign_origin");
}

TEST(ConsentFlow, WrongStateIsIgnoredButRemembered) {
  for (const std::string& wrong : {std::string("other"), std::string(kState) + "x", std::string(kState).substr(1),
                                   std::string(""), std::string(kState).substr(0, 39) + "y"}) {
    Out out = step(consenting(), message(wrong, true));
    EXPECT_EQ(out.state["phase"], "awaiting_consent") << wrong;
    EXPECT_EQ(out.state["mismatch_seen"], true) << wrong;
    EXPECT_EQ(out.effects[0]["reason"], "wrong_state") << wrong;
  }
  json numeric = message(kState, true);
  numeric["data"]["state"] = 5;
  EXPECT_EQ(step(consenting(), numeric).effects[0]["reason"], "wrong_state");
}

TEST(ConsentFlow, MessagesThatAreNotOursAreIgnored) {
  for (const json& data : {json("connauth:oauth"), json::object(), json{{"type", "other"}}, json(nullptr)}) {
    Out out = step(consenting(), {{"type", "message"}, {"origin", kOrigin}, {"data", data}});
    EXPECT_EQ(out.state, consenting());
    EXPECT_EQ(out.effects[0]["reason"], "not_ours");
  }
}

TEST(ConsentFlow, ResultsBeforeListeningAreIgnored) {
  for (const json& s : {json(nullptr), prompting(), opening(), authorizing(), exchanging()}) {
    Out out = step(s, message(kState, true));
    EXPECT_EQ(out.effects[0]["reason"], "not_waiting") << s.dump();
  }
}

TEST(ConsentFlow, PopupClosedByTheUser) {
  Out out = step(consenting(), {{"type", "popup_closed"}, {"attempt", 1}});
  EXPECT_EQ(out.state["phase"], "failed");
  EXPECT_EQ(out.state["reason"], "closed_by_user");
  EXPECT_FALSE(out.state["popup"].get<bool>());
  EXPECT_EQ(types(out.effects), std::vector<std::string>{"stop_timer"});
  Out early = step(authorizing(), {{"type", "popup_closed"}});
  EXPECT_EQ(early.state["reason"], "closed_by_user");
  // The connect answer arriving afterwards is dropped.
  Out late = step(early.state, {{"type", "authorization_ready"}, {"authorization_url", kUrl}, {"state", kState}});
  EXPECT_EQ(late.state, early.state);
}

TEST(ConsentFlow, ClosedAfterAWrongStateIsStateMismatch) {
  json s = step(consenting(), message("forged", false, "access_denied")).state;
  Out out = step(s, {{"type", "popup_closed"}});
  EXPECT_EQ(out.state["reason"], "state_mismatch");
}

TEST(ConsentFlow, LateResultAfterTheOpenerWasCutIsStillAccepted) {
  // COOP on the provider's page: the popup looks closed, the result comes by
  // BroadcastChannel afterwards.
  json closed = step(consenting(), {{"type", "popup_closed"}}).state;
  EXPECT_TRUE(closed["listening"].get<bool>());
  json ev = message(kState, true);
  ev["channel"] = "broadcast";
  Out out = step(closed, ev);
  EXPECT_EQ(out.state["phase"], "exchanging");
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"stop_listening", "load_connection"}));
  // ...but still only with the pending state and from the edge.
  EXPECT_EQ(step(closed, message("nope", true)).state["phase"], "failed");
  EXPECT_EQ(step(closed, message(kState, true, "", "http://evil.example")).state["phase"], "failed");
}

TEST(ConsentFlow, TimeoutClosesEverything) {
  Out out = step(consenting(), {{"type", "timeout"}, {"attempt", 1}});
  EXPECT_EQ(out.state["reason"], "timed_out");
  EXPECT_FALSE(out.state["listening"].get<bool>());
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"stop_timer", "stop_listening", "close_popup"}));
  EXPECT_EQ(step(out.state, message(kState, true)).effects[0]["reason"], "not_waiting");
}

TEST(ConsentFlow, StaleEventsOfAnEarlierAttemptAreIgnored) {
  // Attempt 1 closed; the user tries again; attempt 1's timer then fires.
  json retry = step(step(consenting(), {{"type", "popup_closed"}}).state, {{"type", "confirm"}}).state;
  retry = step(retry, {{"type", "popup_opened"}, {"attempt", 2}}).state;
  EXPECT_EQ(retry["attempt"], 2);
  for (const char* type : {"timeout", "popup_closed", "authorization_failed"}) {
    Out out = step(retry, {{"type", type}, {"attempt", 1}});
    EXPECT_EQ(out.state, retry) << type;
    EXPECT_EQ(out.effects[0]["reason"], "stale") << type;
  }
  Out bogus = step(retry, {{"type", "timeout"}, {"attempt", "2"}});
  EXPECT_EQ(bogus.state, retry);
}

TEST(ConsentFlow, TryAgainAfterAFailureStartsAFreshAttempt) {
  json failed = step(consenting(), message(kState, false, "access_denied")).state;
  Out out = step(failed, {{"type", "confirm"}});
  EXPECT_EQ(out.state["phase"], "awaiting_consent");
  EXPECT_EQ(out.state["attempt"], 2);
  EXPECT_FALSE(out.state.contains("pending_state"));
  EXPECT_FALSE(out.state.contains("reason"));
  EXPECT_EQ(types(out.effects), std::vector<std::string>{"open_popup"});
  // A closed attempt still listening stops listening first.
  json closed = step(consenting(), {{"type", "popup_closed"}}).state;
  EXPECT_EQ(types(step(closed, {{"type", "confirm"}}).effects), (std::vector<std::string>{"stop_listening", "open_popup"}));
}

TEST(ConsentFlow, StartAfterAFailureShowsThePromptAgain) {
  json closed = step(consenting(), {{"type", "popup_closed"}}).state;
  Out out = step(closed, start_event());
  EXPECT_EQ(out.state["phase"], "prompting");
  EXPECT_EQ(out.state["attempt"], 1);
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"stop_listening", "show_prompt"}));
}

TEST(ConsentFlow, ReconnectFromConnectedShowsThePrompt) {
  json connected = step(exchanging(), {{"type", "connection_loaded"}, {"connection", {{"status", "connected"}}}}).state;
  EXPECT_EQ(step(connected, start_event()).state["phase"], "prompting");
}

// ---- popup blocked and the way to continue ----------------------------------------

TEST(ConsentFlow, PopupBlockedStillAsksForTheUrl) {
  Out out = step(opening(), {{"type", "popup_blocked"}, {"attempt", 1}});
  EXPECT_EQ(out.state["phase"], "failed");
  EXPECT_EQ(out.state["reason"], "popup_blocked");
  EXPECT_NE(out.state["message"].get<std::string>().find("blocked"), std::string::npos);
  EXPECT_EQ(types(out.effects), std::vector<std::string>{"request_authorization"});
}

TEST(ConsentFlow, PopupBlockedOffersALinkThenWaitsForTheResult) {
  Out out = step(blocked(), {{"type", "authorization_ready"}, {"authorization_url", kUrl}, {"state", kState}});
  EXPECT_EQ(out.state["phase"], "failed");
  EXPECT_EQ(out.state["authorization_url"], kUrl);
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"listen", "offer_link"}));
  EXPECT_EQ(out.effects[1]["url"], kUrl);

  Out followed = step(out.state, {{"type", "link_opened"}});
  EXPECT_EQ(followed.state["phase"], "awaiting_consent");
  EXPECT_EQ(followed.state["step"], "consenting");
  EXPECT_FALSE(followed.state["popup"].get<bool>());
  EXPECT_FALSE(followed.state.contains("authorization_url"));
  EXPECT_EQ(types(followed.effects), std::vector<std::string>{"start_timer"});

  // No window handle: a second click cannot focus anything.
  EXPECT_EQ(step(followed.state, start_event()).effects[0]["reason"], "busy");
  Out done = step(followed.state, message(kState, true));
  EXPECT_EQ(types(done.effects), (std::vector<std::string>{"stop_timer", "stop_listening", "load_connection"}));
}

TEST(ConsentFlow, PopupBlockedAndTheServerFailedToo) {
  Out out = step(blocked(), {{"type", "authorization_failed"}, {"error", "app_disabled"}});
  EXPECT_EQ(out.state["reason"], "server_error");
  EXPECT_TRUE(out.effects.empty());
}

TEST(ConsentFlow, LinkOpenedWithoutALinkIsIgnored) {
  EXPECT_EQ(step(blocked(), {{"type", "link_opened"}}).effects[0]["reason"], "not_waiting");
  EXPECT_EQ(step(consenting(), {{"type", "link_opened"}}).effects[0]["reason"], "not_waiting");
}

TEST(ConsentFlow, RetryAfterBlockedOpensThePopupAgain) {
  Out out = step(blocked_with_link(), {{"type", "confirm"}});
  EXPECT_EQ(out.state["step"], "opening");
  EXPECT_FALSE(out.state.contains("authorization_url"));
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"stop_listening", "open_popup"}));
}

// ---- exchanging ---------------------------------------------------------------

TEST(ConsentFlow, DegradedCountsAsConnected) {
  Out out = step(exchanging(), {{"type", "connection_loaded"}, {"connection", {{"status", "degraded"}}}});
  EXPECT_EQ(out.state["phase"], "connected");
  EXPECT_TRUE(out.state["identity"].is_null());
}

TEST(ConsentFlow, ConnectionNotSavedIsAServerError) {
  Out out = step(exchanging(), {{"type", "connection_loaded"},
                                {"connection", {{"status", "lost"}, {"lost", {{"message", "The client is misconfigured."}}}}}});
  EXPECT_EQ(out.state["reason"], "server_error");
  EXPECT_EQ(out.state["message"], "Connecting failed: The client is misconfigured.");
  Out unknown = step(exchanging(), {{"type", "connection_loaded"}, {"connection", "x"}});
  EXPECT_EQ(unknown.state["reason"], "server_error");
  Out failed = step(exchanging(), {{"type", "connection_failed"}, {"error", "internal_error"}, {"message", "boom"}});
  EXPECT_EQ(failed.state["error"], "internal_error");
  EXPECT_EQ(failed.state["message"], "Connecting failed: boom");
}

TEST(ConsentFlow, ConnectionEventsOutsideExchangingAreIgnored) {
  EXPECT_EQ(step(consenting(), {{"type", "connection_loaded"}, {"connection", {{"status", "connected"}}}})
                .effects[0]["reason"],
            "stale");
  EXPECT_EQ(step(nullptr, {{"type", "connection_failed"}}).effects[0]["reason"], "stale");
}

// ---- cancel and reset ---------------------------------------------------------------

TEST(ConsentFlow, CancelWhileWaitingClosesThePopup) {
  Out out = step(consenting(), {{"type", "cancel"}});
  EXPECT_EQ(out.state["phase"], "idle");
  EXPECT_EQ(types(out.effects), (std::vector<std::string>{"stop_timer", "stop_listening", "close_popup"}));
}

TEST(ConsentFlow, ResetFromAnywhereCleansUp) {
  EXPECT_EQ(types(step(prompting(), {{"type", "reset"}}).effects), std::vector<std::string>{"hide_prompt"});
  EXPECT_EQ(step(exchanging(), {{"type", "reset"}}).state["phase"], "idle");
  EXPECT_TRUE(step(nullptr, {{"type", "reset"}}).effects.empty());
  EXPECT_EQ(step(consenting(), {{"type", "reset"}}).effects.size(), 3u);
}

TEST(ConsentFlow, AttemptNumbersSurviveIdle) {
  json idle = step(consenting(), {{"type", "cancel"}}).state;
  json again = step(step(idle, start_event()).state, {{"type", "confirm"}}).state;
  EXPECT_EQ(again["attempt"], 2);
}

// ---- malformed input ----------------------------------------------------------------

TEST(ConsentFlow, UnknownEventsAndStatesAreProblemsNotCrashes) {
  json r = consent_step(nullptr, {{"type", "explode"}});
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_EQ(r["errors"][0]["path"], "/event/type");
  EXPECT_EQ(consent_step(nullptr, json::array())["errors"][0]["path"], "/event");
  EXPECT_EQ(consent_step(nullptr, {{"type", 1}})["errors"][0]["path"], "/event/type");
  EXPECT_EQ(consent_step({{"phase", "dancing"}}, {{"type", "reset"}})["errors"][0]["path"], "/state/phase");
  EXPECT_EQ(consent_step({{"phase", "failed"}}, {{"type", "reset"}})["errors"][0]["path"], "/state/reason");
  EXPECT_EQ(consent_step("idle", {{"type", "reset"}})["errors"][0]["path"], "/state");
  EXPECT_EQ(consent_step({{"phase", "prompting"}, {"attempt", "1"}}, {{"type", "reset"}})["errors"][0]["path"],
            "/state/attempt");
  EXPECT_EQ(consent_step({{"phase", "prompting"}, {"origin", std::string(5000, 'o')}}, {{"type", "reset"}})["errors"][0]["path"],
            "/state/origin");
}

TEST(ConsentFlow, StatesRoundTrip) {
  for (const json& s : {prompting(), opening(), authorizing(), consenting(), exchanging(), blocked(), blocked_with_link()}) {
    // Feeding a state back with an ignored event answers it unchanged.
    Out out = step(s, {{"type", "message"}, {"origin", kOrigin}, {"data", json::object()}});
    EXPECT_EQ(out.state, s);
  }
}

}  // namespace
}  // namespace connauth
