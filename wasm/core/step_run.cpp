#include "step_run.h"

#include <utility>

#include "connector_request.h"
#include "json_object.h"

namespace connauth {

using nlohmann::json;

namespace {

// `scope` with the earlier steps' answers under `steps` (none: unchanged, so
// a single step renders exactly as it always did).
json with_answers(json scope, const json& answers) {
  if (!answers.empty() && scope.is_object()) scope["steps"] = answers;
  return scope;
}

json token_set_to_json(const TokenSet& t) {
  json out = json_object("access_token", t.access_token, "merge", t.merge, "warnings", t.warnings);
  if (t.refresh_token) out["refresh_token"] = *t.refresh_token;
  if (t.expires_in) out["expires_in"] = *t.expires_in;
  if (t.owner_id) out["owner_id"] = *t.owner_id;
  return out;
}

bool token_set_from_json(const json& j, TokenSet& t) {
  if (!j.is_object()) return false;
  auto text = [&](const char* key, std::optional<std::string>& into) {
    auto it = j.find(key);
    if (it == j.end()) return true;
    if (!it->is_string()) return false;
    into = it->get<std::string>();
    return true;
  };
  std::optional<std::string> access;
  if (!text("access_token", access) || !text("refresh_token", t.refresh_token) || !text("owner_id", t.owner_id))
    return false;
  t.access_token = access.value_or("");
  if (auto it = j.find("expires_in"); it != j.end()) {
    if (!it->is_number_integer()) return false;
    t.expires_in = it->get<int64_t>();
  }
  if (auto it = j.find("merge"); it != j.end()) {
    if (!it->is_object()) return false;
    t.merge = *it;
  }
  if (auto it = j.find("warnings"); it != j.end()) {
    if (!it->is_array()) return false;
    for (const json& w : *it)
      if (w.is_string()) t.warnings.push_back(w.get<std::string>());
  }
  return true;
}

// A later step's yield over the earlier ones'.
void fold(TokenSet& into, TokenSet step) {
  if (!step.access_token.empty()) into.access_token = std::move(step.access_token);
  if (step.refresh_token) into.refresh_token = std::move(step.refresh_token);
  if (step.expires_in) into.expires_in = step.expires_in;
  if (step.owner_id) into.owner_id = std::move(step.owner_id);
  for (auto it = step.merge.begin(); it != step.merge.end(); ++it) into.merge[it.key()] = std::move(it.value());
  for (std::string& w : step.warnings) into.warnings.push_back(std::move(w));
}

}  // namespace

json to_json(const StepRun& run) {
  return json_object("next", run.next, "answers", run.answers, "yielded", token_set_to_json(run.yielded));
}

Result<StepRun> step_run_from_json(const json& value, const std::string& where, size_t steps) {
  const char* shape = "must be the step run the engine answered last ({next, answers, yielded}), passed back as it was";
  if (!value.is_object()) return Result<StepRun>::failure(where, shape);
  StepRun run;
  auto next = value.find("next");
  auto answers = value.find("answers");
  auto yielded = value.find("yielded");
  if (next == value.end() || !next->is_number_integer() || next->get<int64_t>() < 0 || answers == value.end() || !answers->is_object() ||
      yielded == value.end() || !token_set_from_json(*yielded, run.yielded))
    return Result<StepRun>::failure(where, shape);
  run.next = next->get<size_t>();
  if (run.next >= steps)
    return Result<StepRun>::failure(where + "/next", "is not a step of this list; start the operation again");
  run.answers = *answers;
  return Result<StepRun>::success(std::move(run));
}

Result<HttpRequest> build_step_request(const Steps& steps, const StepRun& run, const json& scope,
                                       const std::optional<Template>& base_uri) {
  if (run.next >= steps.size()) return Result<HttpRequest>::failure("", "the steps have all run");
  return build_request(steps[run.next].request, with_answers(scope, run.answers), base_uri);
}

StepProgress read_step_answer(const Steps& steps, StepRun run, const HttpResponse& response, const json& scope,
                              const TokenReading& reading) {
  StepProgress out;
  if (run.next >= steps.size()) {
    TokenFailure f;
    f.error = "malformed_step_run";
    f.description = "the steps have all run";
    out.read = TokenResult::fail(std::move(f));
    return out;
  }
  const Step& step = steps[run.next];
  const bool last = run.next + 1 == steps.size();
  // A named step's answer is readable by its own mappings and by later steps.
  if (!step.name.empty()) {
    json answer = response_scope(json::object(), response);
    answer.erase("status");
    run.answers[step.name] = std::move(answer);
  }
  TokenReading step_reading = reading;
  if (!last) step_reading.default_expires_in.reset();  // the run's end applies it
  TokenResult read = read_step_response(response, step, with_answers(scope, run.answers), step_reading);
  if (!read.ok()) {
    out.read = std::move(read);
    return out;
  }
  fold(run.yielded, std::move(*read.tokens));
  if (!last) {
    ++run.next;
    out.next = std::move(run);
    return out;
  }
  TokenSet& all = run.yielded;
  if (!all.expires_in) all.expires_in = reading.default_expires_in;
  if (reading.access_token_required && all.access_token.empty()) {
    TokenFailure f;
    f.error = "missing_access_token";
    f.description = "no step up to " + step.where +
                    " yielded response.access_token, which oauth2 needs (they all say \"tokens\": false)";
    f.status = response.status;
    out.read = TokenResult::fail(std::move(f));
    return out;
  }
  out.read = TokenResult::success(std::move(all));
  return out;
}

}  // namespace connauth
