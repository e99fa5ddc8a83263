// The lifecycle of one connection (SPEC §4):
//
//   not_connected ──success──▶ connected ◀──success── degraded
//                                 │  ▲                   │
//                  transient fail │  └───────────────────┤ transient fail (streak < lost_after)
//                                 ▼                      ▼
//                              degraded ──streak ≥ lost_after / permanent fail──▶ lost
//   any ──disconnect/reset──▶ not_connected;  disabled is derived from the app.
//
// Pure transitions over a value: the host loads the state, calls one of the
// record_* functions with the clock (and, for failures, a random fraction for
// the jitter) and stores the result. Nothing here reads a clock or an RNG.
#pragma once

#include "json.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "diagnosis.h"
#include "result.h"

namespace connauth {

enum class Status { NotConnected, Connected, Degraded, Lost, Disabled };
const char* to_string(Status status);
std::optional<Status> status_from_string(std::string_view name);

// One status change (SPEC §4: time, cause and detail; never a token or
// secret: details are written by the engine, not copied from responses).
struct HistoryEntry {
  int64_t at = 0;
  Status from = Status::NotConnected;
  Status to = Status::NotConnected;
  std::optional<Cause> cause;
  std::string detail;
};

struct ConnectionState {
  Status status = Status::NotConnected;  // never Disabled: see effective_status()
  std::optional<Cause> cause;            // degraded/lost: why
  std::string detail;                    // degraded/lost: what was seen (status, error code)
  int failure_streak = 0;                // consecutive failures since the last success
  std::optional<int64_t> next_retry_at;  // degraded: when the host may retry on its own
  std::optional<int64_t> last_success_at;
  std::optional<int64_t> last_working_version;  // connector version of the last success
  std::vector<HistoryEntry> history;            // oldest first, at most kHistoryLimit
};

// Oldest entries are dropped beyond this: the state is stored per connection
// and read on every connection view, so it must stay small.
constexpr size_t kHistoryLimit = 50;

// Tunables, with their defaults. A host reads them from the app (see
// lifecycle_policy_from_json) so an admin can tolerate longer outages.
struct LifecyclePolicy {
  // Exponential backoff with full jitter: the n-th consecutive transient
  // failure waits a uniformly random time in [0, min(cap, base * 2^(n-1))).
  int64_t backoff_base = 2;    // seconds
  int64_t backoff_cap = 900;   // 15 minutes
  // SPEC §4: `lost` only after a long streak, so that a maintenance window
  // does not make every user reconnect. The streak counts backoff windows
  // (see record_failure), so 12 failures span windows of 2, 4, ... 512, 900,
  // 900 s: up to 47 minutes of outage (about half that on average with the
  // jitter) before the connection is lost.
  int lost_after = 12;
};

// Reads {"lost_after_failures", "backoff_base_seconds", "backoff_cap_seconds"};
// absent keys keep the defaults, invalid ones are problems at their path.
Result<LifecyclePolicy> lifecycle_policy_from_json(const nlohmann::json& settings,
                                                   const std::string& where = "");

// The delay before retry number `streak` (1 = after the first failure).
// `random_fraction` in [0, 1) comes from the host; values outside are clamped.
int64_t backoff_delay(int streak, double random_fraction, const LifecyclePolicy& policy = {});

// A request or the connection test succeeded: connected, streak cleared, the
// connector version remembered for a later connector_error diagnosis.
ConnectionState record_success(ConnectionState state, int64_t now,
                               std::optional<int64_t> connector_version);

// A request, refresh or test failed with `cause`. Transient causes degrade
// the connection and schedule a retry until the streak reaches
// policy.lost_after; other causes lose it at once. A transient failure seen
// before next_retry_at (concurrent requests during one outage) does not
// lengthen the streak: the streak counts backoff windows, not requests. A connection that never
// connected (not_connected) stays so: the caller shows the diagnosis of the
// attempt instead. A lost connection stays lost: a transient failure keeps
// its cause (an outage says nothing about whether that cause was fixed), a
// permanent one replaces it (it is the newer, more precise reason).
ConnectionState record_failure(ConnectionState state, Cause cause, std::string detail, int64_t now,
                               double random_fraction, const LifecyclePolicy& policy = {});

// The user disconnected, or an admin reset the app (SPEC §5): not_connected.
ConnectionState record_disconnect(ConnectionState state, int64_t now, std::string detail);

// What to show: disabled while the app is disabled (SPEC §4), else the
// stored status. Disabling stores nothing, so enabling restores the status.
Status effective_status(const ConnectionState& state, bool app_enabled);

// Whether a host's background retry of a degraded connection is due.
// "Check connection" ignores this: the host runs the test at once.
bool retry_due(const ConnectionState& state, int64_t now);

nlohmann::json to_json(const ConnectionState& state);
// Reads what to_json wrote; an absent or null state is not_connected.
Result<ConnectionState> connection_state_from_json(const nlohmann::json& j, const std::string& where = "");

}  // namespace connauth
