// Running `acquire` or a custom `refresh` (SPEC §2.3, §10): one step or a
// list of steps, one request at a time. The engine builds a step's request,
// the host sends it and hands back the answer, and reading it gives either
// the next step's request or what the steps yielded together.
//
// Between steps the run carries the named steps' answers (later steps read
// them as steps.<name>.response / .response_headers) and what earlier steps
// yielded. Both may hold secrets (a session id, a token): the host keeps the
// run in memory for the one operation, passes it back untouched and never
// stores or logs it (docs/security.md). Unnamed steps' answers are not kept.
#pragma once

#include "json.h"

#include <cstddef>
#include <optional>
#include <string>

#include "connector.h"
#include "http.h"
#include "result.h"
#include "token_response.h"

namespace connauth {

struct StepRun {
  size_t next = 0;                                    // the step whose request is out
  nlohmann::json answers = nlohmann::json::object();  // name -> {"response", "response_headers"}
  TokenSet yielded;                                   // by the steps before `next`
};

// The run as the host passes it back: {"next", "answers", "yielded"}.
nlohmann::json to_json(const StepRun& run);
// Checks the shape and that `next` is a step of a list of `steps`. Problems at `where`.
Result<StepRun> step_run_from_json(const nlohmann::json& value, const std::string& where, size_t steps);

// The request of the run's next step, rendered against `scope` plus the
// earlier steps' answers.
Result<HttpRequest> build_step_request(const Steps& steps, const StepRun& run, const nlohmann::json& scope,
                                       const std::optional<Template>& base_uri);

// What one answer leads to: the run goes on with `next` (build its request),
// or, when `next` is empty, `read` is the outcome of the whole list.
struct StepProgress {
  std::optional<StepRun> next;
  TokenResult read;
};

// Reads the answer to the run's next step (read_step_response). A failed
// step ends the run. The last step's answer ends it with the tokens and
// values all steps yielded: merges accumulate, and a later step's tokens,
// expiry and owner_id replace an earlier one's. The app's default lifetime
// applies when no step gave an expiry; `reading.access_token_required`
// fails a run that yielded no access token.
StepProgress read_step_answer(const Steps& steps, StepRun run, const HttpResponse& response,
                              const nlohmann::json& scope, const TokenReading& reading);

}  // namespace connauth
