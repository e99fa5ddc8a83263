// connection_loop.h: the transitions. Each operation is a small table of
// phases; the connector's requests are built and read by flow_api.h, so a
// step here only decides what comes next.
#include "connection_loop.h"

#include <string>

#include "connection_state.h"
#include "diagnosis.h"
#include "flow_api.h"
#include "identity.h"
#include "json_io.h"
#include "json_object.h"
#include "refresh.h"

namespace connauth {

using json = nlohmann::json;

namespace {

const json& member(const json& object, const char* key) {
  static const json null_value;
  if (!object.is_object()) return null_value;
  auto found = object.find(key);
  return found == object.end() ? null_value : *found;
}

// refresh_begin codes meaning "nothing to refresh with" (flow_api.h).
bool cannot_refresh(const json& error) {
  const json& code = member(error, "code");
  return code == "refresh_disabled" || code == "no_refresh_token" || code == "static_credentials";
}

bool flag(const json& object, const char* key) {
  const json& v = member(object, key);
  return v.is_boolean() && v.get<bool>();
}

std::string text(const json& object, const char* key) {
  const json& v = member(object, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

json effect(const char* type) { return json_object("type", type); }

json step_answer(json state, json effects) {
  return ok_envelope(json_object("state", std::move(state), "effects", std::move(effects)));
}

json machine(const char* op, const char* phase) { return json_object("op", op, "phase", phase); }

// The operation ends with this error (the engine's failure shape).
json fail_with(json state, json error) {
  state["phase"] = "ended";
  json end = effect("fail");
  end["error"] = std::move(error);
  return step_answer(std::move(state), json::array({std::move(end)}));
}

json done_with(json state, json value) {
  state["phase"] = "ended";
  json end = effect("done");
  end["value"] = std::move(value);
  return step_answer(std::move(state), json::array({std::move(end)}));
}

// A record of a failure; the host answers `recorded` with the stored state.
// `keep_code`: the operation's answer keeps the error's code (use: connector_error)
// instead of the connection's (connection_lost, connection_degraded).
json record_failure(json state, const json& error, bool keep_code = false) {
  state["phase"] = "recording";
  state["keep_code"] = keep_code;
  state["pending"] = error;
  json record = json_object("type", "record", "outcome", "failure", "cause",
                            member(error, "cause").is_string() ? member(error, "cause") : json("connector_error"));
  record["detail"] = text(error, "detail").empty() ? text(error, "code") : text(error, "detail");
  return step_answer(std::move(state), json::array({std::move(record)}));
}

json record_success() { return json_object("type", "record", "outcome", "success"); }

// Why the connection cannot be used, from the state the host stored (SPEC §4):
// connection_lost, or connection_degraded with the backoff left.
json failure_from_state(const json& stored, const json& pending, int64_t now, bool keep_code = false) {
  json view = state_view(stored, true);
  const json& shown = member(view, "value");
  std::string status = text(shown, "status");
  json error = json_object("code", "connection_lost", "message", "the connection is lost");
  if (keep_code) error = json_object("code", member(pending, "code"), "message", member(pending, "message"));
  if (status == "degraded") {
    error = json_object("code", "connection_degraded", "message",
                        "the provider is unavailable; the connection is retried automatically");
    const json& next = member(shown, "next_retry_at");
    int64_t left = next.is_number_integer() ? next.get<int64_t>() - now : 1;
    error["retry_after"] = left < 1 ? 1 : left;
    if (keep_code) error["code"] = member(pending, "code");
  } else if (status != "lost") {
    // The failure was recorded against credentials that changed meanwhile.
    return pending;
  }
  error["cause"] = member(pending, "cause");
  error["lost"] = member(shown, status == "degraded" ? "degraded" : "lost");
  if (member(pending, "problems").is_array()) error["problems"] = member(pending, "problems");
  return error;
}

json error_of(const json& envelope) {
  json error = member(envelope, "error");
  if (!error.is_object()) error = json_object("code", "invalid_input", "message", "the engine refused its input");
  if (error["code"] != "invalid_input") return error;
  // Input the engine could not use (a template value missing, a definition it
  // cannot read): the connector's fault (SPEC §4 connector_error).
  const json& problems = member(error, "problems");
  std::string detail = "the engine refused its input";
  if (problems.is_array() && !problems.empty())
    detail = text(problems[0], "path") + ": " + text(problems[0], "message");
  error["message"] = "the connector could not build the request";
  error["cause"] = "connector_error";
  error["detail"] = detail;
  return error;
}

// `step` names the connector request (acquire, refresh, test) for the host's logs.
json send_effect(const json& envelope, const char* step) {
  return json_object("type", "send", "step", step, "request", member(member(envelope, "value"), "request"));
}

// A *_finish answer that names the next step of a list (flow_api.h): the run
// is kept in the machine's state, passed back as context.steps with the next
// answer, and dropped when the list ends.
bool more_steps(const json& finished) { return member(member(finished, "value"), "steps").is_object(); }

json with_steps(json context, const json& state) {
  if (member(state, "steps").is_object()) context["steps"] = member(state, "steps");
  else if (context.is_object()) context.erase("steps");  // only the machine's own run counts
  return context;
}

json next_step(json state, const json& finished, const char* step) {
  state["steps"] = member(member(finished, "value"), "steps");
  return step_answer(std::move(state), json::array({send_effect(finished, step)}));
}

// ---- use: one caller's request (SPEC §2.5 rule 3) -----------------------------

json use_step(json state, const json& event) {
  const std::string phase = text(state, "phase");
  const std::string type = text(event, "type");
  auto send_caller = [&](int attempt, const char* next_phase) {
    state["phase"] = next_phase;
    return step_answer(std::move(state), json::array({json_object("type", "send_caller", "attempt", attempt)}));
  };
  auto renew = [&](const char* reason, const char* next_phase) {
    state["phase"] = next_phase;
    return step_answer(std::move(state), json::array({json_object("type", "renew", "force", false, "reason", reason)}));
  };
  auto deliver = [&](int attempt) {
    state["phase"] = "ended";
    return step_answer(std::move(state), json::array({json_object("type", "deliver", "attempt", attempt)}));
  };

  if (type == "start") {
    state["refreshed"] = false;
    state["expired"] = flag(event, "expired");
    state["replayable"] = !member(event, "replayable").is_boolean() || flag(event, "replayable");
    return flag(event, "due") ? renew("due", "renewing_due") : send_caller(1, "sending");
  }
  if (phase == "renewing_due") {
    if (type == "renewed") {
      state["refreshed"] = flag(event, "changed");
      return send_caller(1, "sending");
    }
    if (type == "renew_failed") {
      // SPEC §3: a transient failure leaves a token that has not expired usable.
      if (text(member(event, "error"), "code") == "connection_degraded" && !flag(state, "expired"))
        return send_caller(1, "sending");
      return fail_with(std::move(state), member(event, "error"));
    }
  }
  if ((phase == "sending" || phase == "retrying") && type == "answered") {
    if (phase == "retrying") return deliver(2);  // the retry's outcome is final
    json next = request_next_step(text(event, "classification"), flag(state, "refreshed"));
    if (!flag(next, "ok")) return next;
    if (member(member(next, "value"), "next") == "deliver") return deliver(1);
    return renew("refresh_signal", "renewing");
  }
  if ((phase == "sending" || phase == "retrying") && type == "apply_failed") {
    // A problem in the caller's request is the caller's; any other (a template value
    // missing) is the connector's: the connection is lost (SPEC §4 connector_error).
    const json& problems = member(event, "problems");
    bool callers = problems.is_array() && !problems.empty();
    if (callers)
      for (const json& p : problems) {
        std::string path = text(p, "path");
        if (path != "/request" && path.rfind("/request/", 0) != 0) callers = false;
      }
    json error = json_object("code", callers ? "invalid_request" : "connector_error", "message",
                             callers ? "the request cannot be sent" : "the connector could not authorize this request");
    error["problems"] = problems;
    if (callers) return fail_with(std::move(state), std::move(error));
    error["cause"] = "connector_error";
    error["detail"] = problems.is_array() && !problems.empty()
                          ? text(problems[0], "path") + ": " + text(problems[0], "message")
                          : "the connector could not authorize a request";
    return record_failure(std::move(state), error, true);
  }
  if (phase == "renewing") {
    // Renewed credentials serve the next request when this one's body cannot be sent again.
    if (type == "renewed")
      return flag(event, "changed") && flag(state, "replayable") ? send_caller(2, "retrying") : deliver(1);
    if (type == "renew_failed") return fail_with(std::move(state), member(event, "error"));
  }
  return error_envelope("/event/type", "is not expected by a use operation in phase " + phase);
}

// ---- renew: new credentials, inside the host's single flight (SPEC §3) --------

json renew_step(const Connector& connector, const json& context, json state, const json& event, int64_t now) {
  const std::string phase = text(state, "phase");
  const std::string type = text(event, "type");
  auto test_instead = [&](json cannot) {
    json begun = test_begin(connector, context);
    if (!flag(begun, "ok")) return record_failure(std::move(state), error_of(begun));
    if (member(member(begun, "value"), "request").is_null()) return record_failure(std::move(state), cannot);
    state["phase"] = "testing";
    state["cannot"] = std::move(cannot);
    return step_answer(std::move(state), json::array({send_effect(begun, "test")}));
  };

  if (type == "start") {
    const json& stored = member(event, "connection_state");
    const json& retry_at = member(stored, "next_retry_at");
    if (!flag(event, "force") && text(stored, "status") == "degraded" && retry_at.is_number_integer() &&
        now < retry_at.get<int64_t>())
      return fail_with(std::move(state), failure_from_state(stored, json_object("cause", member(stored, "cause")), now));
    json begun = refresh_begin(connector, context, now);
    if (!flag(begun, "ok")) {
      json error = error_of(begun);
      return cannot_refresh(error) ? test_instead(std::move(error)) : record_failure(std::move(state), error);
    }
    state["phase"] = "refreshing";
    return step_answer(std::move(state), json::array({send_effect(begun, "refresh")}));
  }
  if (phase == "refreshing" && type == "response") {
    json finished = refresh_finish(connector, with_steps(context, state), member(event, "response"), now);
    state.erase("steps");
    if (!flag(finished, "ok")) return record_failure(std::move(state), error_of(finished));
    if (more_steps(finished)) return next_step(std::move(state), finished, "refresh");
    const json& value = member(finished, "value");
    json store = json_object("type", "store", "connection", member(value, "connection"));
    if (member(value, "scope").is_string()) store["scope"] = member(value, "scope");
    state["phase"] = "ended";
    return step_answer(std::move(state),
                       json::array({std::move(store), record_success(),
                                    json_object("type", "done", "value",
                                                json_object("changed", true, "warnings", member(value, "warnings")))}));
  }
  if (phase == "testing" && type == "response") {
    json finished = test_finish(connector, context, member(event, "response"), true);
    if (!flag(finished, "ok")) return record_failure(std::move(state), error_of(finished));
    if (member(member(finished, "value"), "outcome") != "ok") {
      json cannot = member(state, "cannot");
      return record_failure(std::move(state), cannot);
    }
    state["phase"] = "ended";
    return step_answer(std::move(state), json::array({record_success(), json_object("type", "done", "value",
                                                                                    json_object("changed", false))}));
  }
  return error_envelope("/event/type", "is not expected by a renew operation in phase " + phase);
}

// ---- check: "Check connection" (SPEC §4) -----------------------------------------

json check_step(const Connector& connector, const json& context, json state, const json& event) {
  const std::string phase = text(state, "phase");
  const std::string type = text(event, "type");
  auto renew = [&](const char* next_phase) {
    state["phase"] = next_phase;
    return step_answer(std::move(state), json::array({json_object("type", "renew", "force", true, "reason", "check")}));
  };
  auto test = [&]() {
    json begun = test_begin(connector, context);
    if (!flag(begun, "ok")) return record_failure(std::move(state), error_of(begun));
    if (member(member(begun, "value"), "request").is_null()) {
      // Without a test, a renewal is the check when the connection can renew.
      if (!flag(state, "refreshed") && !cannot_refresh(member(refresh_begin(connector, context, 0), "error")))
        return renew("renewing_only");
      return done_with(std::move(state), json_object("outcome", "none"));
    }
    state["phase"] = "testing";
    return step_answer(std::move(state), json::array({send_effect(begun, "test")}));
  };

  if (type == "start") {
    state["refreshed"] = false;
    return flag(event, "due") ? renew("renewing_due") : test();
  }
  if (type == "renewed" && (phase == "renewing_due" || phase == "renewing_test")) {
    state["refreshed"] = true;
    return test();
  }
  if (type == "renewed" && phase == "renewing_only") return done_with(std::move(state), json_object("outcome", "ok"));
  if (type == "renew_failed") {
    // A renewal that failed recorded its failure; the check shows it. Anything
    // else (not connected, a host outside the egress list) is the answer.
    std::string code = text(member(event, "error"), "code");
    if (code == "connection_lost" || code == "connection_degraded")
      return done_with(std::move(state), json_object("outcome", "failed"));
    return fail_with(std::move(state), member(event, "error"));
  }
  if (phase == "testing" && type == "response") {
    json finished = test_finish(connector, context, member(event, "response"), flag(state, "refreshed"));
    if (!flag(finished, "ok")) return record_failure(std::move(state), error_of(finished));
    if (member(member(finished, "value"), "outcome") == "refresh") return renew("renewing_test");
    state["phase"] = "ended";
    return step_answer(std::move(state),
                       json::array({record_success(), json_object("type", "done", "value", json_object("outcome", "ok"))}));
  }
  return error_envelope("/event/type", "is not expected by a check operation in phase " + phase);
}

// ---- after connecting: the account (SPEC §10) --------------------------------------

// The connect's answer with the reconnect's account compared to the previous
// connection's (start {previous: {identity, owner_id}}).
json connected(json state, json value) {
  const json& identity = member(value, "identity");
  const json& owner = member(value, "owner_id");
  auto change = account_change(member(state, "previous"),
                               identity.is_string() ? std::optional<std::string>(identity.get<std::string>()) : std::nullopt,
                               owner.is_string() ? std::optional<std::string>(owner.get<std::string>()) : std::nullopt);
  if (change) value["account_changed"] = json_object("from", change->from, "to", change->to);
  state.erase("previous");
  state.erase("connected");
  return done_with(std::move(state), std::move(value));
}

// The identity request when the connector has one (sent with the new
// credentials), else the answer at once. `value` is the connect's answer.
json identify(const Connector& connector, const json& context, json state, json value) {
  json current = context;
  current["connection"] = member(value, "connection");
  current.erase("flow");
  if (!member(value, "identity").is_string() && !member(value, "identity_problem").is_string()) {
    json shown = connection_identity(connector, current);
    if (member(shown, "value").is_string()) value["identity"] = member(shown, "value");
  }
  json begun = identity_begin(connector, current);
  if (!flag(begun, "ok")) {
    value["identity"] = nullptr;
    value["identity_problem"] = text(error_of(begun), "detail");
    return connected(std::move(state), std::move(value));
  }
  if (member(member(begun, "value"), "request").is_null()) return connected(std::move(state), std::move(value));
  state["phase"] = "identifying";
  state["connected"] = std::move(value);
  return step_answer(std::move(state), json::array({send_effect(begun, "identity")}));
}

// The identity request's answer, or the host's failure to send it: the
// connection is made either way; only its account may be unknown.
json identified(const Connector& connector, const json& context, json state, const json& event) {
  json value = member(state, "connected");
  json current = context;
  current["connection"] = member(value, "connection");
  current.erase("flow");
  json read = member(event, "type") == "response"
                  ? identity_finish(connector, current, member(event, "response"))
                  : json_object("ok", true, "value",
                                json_object("identity", nullptr, "identity_problem",
                                            "the identity request was not sent: " +
                                                text(member(event, "error"), "message")));
  if (!flag(read, "ok")) {
    value["identity"] = nullptr;
    value["identity_problem"] = text(error_of(read), "detail");
  } else {
    value.erase("identity");
    value.erase("identity_problem");
    value.update(member(read, "value"));
  }
  return connected(std::move(state), std::move(value));
}

// ---- connect: with fields, acquire then test (SPEC §6 connect) --------------------

json connect_step(const Connector& connector, const json& context, json state, const json& event, int64_t now) {
  const std::string phase = text(state, "phase");
  const std::string type = text(event, "type");
  // The connection as acquired so far (the fields, then what acquire merged).
  json current = context;
  if (member(state, "connection").is_object()) current["connection"] = member(state, "connection");
  auto test = [&](json warnings) {
    json begun = test_begin(connector, current);
    if (!flag(begun, "ok")) return fail_with(std::move(state), error_of(begun));
    state["warnings"] = std::move(warnings);
    if (member(member(begun, "value"), "request").is_null())
      return identify(connector, context, state,
                      json_object("connection", member(current, "connection"), "tested", false, "warnings",
                                  member(state, "warnings")));
    state["phase"] = "testing";
    return step_answer(std::move(state), json::array({send_effect(begun, "test")}));
  };

  if (type == "start") {
    state["previous"] = member(event, "previous");
    json begun = connect_begin(connector, context, now);
    if (!flag(begun, "ok")) return fail_with(std::move(state), error_of(begun));
    const json& value = member(begun, "value");
    if (member(value, "step") != "acquire") return test(json::array());
    state["phase"] = "acquiring";
    return step_answer(std::move(state), json::array({send_effect(begun, "acquire")}));
  }
  if (phase == "acquiring" && type == "response") {
    json finished = connect_finish(connector, with_steps(context, state), member(event, "response"), now);
    state.erase("steps");
    if (!flag(finished, "ok")) return fail_with(std::move(state), error_of(finished));
    if (more_steps(finished)) return next_step(std::move(state), finished, "acquire");
    state["connection"] = member(member(finished, "value"), "connection");
    if (member(member(finished, "value"), "owner_id").is_string())
      state["owner_id"] = member(member(finished, "value"), "owner_id");
    current["connection"] = state["connection"];
    return test(member(member(finished, "value"), "warnings"));
  }
  if (phase == "testing" && type == "response") {
    // The credentials are as fresh as they get: a refusal is final.
    json finished = test_finish(connector, current, member(event, "response"), true);
    if (!flag(finished, "ok")) return fail_with(std::move(state), error_of(finished));
    const json& value = member(finished, "value");
    if (member(value, "outcome") != "ok")
      return fail_with(std::move(state), json_object("code", "credentials_rejected", "cause", "credentials_rejected",
                                                     "message", "the provider rejected the new credentials", "detail",
                                                     "the test asked for a refresh right after connecting"));
    json result = json_object("connection", member(current, "connection"), "tested", true, "warnings",
                              member(state, "warnings"));
    if (member(value, "identity").is_string()) result["identity"] = member(value, "identity");
    if (member(state, "owner_id").is_string()) result["owner_id"] = member(state, "owner_id");
    return identify(connector, context, std::move(state), std::move(result));
  }
  if (phase == "identifying" && (type == "response" || type == "failed"))
    return identified(connector, context, std::move(state), event);
  return error_envelope("/event/type", "is not expected by a connect operation in phase " + phase);
}

// ---- exchange: the oauth2 callback and the code exchange (SPEC §3) ---------------

json exchange_step(const Connector& connector, const json& context, json state, const json& event, int64_t now) {
  const std::string phase = text(state, "phase");
  const std::string type = text(event, "type");
  if (type == "start") {
    // The callback is checked against the pending record before anything is sent.
    json callback = authorize_callback(connector, context, member(event, "pending"), member(event, "params"), now);
    if (!flag(callback, "ok")) return fail_with(std::move(state), error_of(callback));
    state["previous"] = member(event, "previous");
    state["phase"] = "exchanging";
    state["flow"] = member(member(callback, "value"), "flow");
    return step_answer(std::move(state), json::array({send_effect(callback, "token")}));
  }
  if (phase == "exchanging" && type == "response") {
    json flowing = with_steps(context, state);
    flowing["flow"] = member(state, "flow");
    json finished = authorize_finish(connector, flowing, member(event, "response"), now);
    state.erase("steps");
    if (flag(finished, "ok") && more_steps(finished)) return next_step(std::move(state), finished, "token");
    state.erase("flow");  // the code and the verifier are spent
    if (!flag(finished, "ok")) return fail_with(std::move(state), error_of(finished));
    return identify(connector, context, std::move(state), member(finished, "value"));
  }
  if (phase == "identifying" && (type == "response" || type == "failed"))
    return identified(connector, context, std::move(state), event);
  return error_envelope("/event/type", "is not expected by an exchange operation in phase " + phase);
}

}  // namespace

json connection_step(const Connector* connector, const json& context, const json& state_in, const json& event,
                     int64_t now) {
  if (!event.is_object() || !member(event, "type").is_string())
    return error_envelope("/event", "must be an object with a string type");
  json state = state_in.is_object() ? state_in : json::object();
  std::string op = text(state, "op");
  if (member(event, "type") == "start") {
    op = text(event, "op");
    if (op != "use" && op != "renew" && op != "check" && op != "connect" && op != "exchange")
      return error_envelope("/event/op", "must be use, renew, check, connect or exchange");
    state = machine(op.c_str(), "started");
  } else if (op.empty()) {
    return error_envelope("/state", "has no operation: start one first");
  }
  if (text(state, "phase") == "recording") {
    if (member(event, "type") != "recorded") return error_envelope("/event/type", "must be recorded");
    // "Check connection" answers whatever the outcome: the host shows the stored state.
    if (op == "check") return done_with(std::move(state), json_object("outcome", "failed"));
    json error = failure_from_state(member(event, "state"), member(state, "pending"), now, flag(state, "keep_code"));
    return fail_with(std::move(state), std::move(error));
  }
  // A connection being identified is made already: its failure is the identity's (identified).
  if (member(event, "type") == "failed" && text(state, "phase") != "identifying")
    return fail_with(std::move(state), member(event, "error"));
  if (op == "use") return use_step(std::move(state), event);
  if (!connector) return error_envelope("/connector", "is needed by a " + op + " operation");
  if (op == "renew") return renew_step(*connector, context, std::move(state), event, now);
  if (op == "check") return check_step(*connector, context, std::move(state), event);
  if (op == "exchange") return exchange_step(*connector, context, std::move(state), event, now);
  return connect_step(*connector, context, std::move(state), event, now);
}

}  // namespace connauth
