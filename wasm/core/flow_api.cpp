// Thin by design: each function reads its JSON arguments, calls the unit that
// holds the logic (authorization_flow, refresh, connection_check,
// token_response, connection_state) and shapes the answer.
#include "flow_api.h"

#include <exception>
#include <optional>

#include "authorization_flow.h"
#include "connection_state.h"
#include "connection_check.h"
#include "connector_request.h"
#include "context.h"
#include "diagnosis.h"
#include "identity.h"
#include "json_io.h"
#include "json_object.h"
#include "refresh.h"
#include "step_run.h"
#include "token_request.h"
#include "token_response.h"

namespace connauth {

using nlohmann::json;

namespace {

// No exception may leave the facade (flow_api.h); the core does not throw on
// purpose, so this only catches the unforeseen (allocation failure).
// The handlers exist once: `guarded` only passes its lambda through a plain
// function pointer. As a template, each of the 16 entry points would have
// its own copy of them.
using FlowThunk = json (*)(const void*);

[[gnu::noinline]] json guarded_call(FlowThunk thunk, const void* f) {
  try {
    return thunk(f);
  } catch (const std::exception&) {
    return error_envelope("", "internal error while running the flow; the input may be too large");
  } catch (...) {
    return error_envelope("", "internal error while running the flow");
  }
}

template <class F>
json guarded(const F& f) {
  return guarded_call([](const void* p) -> json { return (*static_cast<const F*>(p))(); }, &f);
}

const json& member_or_null(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::optional<int64_t> optional_int(const json& j) {
  if (j.is_number_integer()) return j.get<int64_t>();
  return std::nullopt;
}

std::optional<int64_t> app_int(const json& context, const char* key) {
  std::optional<int64_t> v = optional_int(member_or_null(member_or_null(context, "app"), key));
  if (v && *v < 0) return std::nullopt;
  return v;
}

std::optional<std::string> app_string(const json& context, const char* key) {
  const json& v = member_or_null(member_or_null(context, "app"), key);
  if (v.is_string() && !v.get_ref<const std::string&>().empty()) return v.get<std::string>();
  return std::nullopt;
}

std::optional<int64_t> last_working_version(const json& context) {
  return optional_int(member_or_null(member_or_null(context, "state"), "last_working_version"));
}

// The user's own stored hash (never the scope's, which holds app settings).
json stored_connection(const json& context) {
  const json& c = member_or_null(context, "connection");
  return c.is_object() ? c : json::object();
}

json failure_envelope(const std::string& code, std::optional<Cause> cause, const std::string& message,
                      const std::string& detail, const json& context, const Problems& problems = {}) {
  json error = json_object("code", code, "cause", cause ? json(to_string(*cause)) : json(nullptr));
  if (cause) {
    Diagnosis d = diagnose(*cause, last_working_version(context));
    error["message"] = message.empty() ? d.message : message;
    error["action"] = d.action;
  } else {
    error["message"] = message;
    error["action"] = "Start connecting again from the app.";
  }
  error["detail"] = detail;
  if (!problems.empty()) error["problems"] = error_envelope(problems)["errors"];
  json out = json_object("ok", false, "error", std::move(error));
  if (!problems.empty()) out["errors"] = out["error"]["problems"];
  return out;
}

json token_failure_envelope(const TokenFailure& failure, const json& context) {
  return failure_envelope(failure.error, failure.cause, "", failure.detail(), context);
}

// SPEC §4: a template value missing while building a connector request is a
// connector_error; the problems say which.
json build_failure_envelope(const Problems& problems, const json& context) {
  std::string detail = problems.empty() ? "" : problems.front().path + ": " + problems.front().message;
  return failure_envelope("missing_value", Cause::ConnectorError, "", detail, context, problems);
}

Result<QueryParams> callback_params(const json& params, const std::string& where) {
  if (params.is_string()) {
    std::string_view query = params.get_ref<const std::string&>();
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    return Result<QueryParams>::success(parse_query(query));
  }
  QueryParams out;
  if (params.is_object()) {
    for (auto it = params.begin(); it != params.end(); ++it) {
      if (it->is_string()) {
        out.emplace_back(it.key(), it->get<std::string>());
      } else if (it->is_array()) {  // a repeated parameter, as URLSearchParams.getAll gives it
        for (const json& v : *it)
          if (v.is_string()) out.emplace_back(it.key(), v.get<std::string>());
      }
    }
    return Result<QueryParams>::success(std::move(out));
  }
  if (params.is_array()) {
    for (size_t i = 0; i < params.size(); ++i) {
      const json& pair = params[i];
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
        return Result<QueryParams>::failure(pointer_append(where, i), "must be a [name, value] pair of strings");
      out.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
    return Result<QueryParams>::success(std::move(out));
  }
  return Result<QueryParams>::failure(where, "must be the callback query: a string, an object or [name, value] pairs");
}

// What each *_finish starts from: the host's response to the request that
// the matching *_begin built, and the connector resolved against the
// context; or, in `answer`, the envelope to give instead (a malformed
// response, none because the provider was unreachable, a context that does
// not resolve). One copy of these checks instead of four.
struct FinishInput {
  json answer;  // not null: return it
  HttpResponse response;
  ConnectionContext resolved;
};

FinishInput finish_input(const Connector& connector, const json& context, const json& response_json) {
  FinishInput in;
  const json& network_error = member_or_null(response_json, "network_error");
  if (!network_error.is_null()) {
    in.answer = token_failure_envelope(
        unreachable_failure(network_error.is_string() ? network_error.get<std::string>() : ""), context);
    return in;
  }
  auto response = response_from_json(response_json, "/response");
  if (!response.ok()) {
    in.answer = error_envelope(response.errors);
    return in;
  }
  auto resolved = resolve_context(connector, context);
  if (!resolved.ok()) {
    in.answer = error_envelope(resolved.errors);
    return in;
  }
  in.response = std::move(*response.value);
  in.resolved = std::move(*resolved.value);
  return in;
}

json update_envelope(const ConnectionUpdate& update, const json& context) {
  if (!update.ok()) return token_failure_envelope(*update.failure, context);
  json value = json_object("connection", *update.connection, "warnings", update.warnings);
  if (update.owner_id) value["owner_id"] = *update.owner_id;
  return ok_envelope(std::move(value));
}

json state_envelope(const ConnectionState& state) { return ok_envelope(to_json(state)); }

// The run of a list of steps the host passed back as context.steps
// (step_run.h); a fresh run without it.
Result<StepRun> step_run_of(const json& context, size_t steps) {
  const json& run = member_or_null(context, "steps");
  if (run.is_null()) return Result<StepRun>::success(StepRun{});
  return step_run_from_json(run, "/context/steps", steps);
}

// A run that goes on: the next step's request, and the run to pass back as
// context.steps to the same *_finish with its answer.
json next_step_envelope(const Steps& steps, const StepRun& run, const Connector& connector, const json& context,
                        const char* step, const json& scope) {
  auto request = build_step_request(steps, run, scope, connector.base_uri);
  if (!request.ok()) return build_failure_envelope(request.errors, context);
  return ok_envelope(json_object("step", step, "request", request_to_json(*request.value), "steps", to_json(run)));
}

}  // namespace

// ---- oauth2 authorization code ----------------------------------------------

json authorize_begin(const Connector& connector, const json& context, const std::string& random_bytes_hex,
                     int64_t now) {
  return guarded([&] {
    auto resolved = resolve_context(connector, context);
    if (!resolved.ok()) return error_envelope(resolved.errors);
    std::optional<std::string> bytes = hex_decode(random_bytes_hex);
    if (!bytes) return error_envelope("/random_bytes", "must be hex digits (two per byte) from the host's CSPRNG");
    auto start = begin_authorization(*resolved.value->authorization, resolved.value->scope, *bytes, now);
    if (!start.ok()) return error_envelope(start.errors);
    return ok_envelope(json_object("url", start.value->url,
                                   "pending", to_json(start.value->pending),
                                   "noopener", resolved.value->authorization->oauth2.noopener));
  });
}

json authorize_callback(const Connector& connector, const json& context, const json& pending_json,
                        const json& params_json, int64_t now) {
  return guarded([&] {
    auto pending = pending_from_json(pending_json, "/pending");
    if (!pending.ok()) return error_envelope(pending.errors);
    auto params = callback_params(params_json, "/params");
    if (!params.ok()) return error_envelope(params.errors);
    auto resolved = resolve_context(connector, context);
    if (!resolved.ok()) return error_envelope(resolved.errors);
    CallbackResult callback = verify_callback(*params.value, *pending.value, app_string(context, "issuer"), now);
    if (!callback.ok())
      return failure_envelope(callback.error->code, callback.error->cause, callback.error->message,
                              callback.error->code, context);
    // Every parameter of the checked callback, as `callback.<name>` for the
    // exchange and its mappings: some providers answer values there
    // (QuickBooks' realmId, Zoho's accounts-server).
    json answered = json::object();
    for (const auto& [name, value] : *params.value) answered.emplace(name, value);
    json scope = exchange_scope(resolved.value->scope, *callback.code, *pending.value);
    scope["callback"] = answered;
    auto request = build_code_exchange(*resolved.value->authorization, scope, connector.base_uri);
    if (!request.ok()) return build_failure_envelope(request.errors, context);
    json flow = json_object("code", *callback.code, "state", pending.value->state,
                            "redirect_uri", pending.value->redirect_uri, "callback", std::move(answered));
    if (!pending.value->verifier.empty()) flow["verifier"] = pending.value->verifier;
    return ok_envelope(json_object("request", request_to_json(*request.value), "flow", std::move(flow)));
  });
}

namespace {

// SPEC §2.2 `identity` (e.g. the account's e-mail), rendered against
// `connection` as it now is and `extra` scope keys (`id_token`); absent
// when the template has no value yet.
std::optional<std::string> identity_of(const Connector& connector, const json& context, const json& connection,
                                       const json& extra = json::object()) {
  json after = context;
  after["connection"] = connection;
  after.erase("flow");
  auto resolved = resolve_context(connector, after);
  if (!resolved.ok()) return std::nullopt;
  json scope = std::move(resolved.value->scope);
  if (scope.is_object()) scope.update(extra);
  return render_identity(*resolved.value->authorization, scope);
}

// Adds "identity" to a successful connection update's envelope.
json with_identity(const Connector& connector, const json& context, const ConnectionUpdate& update, json out) {
  if (!update.ok()) return out;
  if (auto identity = identity_of(connector, context, *update.connection)) out["value"]["identity"] = *identity;
  return out;
}

}  // namespace

json authorize_finish(const Connector& connector, const json& context, const json& response_json, int64_t now) {
  return guarded([&] {
    FinishInput in = finish_input(connector, context, response_json);
    if (!in.answer.is_null()) return std::move(in.answer);
    const Authorization& auth = *in.resolved.authorization;
    auto run = step_run_of(context, auth.acquire.size());
    if (!run.ok()) return error_envelope(run.errors);
    AuthorizationProgress progress = finish_authorization(auth, in.resolved.scope, stored_connection(context),
                                                          in.response, now, app_int(context, "default_expires_in"),
                                                          std::move(*run.value));
    if (progress.next)
      return next_step_envelope(auth.acquire, *progress.next, connector, context, "token", in.resolved.scope);
    const ConnectionUpdate& update = progress.update;
    json out = update_envelope(update, context);
    if (!update.ok()) return out;
    json& value = out["value"];
    value["scope"] = granted_scope(in.response, requested_scopes(auth.oauth2, in.resolved.scope));
    // An identity request answers later (the connection loop sends it).
    if (auth.identity_request) return out;
    IdTokenClaims id_token = read_id_token(in.response);
    json extra = json::object();
    if (id_token.claims.is_object()) extra["id_token"] = std::move(id_token.claims);
    if (auto identity = identity_of(connector, context, *update.connection, extra)) {
      value["identity"] = *identity;
    } else if (auth.identity) {
      // SPEC §10: the connection connects; that its account is unknown is said.
      value["identity_problem"] = !id_token.problem.empty()
                                      ? id_token.problem
                                      : auth.identity->where() + ": has no value in this connection";
    }
    return out;
  });
}

// ---- refresh -----------------------------------------------------------------

json refresh_needed(const json& context, int64_t now) {
  return guarded([&] {
    int64_t buffer = app_int(context, "refresh_buffer").value_or(kDefaultRefreshBuffer);
    return ok_envelope(needs_refresh(stored_connection(context), now, buffer));
  });
}

json refresh_deadline(const json& context) {
  return guarded([&] {
    int64_t buffer = app_int(context, "refresh_buffer").value_or(kDefaultRefreshBuffer);
    std::optional<int64_t> deadline = connauth::refresh_deadline(stored_connection(context), buffer);
    return ok_envelope(deadline ? json(*deadline) : json(nullptr));
  });
}

json refresh_begin(const Connector& connector, const json& context, int64_t /*now*/) {
  return guarded([&] {
    auto resolved = resolve_context(connector, context);
    if (!resolved.ok()) return error_envelope(resolved.errors);
    auto plan = build_refresh_request(*resolved.value->authorization, resolved.value->scope, connector.base_uri);
    if (!plan.ok()) return build_failure_envelope(plan.errors, context);
    if (plan.value->cannot)
      return failure_envelope(plan.value->cannot->code, plan.value->cannot->cause, plan.value->cannot->message,
                              plan.value->cannot->code, context);
    return ok_envelope(json_object("request", request_to_json(*plan.value->request)));
  });
}

json refresh_finish(const Connector& connector, const json& context, const json& response_json, int64_t now) {
  return guarded([&] {
    FinishInput in = finish_input(connector, context, response_json);
    if (!in.answer.is_null()) return std::move(in.answer);
    const Authorization& auth = *in.resolved.authorization;
    RefreshReading r = refresh_reading(auth, app_int(context, "default_expires_in"));
    if (!r.steps)
      return update_envelope(read_refresh_response(auth, in.resolved.scope, stored_connection(context), in.response,
                                                   now, app_int(context, "default_expires_in")),
                             context);
    auto run = step_run_of(context, r.steps->size());
    if (!run.ok()) return error_envelope(run.errors);
    StepProgress progress = read_step_answer(*r.steps, std::move(*run.value), in.response, in.resolved.scope, r.reading);
    if (progress.next) return next_step_envelope(*r.steps, *progress.next, connector, context, "refresh", in.resolved.scope);
    return update_envelope(update_connection(progress.read, stored_connection(context), now, TokenStore::Refresh),
                           context);
  });
}

json request_next_step(const std::string& classification, bool refreshed) {
  return guarded([&] {
    std::optional<Action> action;
    for (Action a : {Action::Ok, Action::Refresh, Action::Error})
      if (classification == to_string(a)) action = a;
    if (!action) return error_envelope("/classification", "must be ok, refresh or error");
    NextStep next = next_step(*action, refreshed);
    return ok_envelope(json_object("next", next == NextStep::RefreshAndRetry ? "refresh_and_retry" : "deliver"));
  });
}

// ---- connect and check -----------------------------------------------------------

json test_begin(const Connector& connector, const json& context) {
  return guarded([&] {
    auto resolved = resolve_context(connector, context);
    if (!resolved.ok()) return error_envelope(resolved.errors);
    auto request = build_test_request(connector, *resolved.value->authorization, resolved.value->scope,
                                      resolved.value->stamp);
    if (!request.ok()) return build_failure_envelope(request.errors, context);
    return ok_envelope(json_object("request", *request.value ? request_to_json(**request.value) : json(nullptr)));
  });
}

json connect_begin(const Connector& connector, const json& context, int64_t /*now*/) {
  return guarded([&] {
    auto resolved = resolve_context(connector, context);
    if (!resolved.ok()) return error_envelope(resolved.errors);
    const Authorization& auth = *resolved.value->authorization;
    if (auth.type == AuthType::OAuth2)
      return error_envelope(auth.where + "/type", "is oauth2: connect through authorize_begin (the consent page)");
    if (!auth.acquire.empty()) {
      auto request = build_step_request(auth.acquire, StepRun{}, resolved.value->scope, connector.base_uri);
      if (!request.ok()) return build_failure_envelope(request.errors, context);
      return ok_envelope(json_object("step", "acquire", "request", request_to_json(*request.value)));
    }
    auto request = build_test_request(connector, auth, resolved.value->scope, resolved.value->stamp);
    if (!request.ok()) return build_failure_envelope(request.errors, context);
    if (!*request.value) return ok_envelope(json_object("step", "done"));
    return ok_envelope(json_object("step", "test", "request", request_to_json(**request.value)));
  });
}

json connect_finish(const Connector& connector, const json& context, const json& response_json, int64_t now) {
  return guarded([&] {
    FinishInput in = finish_input(connector, context, response_json);
    if (!in.answer.is_null()) return std::move(in.answer);
    const Authorization& auth = *in.resolved.authorization;
    if (auth.acquire.empty()) return error_envelope(auth.where, "has no acquire step to finish");
    TokenReading reading;
    reading.grant = TokenGrant::Credentials;
    reading.default_expires_in = app_int(context, "default_expires_in");
    reading.access_token_required = false;
    auto run = step_run_of(context, auth.acquire.size());
    if (!run.ok()) return error_envelope(run.errors);
    StepProgress progress = read_step_answer(auth.acquire, std::move(*run.value), in.response, in.resolved.scope, reading);
    if (progress.next) return next_step_envelope(auth.acquire, *progress.next, connector, context, "acquire", in.resolved.scope);
    ConnectionUpdate update = update_connection(progress.read, stored_connection(context), now, TokenStore::NewGrant);
    return with_identity(connector, context, update, update_envelope(update, context));
  });
}

json test_finish(const Connector& connector, const json& context, const json& response_json, bool refreshed) {
  return guarded([&] {
    FinishInput in = finish_input(connector, context, response_json);
    if (!in.answer.is_null()) return std::move(in.answer);
    TestVerdict verdict = read_test_response(*in.resolved.authorization, in.response, refreshed);
    switch (verdict.outcome) {
      case TestVerdict::Outcome::Ok: {
        json out = json_object("outcome", "ok");
        if (auto identity = identity_of(connector, context, stored_connection(context))) out["identity"] = *identity;
        return ok_envelope(std::move(out));
      }
      case TestVerdict::Outcome::Refresh:
        return ok_envelope(json_object("outcome", "refresh"));
      case TestVerdict::Outcome::Failed:
        break;
    }
    Cause cause = verdict.cause.value_or(Cause::ConnectorError);
    return failure_envelope(to_string(cause), cause, "", verdict.detail, context);
  });
}

json identity_begin(const Connector& connector, const json& context) {
  return guarded([&] {
    auto resolved = resolve_context(connector, context);
    if (!resolved.ok()) return error_envelope(resolved.errors);
    auto request = build_identity_request(connector, *resolved.value->authorization, resolved.value->scope,
                                          resolved.value->stamp);
    if (!request.ok()) return build_failure_envelope(request.errors, context);
    return ok_envelope(json_object("request", *request.value ? request_to_json(**request.value) : json(nullptr)));
  });
}

json identity_finish(const Connector& connector, const json& context, const json& response_json) {
  return guarded([&] {
    const json& network_error = member_or_null(response_json, "network_error");
    if (!network_error.is_null())
      return ok_envelope(json_object("identity", nullptr, "identity_problem",
                                     "the identity request got no answer (" +
                                         std::string(network_error.is_string() ? network_error.get<std::string>()
                                                                               : "no response") +
                                         ")"));
    FinishInput in = finish_input(connector, context, response_json);
    if (!in.answer.is_null()) return std::move(in.answer);
    IdentityReading read = read_identity_response(*in.resolved.authorization, in.resolved.scope, in.response);
    if (read.identity) return ok_envelope(json_object("identity", *read.identity));
    return ok_envelope(json_object("identity", nullptr, "identity_problem", read.problem));
  });
}

json connection_identity(const Connector& connector, const json& context) {
  return guarded([&] {
    auto resolved = resolve_context(connector, context);
    if (!resolved.ok()) return error_envelope(resolved.errors);
    auto identity = render_identity(*resolved.value->authorization, resolved.value->scope);
    return ok_envelope(identity ? json(*identity) : json(nullptr));
  });
}

// ---- revocation ------------------------------------------------------------------

json revoke_begin(const Connector& connector, const json& context) {
  return guarded([&] {
    auto resolved = resolve_context(connector, context);
    if (!resolved.ok()) return error_envelope(resolved.errors);
    auto request = build_revocation_request(*resolved.value->authorization, resolved.value->scope, connector.base_uri);
    if (!request.ok()) return build_failure_envelope(request.errors, context);
    return ok_envelope(json_object("request", *request.value ? request_to_json(**request.value) : json(nullptr)));
  });
}

// ---- connection state ----------------------------------------------------------

json state_success(const json& state_json, int64_t now, const json& connector_version) {
  return guarded([&] {
    auto state = connection_state_from_json(state_json, "/state");
    if (!state.ok()) return error_envelope(state.errors);
    if (!connector_version.is_null() && !connector_version.is_number_integer())
      return error_envelope("/connector_version", "must be the connector version number, or null");
    return state_envelope(record_success(std::move(*state.value), now, optional_int(connector_version)));
  });
}

json state_failure(const json& state_json, const std::string& cause_code, const std::string& detail, int64_t now,
                   double random_fraction, const json& settings) {
  return guarded([&] {
    auto state = connection_state_from_json(state_json, "/state");
    if (!state.ok()) return error_envelope(state.errors);
    std::optional<Cause> cause = cause_from_string(cause_code);
    if (!cause)
      return error_envelope("/cause", "must be provider_unavailable, authorization_revoked, credentials_rejected, "
                                      "client_misconfigured or connector_error");
    auto policy = lifecycle_policy_from_json(settings, "/settings");
    if (!policy.ok()) return error_envelope(policy.errors);
    return state_envelope(
        record_failure(std::move(*state.value), *cause, detail, now, random_fraction, *policy.value));
  });
}

json state_disconnect(const json& state_json, int64_t now, const std::string& detail) {
  return guarded([&] {
    auto state = connection_state_from_json(state_json, "/state");
    if (!state.ok()) return error_envelope(state.errors);
    return state_envelope(record_disconnect(std::move(*state.value), now, detail));
  });
}

json state_view(const json& state_json, bool app_enabled) {
  return guarded([&] {
    auto state = connection_state_from_json(state_json, "/state");
    if (!state.ok()) return error_envelope(state.errors);
    const ConnectionState& s = *state.value;
    json full = to_json(s);
    json view = json_object("status", to_string(effective_status(s, app_enabled)),
                            "next_retry_at", full["next_retry_at"],
                            "last_success_at", full["last_success_at"],
                            "history", full["history"]);
    if (s.cause && (s.status == Status::Lost || s.status == Status::Degraded)) {
      Diagnosis d = diagnose(*s.cause, s.last_working_version);
      view[s.status == Status::Lost ? "lost" : "degraded"] =
          json_object("cause", d.code, "message", d.message, "action", d.action, "detail", s.detail);
    }
    return ok_envelope(std::move(view));
  });
}

}  // namespace connauth
