#include "connection_state.h"

#include <algorithm>
#include <cmath>

#include "json_object.h"

namespace connauth {

using nlohmann::json;

namespace {

constexpr const char* kStatusNames[] = {"not_connected", "connected", "degraded", "lost", "disabled"};

// Moves to `to` and records the change (SPEC §4: every status change, with
// time, cause and detail). A change of cause within lost is recorded too:
// it is what the user reads to know why.
void change(ConnectionState& state, Status to, std::optional<Cause> cause, std::string detail,
            int64_t now) {
  bool changed = state.status != to || state.cause != cause;
  if (changed) {
    state.history.push_back(HistoryEntry{now, state.status, to, cause, detail});
    if (state.history.size() > kHistoryLimit)
      state.history.erase(state.history.begin(),
                          state.history.begin() + (state.history.size() - kHistoryLimit));
  }
  state.status = to;
  state.cause = cause;
  state.detail = std::move(detail);
}

std::optional<int64_t> optional_int(const json& j, const char* key, const std::string& where,
                                    Problems& problems) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) {
    add_problem(problems, pointer_append(where, key), "must be an integer");
    return std::nullopt;
  }
  return it->get<int64_t>();
}

std::optional<Cause> optional_cause(const json& j, const char* key, const std::string& where,
                                    Problems& problems) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  std::optional<Cause> cause = it->is_string() ? cause_from_string(it->get<std::string>()) : std::nullopt;
  if (!cause) add_problem(problems, pointer_append(where, key), "must be one of the causes of SPEC §4");
  return cause;
}

std::optional<Status> required_status(const json& j, const char* key, const std::string& where,
                                      Problems& problems) {
  auto it = j.find(key);
  std::optional<Status> status;
  if (it != j.end() && it->is_string()) status = status_from_string(it->get<std::string>());
  if (!status || *status == Status::Disabled)
    add_problem(problems, pointer_append(where, key),
                "must be not_connected, connected, degraded or lost");
  return status;
}

std::string optional_string(const json& j, const char* key, const std::string& where,
                            Problems& problems) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_string()) {
    add_problem(problems, pointer_append(where, key), "must be a string");
    return "";
  }
  return it->get<std::string>();
}

json optional_to_json(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }
json cause_to_json(const std::optional<Cause>& c) { return c ? json(to_string(*c)) : json(nullptr); }

}  // namespace

const char* to_string(Status status) { return kStatusNames[static_cast<int>(status)]; }

std::optional<Status> status_from_string(std::string_view name) {
  for (int i = 0; i < 5; ++i)
    if (name == kStatusNames[i]) return static_cast<Status>(i);
  return std::nullopt;
}

Result<LifecyclePolicy> lifecycle_policy_from_json(const json& settings, const std::string& where) {
  LifecyclePolicy policy;
  if (settings.is_null()) return Result<LifecyclePolicy>::success(policy);
  if (!settings.is_object())
    return Result<LifecyclePolicy>::failure(where, "must be an object of lifecycle settings");
  Problems problems;
  // Not generic over the member's type: one copy of the reader, not one per
  // integer type (module size).
  auto read = [&](const char* key, int64_t min, int64_t max, int64_t current) {
    auto it = settings.find(key);
    if (it == settings.end() || it->is_null()) return current;
    if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > max) {
      add_problem(problems, pointer_append(where, key),
                  "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
      return current;
    }
    return it->get<int64_t>();
  };
  policy.lost_after = static_cast<int>(read("lost_after_failures", 1, 1000, policy.lost_after));
  policy.backoff_base = read("backoff_base_seconds", 1, 86400, policy.backoff_base);
  policy.backoff_cap = read("backoff_cap_seconds", 1, 7 * 86400, policy.backoff_cap);
  if (!problems.empty()) return Result<LifecyclePolicy>::failure(std::move(problems));
  return Result<LifecyclePolicy>::success(policy);
}

int64_t backoff_delay(int streak, double random_fraction, const LifecyclePolicy& policy) {
  // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
  // spreading retries over the whole window keeps many connections of one
  // app from hitting a recovering provider at the same second.
  int64_t window = std::max<int64_t>(policy.backoff_base, 1);
  for (int i = 1; i < streak && window < policy.backoff_cap; ++i) window *= 2;
  window = std::min(window, policy.backoff_cap);
  double fraction = std::isfinite(random_fraction) ? std::clamp(random_fraction, 0.0, 1.0) : 1.0;
  int64_t delay = static_cast<int64_t>(std::floor(fraction * static_cast<double>(window)));
  return std::min(delay, window);
}

ConnectionState record_success(ConnectionState state, int64_t now,
                               std::optional<int64_t> connector_version) {
  change(state, Status::Connected, std::nullopt, "", now);
  state.failure_streak = 0;
  state.next_retry_at.reset();
  state.last_success_at = now;
  if (connector_version) state.last_working_version = connector_version;
  return state;
}

ConnectionState record_failure(ConnectionState state, Cause cause, std::string detail, int64_t now,
                               double random_fraction, const LifecyclePolicy& policy) {
  switch (state.status) {
    case Status::NotConnected:
    case Status::Disabled:
      return state;
    case Status::Lost:
      // Keep the first cause (a later outage does not show it was fixed),
      // unless this failure is a permanent one that says more.
      ++state.failure_streak;
      if (!is_transient(cause)) change(state, Status::Lost, cause, std::move(detail), now);
      return state;
    case Status::Connected:
    case Status::Degraded:
      break;
  }
  if (!is_transient(cause)) {
    ++state.failure_streak;
    state.next_retry_at.reset();
    change(state, Status::Lost, cause, std::move(detail), now);
    return state;
  }
  bool within_window = state.status == Status::Degraded && state.next_retry_at && now < *state.next_retry_at;
  if (within_window) {
    state.detail = std::move(detail);
    return state;
  }
  ++state.failure_streak;
  if (state.failure_streak >= policy.lost_after) {
    state.next_retry_at.reset();
    change(state, Status::Lost, cause, std::move(detail), now);
    return state;
  }
  state.next_retry_at = now + backoff_delay(state.failure_streak, random_fraction, policy);
  change(state, Status::Degraded, cause, std::move(detail), now);
  return state;
}

ConnectionState record_disconnect(ConnectionState state, int64_t now, std::string detail) {
  change(state, Status::NotConnected, std::nullopt, std::move(detail), now);
  state.detail.clear();
  state.failure_streak = 0;
  state.next_retry_at.reset();
  return state;
}

Status effective_status(const ConnectionState& state, bool app_enabled) {
  return app_enabled ? state.status : Status::Disabled;
}

bool retry_due(const ConnectionState& state, int64_t now) {
  return state.status == Status::Degraded && (!state.next_retry_at || now >= *state.next_retry_at);
}

json to_json(const ConnectionState& state) {
  json history = json::array();
  for (const auto& e : state.history) {
    json entry = json_object("at", e.at, "from", to_string(e.from), "to", to_string(e.to),
                             "cause", cause_to_json(e.cause));
    entry["detail"] = e.detail;
    history.push_back(std::move(entry));
  }
  json out = json_object("status", to_string(state.status), "cause", cause_to_json(state.cause),
                         "detail", state.detail, "failure_streak", state.failure_streak);
  out["next_retry_at"] = optional_to_json(state.next_retry_at);
  out["last_success_at"] = optional_to_json(state.last_success_at);
  out["last_working_version"] = optional_to_json(state.last_working_version);
  out["history"] = std::move(history);
  return out;
}

Result<ConnectionState> connection_state_from_json(const json& j, const std::string& where) {
  ConnectionState state;
  if (j.is_null()) return Result<ConnectionState>::success(std::move(state));
  if (!j.is_object()) return Result<ConnectionState>::failure(where, "must be a connection state object");
  Problems problems;
  if (auto status = required_status(j, "status", where, problems)) state.status = *status;
  state.cause = optional_cause(j, "cause", where, problems);
  state.detail = optional_string(j, "detail", where, problems);
  if (auto streak = optional_int(j, "failure_streak", where, problems)) {
    if (*streak < 0 || *streak > 1000000)
      add_problem(problems, pointer_append(where, "failure_streak"), "must be from 0 to 1000000");
    else
      state.failure_streak = static_cast<int>(*streak);
  }
  state.next_retry_at = optional_int(j, "next_retry_at", where, problems);
  state.last_success_at = optional_int(j, "last_success_at", where, problems);
  state.last_working_version = optional_int(j, "last_working_version", where, problems);
  if (auto it = j.find("history"); it != j.end() && !it->is_null()) {
    std::string at = pointer_append(where, "history");
    if (!it->is_array()) {
      add_problem(problems, at, "must be an array");
    } else {
      for (size_t i = 0; i < it->size(); ++i) {
        const json& e = (*it)[i];
        std::string ep = pointer_append(at, i);
        if (!e.is_object()) {
          add_problem(problems, ep, "must be an object {at, from, to, cause, detail}");
          continue;
        }
        HistoryEntry entry;
        entry.at = optional_int(e, "at", ep, problems).value_or(0);
        if (auto from = required_status(e, "from", ep, problems)) entry.from = *from;
        if (auto to = required_status(e, "to", ep, problems)) entry.to = *to;
        entry.cause = optional_cause(e, "cause", ep, problems);
        entry.detail = optional_string(e, "detail", ep, problems);
        state.history.push_back(std::move(entry));
      }
      if (state.history.size() > kHistoryLimit)
        state.history.erase(state.history.begin(),
                            state.history.begin() + (state.history.size() - kHistoryLimit));
    }
  }
  if (!problems.empty()) return Result<ConnectionState>::failure(std::move(problems));
  return Result<ConnectionState>::success(std::move(state));
}

}  // namespace connauth
