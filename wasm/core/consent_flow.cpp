// The consent popup's state machine: see consent_flow.h for the states, the
// events a host reports and the effects it carries out.
#include "consent_flow.h"

#include "authorization_flow.h"  // constant_time_equals (RFC 6749 §10.12)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "json_io.h"
#include "json_object.h"

namespace connauth {

using nlohmann::json;

namespace {

// The server keeps a pending authorization for 10 minutes (SPEC §3), so
// waiting longer than that for the popup cannot succeed.
constexpr int64_t kDefaultTimeoutMs = 10 * 60 * 1000;
constexpr int64_t kMinTimeoutMs = 1000;
constexpr int64_t kMaxTimeoutMs = 60 * 60 * 1000;
// Bounds on what the host passes in; a state or message above them is not
// one the edge would produce.
constexpr size_t kMaxTextLength = 4096;
constexpr size_t kMaxUrlLength = 8192;
constexpr size_t kMaxServerMessageLength = 500;

enum class Phase { Idle, Prompting, AwaitingConsent, Exchanging, Connected, Failed };
enum class Step { Opening, Authorizing, Consenting };
enum class Reason { PopupBlocked, ClosedByUser, AccessDenied, TimedOut, StateMismatch, ServerError };

const char* to_string(Phase p) {
  switch (p) {
    case Phase::Idle: return "idle";
    case Phase::Prompting: return "prompting";
    case Phase::AwaitingConsent: return "awaiting_consent";
    case Phase::Exchanging: return "exchanging";
    case Phase::Connected: return "connected";
    case Phase::Failed: return "failed";
  }
  return "idle";
}

const char* to_string(Step s) {
  switch (s) {
    case Step::Opening: return "opening";
    case Step::Authorizing: return "authorizing";
    case Step::Consenting: return "consenting";
  }
  return "opening";
}

const char* to_string(Reason r) {
  switch (r) {
    case Reason::PopupBlocked: return "popup_blocked";
    case Reason::ClosedByUser: return "closed_by_user";
    case Reason::AccessDenied: return "access_denied";
    case Reason::TimedOut: return "timed_out";
    case Reason::StateMismatch: return "state_mismatch";
    case Reason::ServerError: return "server_error";
  }
  return "server_error";
}

template <class E, size_t N>
std::optional<E> parse_enum(const json& j, const E (&values)[N]) {
  if (!j.is_string()) return std::nullopt;
  const auto& s = j.get_ref<const std::string&>();
  for (E v : values)
    if (s == to_string(v)) return v;
  return std::nullopt;
}

constexpr Phase kPhases[] = {Phase::Idle,       Phase::Prompting, Phase::AwaitingConsent,
                             Phase::Exchanging, Phase::Connected, Phase::Failed};
constexpr Step kSteps[] = {Step::Opening, Step::Authorizing, Step::Consenting};
constexpr Reason kReasons[] = {Reason::PopupBlocked, Reason::ClosedByUser,  Reason::AccessDenied,
                               Reason::TimedOut,     Reason::StateMismatch, Reason::ServerError};

// What the user reads for each failure, and what to do about it.
struct Explanation {
  const char* message;
  const char* action;
};

Explanation explain(Reason r) {
  switch (r) {
    case Reason::PopupBlocked:
      return {"Your browser blocked the sign-in window.",
              "Allow pop-ups for this site and try again, or continue with the sign-in link."};
    case Reason::ClosedByUser:
      return {"The sign-in window was closed before the connection was finished.",
              "Try again when you are ready; nothing was changed."};
    case Reason::AccessDenied:
      return {"Access was not granted: the provider reported that the request was denied.",
              "If that was a mistake, try again and allow access on the provider's page."};
    case Reason::TimedOut:
      return {"The sign-in took too long and has expired.",
              "Try again; a sign-in must be finished within 10 minutes."};
    case Reason::StateMismatch:
      return {"The answer from the sign-in window did not belong to this request, so it was refused for your safety.",
              "Try again. If it happens again, close other sign-in windows first."};
    case Reason::ServerError:
      return {"Connecting failed.", "Try again; if it keeps failing, tell your admin."};
  }
  return {"", ""};
}

struct ConsentState {
  Phase phase = Phase::Idle;
  Step step = Step::Opening;
  std::optional<Reason> reason;
  std::string app;
  std::string prompt;
  std::string origin;             // the exact origin results may come from
  std::string pending_state;      // the OAuth state of this attempt ("" = none yet)
  std::string authorization_url;  // kept only while a continue link is offered
  bool noopener = false;
  bool popup = false;      // the host holds a window handle (close, focus, watch)
  bool listening = false;  // results are accepted
  bool mismatch_seen = false;
  int64_t attempt = 0;
  int64_t timeout_ms = kDefaultTimeoutMs;
  std::string error;    // failed(server_error): the server's code
  std::string message;  // failed: what happened
  std::string action;   // failed: what to do
  json identity;        // connected: what the connection shows (null if none)
};

// ---- reading and writing ----------------------------------------------------

bool bounded_string(const json& j, size_t max) { return j.is_string() && j.get_ref<const std::string&>().size() <= max; }

// Reads a string member; absent/null = "". A wrong type or size is a problem.
bool read_text(const json& obj, const char* key, std::string& out, const std::string& where, Problems& problems,
               size_t max = kMaxTextLength) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (!bounded_string(*it, max)) {
    add_problem(problems, pointer_append(where, key), "must be a string of at most " + std::to_string(max) + " characters");
    return false;
  }
  out = it->get<std::string>();
  return true;
}

void read_bool(const json& obj, const char* key, bool& out, const std::string& where, Problems& problems) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return;
  if (!it->is_boolean()) {
    add_problem(problems, pointer_append(where, key), "must be true or false");
    return;
  }
  out = it->get<bool>();
}

void read_int(const json& obj, const char* key, int64_t& out, const std::string& where, Problems& problems) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return;
  if (!it->is_number_integer()) {
    add_problem(problems, pointer_append(where, key), "must be an integer");
    return;
  }
  out = it->get<int64_t>();
}

// The state's members that are plain values, with their JSON keys: one table
// that state_from_json reads and state_to_json writes in a loop, instead of a
// statement per member in each. Problems are reported in table order. With
// Transition's effect builders and answer() taking its transition by
// reference, the module is smaller than with a statement per member.
enum class Written {
  Always,        // whenever the phase is not idle
  IfSet,         // a non-empty string, a true boolean
  IfFailed,      // failed with a reason
  IfFailedSet,   // both
};

struct TextMember {
  const char* key;
  std::string ConsentState::*value;
  Written written;
  size_t max = kMaxTextLength;
};
const TextMember kTextMembers[] = {
    {"app", &ConsentState::app, Written::Always},
    {"prompt", &ConsentState::prompt, Written::Always},
    {"origin", &ConsentState::origin, Written::Always},
    {"pending_state", &ConsentState::pending_state, Written::IfSet},
    {"authorization_url", &ConsentState::authorization_url, Written::IfSet, kMaxUrlLength},
    {"error", &ConsentState::error, Written::IfFailedSet},
    {"message", &ConsentState::message, Written::IfFailed},
    {"action", &ConsentState::action, Written::IfFailed},
};

struct BoolMember {
  const char* key;
  bool ConsentState::*value;
  Written written;
};
const BoolMember kBoolMembers[] = {
    {"noopener", &ConsentState::noopener, Written::Always},
    {"popup", &ConsentState::popup, Written::Always},
    {"listening", &ConsentState::listening, Written::Always},
    {"mismatch_seen", &ConsentState::mismatch_seen, Written::IfSet},
};

struct IntMember {
  const char* key;
  int64_t ConsentState::*value;
};
const IntMember kIntMembers[] = {
    {"attempt", &ConsentState::attempt},
    {"timeout_ms", &ConsentState::timeout_ms},
};

bool is_written(Written written, bool set, bool failed) {
  switch (written) {
    case Written::Always: return true;
    case Written::IfSet: return set;
    case Written::IfFailed: return failed;
    case Written::IfFailedSet: return failed && set;
  }
  return false;
}

Result<ConsentState> state_from_json(const json& j) {
  ConsentState s;
  if (j.is_null()) return Result<ConsentState>::success(s);
  if (!j.is_object()) return Result<ConsentState>::failure("/state", "must be an object (or null for idle)");
  if (j.empty()) return Result<ConsentState>::success(s);
  Problems problems;
  const std::string at = "/state";
  auto phase = parse_enum(j.value("phase", json("idle")), kPhases);
  if (!phase) add_problem(problems, "/state/phase", "is not a phase of the consent flow");
  else s.phase = *phase;
  if (j.contains("step")) {
    auto step = parse_enum(j["step"], kSteps);
    if (!step) add_problem(problems, "/state/step", "must be opening, authorizing or consenting");
    else s.step = *step;
  }
  if (j.contains("reason") && !j["reason"].is_null()) {
    auto reason = parse_enum(j["reason"], kReasons);
    if (!reason) add_problem(problems, "/state/reason", "is not a failure reason of the consent flow");
    else s.reason = *reason;
  }
  for (const TextMember& m : kTextMembers) read_text(j, m.key, s.*m.value, at, problems, m.max);
  for (const BoolMember& m : kBoolMembers) read_bool(j, m.key, s.*m.value, at, problems);
  for (const IntMember& m : kIntMembers) read_int(j, m.key, s.*m.value, at, problems);
  if (j.contains("identity")) s.identity = j["identity"];
  if (s.phase == Phase::Failed && !s.reason) add_problem(problems, "/state/reason", "is required when failed");
  if (!problems.empty()) return Result<ConsentState>::failure(std::move(problems));
  return Result<ConsentState>::success(std::move(s));
}

json state_to_json(const ConsentState& s) {
  json j = json_object("phase", to_string(s.phase));
  if (s.phase == Phase::Idle) {
    // Attempt numbers keep counting, so a late event of an old attempt stays stale.
    if (s.attempt > 0) j["attempt"] = s.attempt;
    return j;
  }
  const bool failed = s.phase == Phase::Failed && s.reason;
  for (const TextMember& m : kTextMembers)
    if (is_written(m.written, !(s.*m.value).empty(), failed)) j[m.key] = s.*m.value;
  for (const BoolMember& m : kBoolMembers)
    if (is_written(m.written, s.*m.value, failed)) j[m.key] = s.*m.value;
  for (const IntMember& m : kIntMembers) j[m.key] = s.*m.value;
  if (s.phase == Phase::AwaitingConsent) j["step"] = to_string(s.step);
  if (failed) j["reason"] = to_string(*s.reason);
  if (s.phase == Phase::Connected) j["identity"] = s.identity;
  return j;
}

// ---- helpers for transitions ----------------------------------------------

bool is_http_url(const std::string& url) {
  auto starts = [&](std::string_view prefix) {
    if (url.size() <= prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  if (!starts("https://") && !starts("http://")) return false;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  return true;
}

struct Transition {
  ConsentState state;
  json effects = json::array();
  void effect(json e) { effects.push_back(std::move(e)); }
  // The effect {"type": type, ...}: built here, not at each of the 28 call
  // sites (module size, see kTextMembers).
  void effect(const char* type) { effect(json_object("type", type)); }
  void effect(const char* type, const char* k1, json v1) {
    effect(json_object("type", type, k1, std::move(v1)));
  }
  void effect(const char* type, const char* k1, json v1, const char* k2, json v2) {
    effect(json_object("type", type, k1, std::move(v1), k2, std::move(v2)));
  }
};

json answer(Transition&& s) {
  return ok_envelope(json_object("state", state_to_json(s.state), "effects", std::move(s.effects)));
}

json unchanged(const ConsentState& s, const char* reason) {
  Transition out{s};
  out.effect("ignored", "reason", reason);
  return answer(std::move(out));
}

// Ends whatever the attempt had running (timer, listeners, popup).
void wind_down(Transition& out, bool close_popup, bool stop_listening) {
  ConsentState& s = out.state;
  if (s.phase == Phase::AwaitingConsent) out.effect("stop_timer");
  if (stop_listening && s.listening) {
    out.effect("stop_listening");
    s.listening = false;
  }
  if (close_popup && s.popup) {
    out.effect("close_popup");
    s.popup = false;
  }
}

void fail(Transition& out, Reason reason, const std::string& error = "", const std::string& server_message = "") {
  ConsentState& s = out.state;
  Explanation text = explain(reason);
  s.phase = Phase::Failed;
  s.reason = reason;
  s.error = error;
  s.message = text.message;
  if (reason == Reason::ServerError && !server_message.empty()) s.message = "Connecting failed: " + server_message;
  s.action = text.action;
}

// A fresh attempt: everything from the previous one is forgotten.
void begin_attempt(ConsentState& s) {
  s.attempt += 1;
  s.pending_state.clear();
  s.authorization_url.clear();
  s.mismatch_seen = false;
  s.reason.reset();
  s.error.clear();
  s.message.clear();
  s.action.clear();
  s.identity = nullptr;
}

// The event's attempt, when given, must be the current one.
bool stale(const ConsentState& s, const json& event) {
  auto it = event.find("attempt");
  return it != event.end() && !it->is_null() && (!it->is_number_integer() || it->get<int64_t>() != s.attempt);
}

std::string server_text(const json& event, const char* key) {
  auto it = event.find(key);
  if (it == event.end() || !it->is_string()) return "";
  std::string text = it->get<std::string>();
  if (text.size() > kMaxServerMessageLength) text.resize(kMaxServerMessageLength);
  return text;
}

// ---- transitions ------------------------------------------------------------

json on_start(ConsentState s, const json& event) {
  switch (s.phase) {
    case Phase::Prompting: {
      Transition out{s};
      out.effect("show_prompt", "prompt", s.prompt);
      return answer(std::move(out));
    }
    case Phase::AwaitingConsent: {
      // A second click while the popup is open brings it to the front
      // instead of opening another one.
      if (!s.popup) return unchanged(s, "busy");
      Transition out{s};
      out.effect("focus_popup");
      return answer(std::move(out));
    }
    case Phase::Exchanging: return unchanged(s, "busy");
    default: break;
  }
  Problems problems;
  ConsentState next;
  next.attempt = s.attempt;
  read_text(event, "app", next.app, "/event", problems);
  read_text(event, "prompt", next.prompt, "/event", problems);
  read_text(event, "origin", next.origin, "/event", problems);
  read_bool(event, "noopener", next.noopener, "/event", problems);
  read_int(event, "timeout_ms", next.timeout_ms, "/event", problems);
  if (problems.empty() && next.app.empty()) add_problem(problems, "/event/app", "is required: the app's id");
  if (problems.empty() && next.origin.empty())
    add_problem(problems, "/event/origin", "is required: the exact origin results come from");
  if (!problems.empty()) return error_envelope(problems);
  if (next.timeout_ms < kMinTimeoutMs) next.timeout_ms = kMinTimeoutMs;
  if (next.timeout_ms > kMaxTimeoutMs) next.timeout_ms = kMaxTimeoutMs;
  next.phase = Phase::Prompting;
  Transition out{next};
  // A failed attempt may still be listening for a late result: it is over.
  if (s.listening) out.effect("stop_listening");
  out.effect("show_prompt", "prompt", next.prompt);
  return answer(std::move(out));
}

json on_confirm(const ConsentState& s) {
  if (s.phase == Phase::AwaitingConsent && s.popup) {
    Transition out{s};
    out.effect("focus_popup");
    return answer(std::move(out));
  }
  if (s.phase != Phase::Prompting && s.phase != Phase::Failed) return unchanged(s, "not_waiting");
  Transition out{s};
  if (s.phase == Phase::Prompting) out.effect("hide_prompt");
  if (s.listening) {
    out.effect("stop_listening");
    out.state.listening = false;
  }
  begin_attempt(out.state);
  out.state.phase = Phase::AwaitingConsent;
  out.state.step = Step::Opening;
  out.state.popup = false;
  out.effect("open_popup", "name", "connauth-" + s.app);
  return answer(std::move(out));
}

json on_cancel(const ConsentState& s) {
  if (s.phase != Phase::Prompting && s.phase != Phase::AwaitingConsent && s.phase != Phase::Failed)
    return unchanged(s, "not_waiting");
  Transition out{s};
  if (s.phase == Phase::Prompting) out.effect("hide_prompt");
  wind_down(out, true, true);
  ConsentState idle;
  idle.attempt = s.attempt;
  out.state = idle;
  return answer(std::move(out));
}

json on_popup_opened(const ConsentState& s, const json& event) {
  if (s.phase != Phase::AwaitingConsent || s.step != Step::Opening || stale(s, event)) return unchanged(s, "stale");
  Transition out{s};
  out.state.step = Step::Authorizing;
  out.state.popup = true;
  out.effect("request_authorization", "app", s.app, "attempt", s.attempt);
  out.effect("watch_popup", "attempt", s.attempt);
  out.effect("start_timer", "ms", s.timeout_ms, "attempt", s.attempt);
  return answer(std::move(out));
}

json on_popup_blocked(const ConsentState& s, const json& event) {
  if (s.phase != Phase::AwaitingConsent || s.step != Step::Opening || stale(s, event)) return unchanged(s, "stale");
  Transition out{s};
  out.state.popup = false;
  fail(out, Reason::PopupBlocked);
  // The way to continue: ask for the authorization URL anyway and offer it as
  // a link; a link the user clicks opens even where scripted popups do not.
  out.effect("request_authorization", "app", s.app, "attempt", s.attempt);
  return answer(std::move(out));
}

json on_authorization_ready(const ConsentState& s, const json& event) {
  bool waiting = s.phase == Phase::AwaitingConsent && s.step == Step::Authorizing;
  bool blocked = s.phase == Phase::Failed && s.reason == Reason::PopupBlocked && s.pending_state.empty();
  if ((!waiting && !blocked) || stale(s, event)) return unchanged(s, "stale");
  Transition out{s};
  auto url = event.find("authorization_url");
  auto state = event.find("state");
  if (url == event.end() || !bounded_string(*url, kMaxUrlLength) || !is_http_url(url->get<std::string>()) ||
      state == event.end() || !bounded_string(*state, kMaxTextLength) || state->get<std::string>().empty()) {
    // Never navigate to something that is not an http(s) URL.
    wind_down(out, true, true);
    fail(out, Reason::ServerError, "invalid_response", "the server's answer had no valid authorization URL");
    return answer(std::move(out));
  }
  auto noopener = event.find("noopener");
  if (noopener != event.end() && noopener->is_boolean() && noopener->get<bool>()) out.state.noopener = true;
  out.state.pending_state = state->get<std::string>();
  out.state.listening = true;
  // Listen before the popup can possibly answer.
  out.effect("listen", "state", out.state.pending_state, "origin", s.origin);
  if (waiting) {
    out.state.step = Step::Consenting;
    out.effect("navigate_popup", "url", url->get<std::string>(), "noopener", out.state.noopener);
  } else {
    out.state.authorization_url = url->get<std::string>();
    out.effect("offer_link", "url", out.state.authorization_url);
  }
  return answer(std::move(out));
}

json on_authorization_failed(const ConsentState& s, const json& event) {
  bool waiting = s.phase == Phase::AwaitingConsent && s.step == Step::Authorizing;
  bool blocked = s.phase == Phase::Failed && s.reason == Reason::PopupBlocked && s.pending_state.empty();
  if ((!waiting && !blocked) || stale(s, event)) return unchanged(s, "stale");
  Transition out{s};
  wind_down(out, true, true);
  std::string error = server_text(event, "error");
  fail(out, Reason::ServerError, error.empty() ? "server_error" : error, server_text(event, "message"));
  return answer(std::move(out));
}

json on_link_opened(const ConsentState& s) {
  if (s.phase != Phase::Failed || s.reason != Reason::PopupBlocked || s.authorization_url.empty())
    return unchanged(s, "not_waiting");
  Transition out{s};
  ConsentState& n = out.state;
  n.phase = Phase::AwaitingConsent;
  n.step = Step::Consenting;
  n.reason.reset();
  n.message.clear();
  n.action.clear();
  n.authorization_url.clear();
  out.effect("start_timer", "ms", s.timeout_ms, "attempt", s.attempt);
  return answer(std::move(out));
}

json on_popup_closed(const ConsentState& s, const json& event) {
  if (s.phase != Phase::AwaitingConsent || s.step == Step::Opening || stale(s, event)) return unchanged(s, "stale");
  Transition out{s};
  out.effect("stop_timer");
  out.state.popup = false;
  // Still listening: under COOP the popup only looks closed (see the header).
  fail(out, s.mismatch_seen ? Reason::StateMismatch : Reason::ClosedByUser);
  return answer(std::move(out));
}

json on_timeout(const ConsentState& s, const json& event) {
  if (s.phase != Phase::AwaitingConsent || stale(s, event)) return unchanged(s, "stale");
  Transition out{s};
  wind_down(out, true, true);
  fail(out, Reason::TimedOut);
  return answer(std::move(out));
}

// RFC 6749 §4.1.2.1 error codes (and the edge's own) → the user's reason.
Reason reason_for_error(const std::string& error) {
  if (error == "access_denied") return Reason::AccessDenied;
  if (error == "state_mismatch" || error == "invalid_state") return Reason::StateMismatch;
  return Reason::ServerError;
}

json on_message(const ConsentState& s, const json& event) {
  auto data = event.find("data");
  if (data == event.end() || !data->is_object() || data->value("type", json()) != "connauth:oauth")
    return unchanged(s, "not_ours");
  if (!s.listening || s.pending_state.empty()) return unchanged(s, "not_waiting");
  auto origin = event.find("origin");
  if (origin == event.end() || !origin->is_string() || origin->get_ref<const std::string&>() != s.origin)
    return unchanged(s, "foreign_origin");
  auto state = data->find("state");
  if (state == data->end() || !state->is_string() ||
      !constant_time_equals(state->get_ref<const std::string&>(), s.pending_state)) {
    Transition out{s};
    out.state.mismatch_seen = true;
    out.effect("ignored", "reason", "wrong_state");
    return answer(std::move(out));
  }
  Transition out{s};
  if (s.phase == Phase::AwaitingConsent) out.effect("stop_timer");
  out.effect("stop_listening");
  out.state.listening = false;
  if (out.state.popup) out.effect("close_popup");
  out.state.popup = false;
  auto ok = data->find("ok");
  if (ok != data->end() && ok->is_boolean() && ok->get<bool>()) {
    out.state.phase = Phase::Exchanging;
    out.state.reason.reset();
    out.state.authorization_url.clear();
    out.effect("load_connection", "app", s.app);
    return answer(std::move(out));
  }
  std::string error = server_text(*data, "error");
  Reason reason = reason_for_error(error);
  fail(out, reason, reason == Reason::ServerError ? (error.empty() ? "server_error" : error) : "",
       server_text(*data, "message"));
  out.state.authorization_url.clear();
  return answer(std::move(out));
}

json on_connection_loaded(const ConsentState& s, const json& event) {
  if (s.phase != Phase::Exchanging) return unchanged(s, "stale");
  Transition out{s};
  auto connection = event.find("connection");
  std::string status;
  if (connection != event.end() && connection->is_object() && connection->contains("status") &&
      (*connection)["status"].is_string())
    status = (*connection)["status"].get<std::string>();
  if (status == "connected" || status == "degraded") {
    out.state.phase = Phase::Connected;
    out.state.identity = connection->value("identity", json());
    return answer(std::move(out));
  }
  std::string message = "the provider answered, but the connection is " + (status.empty() ? "unknown" : status);
  if (connection != event.end() && connection->is_object() && connection->contains("lost") &&
      (*connection)["lost"].is_object()) {
    std::string lost = server_text((*connection)["lost"], "message");
    if (!lost.empty()) message = lost;
  }
  fail(out, Reason::ServerError, "not_connected", message);
  return answer(std::move(out));
}

json on_connection_failed(const ConsentState& s, const json& event) {
  if (s.phase != Phase::Exchanging) return unchanged(s, "stale");
  Transition out{s};
  std::string error = server_text(event, "error");
  fail(out, Reason::ServerError, error.empty() ? "server_error" : error, server_text(event, "message"));
  return answer(std::move(out));
}

json on_reset(const ConsentState& s) {
  Transition out{s};
  if (s.phase == Phase::Prompting) out.effect("hide_prompt");
  wind_down(out, true, true);
  ConsentState idle;
  idle.attempt = s.attempt;
  out.state = idle;
  return answer(std::move(out));
}

}  // namespace

json consent_step(const json& state_json, const json& event) {
  auto parsed = state_from_json(state_json);
  if (!parsed.ok()) return error_envelope(parsed.errors);
  if (!event.is_object()) return error_envelope("/event", "must be an object with a type");
  auto type_it = event.find("type");
  if (type_it == event.end() || !type_it->is_string()) return error_envelope("/event/type", "must be a string");
  const std::string& type = type_it->get_ref<const std::string&>();
  const ConsentState& s = *parsed.value;

  if (type == "start") return on_start(s, event);
  if (type == "confirm") return on_confirm(s);
  if (type == "cancel") return on_cancel(s);
  if (type == "popup_opened") return on_popup_opened(s, event);
  if (type == "popup_blocked") return on_popup_blocked(s, event);
  if (type == "authorization_ready") return on_authorization_ready(s, event);
  if (type == "authorization_failed") return on_authorization_failed(s, event);
  if (type == "link_opened") return on_link_opened(s);
  if (type == "popup_closed") return on_popup_closed(s, event);
  if (type == "timeout") return on_timeout(s, event);
  if (type == "message") return on_message(s, event);
  if (type == "connection_loaded") return on_connection_loaded(s, event);
  if (type == "connection_failed") return on_connection_failed(s, event);
  if (type == "reset") return on_reset(s);
  return error_envelope("/event/type", "is not an event of the consent flow: " + type.substr(0, 64));
}

}  // namespace connauth
