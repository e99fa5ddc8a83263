#include "connection_state.h"

#include <gtest/gtest.h>

namespace connauth {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1700000000;

ConnectionState connected_at(int64_t now, int64_t version = 3) {
  return record_success(ConnectionState{}, now, version);
}

TEST(ConnectionState, FirstSuccessConnectsAndRecordsHistory) {
  ConnectionState s = record_success(ConnectionState{}, kNow, 3);
  EXPECT_EQ(s.status, Status::Connected);
  EXPECT_EQ(s.failure_streak, 0);
  EXPECT_EQ(s.last_success_at, kNow);
  EXPECT_EQ(s.last_working_version, 3);
  ASSERT_EQ(s.history.size(), 1u);
  EXPECT_EQ(s.history[0].at, kNow);
  EXPECT_EQ(s.history[0].from, Status::NotConnected);
  EXPECT_EQ(s.history[0].to, Status::Connected);
  EXPECT_EQ(s.history[0].cause, std::nullopt);
}

TEST(ConnectionState, RepeatedSuccessAddsNoHistory) {
  ConnectionState s = record_success(connected_at(kNow), kNow + 10, std::nullopt);
  EXPECT_EQ(s.history.size(), 1u);
  EXPECT_EQ(s.last_success_at, kNow + 10);
  EXPECT_EQ(s.last_working_version, 3);  // unknown version keeps the last one
}

TEST(ConnectionState, TransientFailureDegradesWithJitteredRetry) {
  ConnectionState s = record_failure(connected_at(kNow), Cause::ProviderUnavailable, "HTTP 503", kNow + 5, 0.5);
  EXPECT_EQ(s.status, Status::Degraded);
  EXPECT_EQ(s.cause, Cause::ProviderUnavailable);
  EXPECT_EQ(s.detail, "HTTP 503");
  EXPECT_EQ(s.failure_streak, 1);
  EXPECT_EQ(s.next_retry_at, kNow + 5 + 1);  // floor(0.5 * 2 s)
  ASSERT_EQ(s.history.size(), 2u);
  EXPECT_EQ(s.history[1].from, Status::Connected);
  EXPECT_EQ(s.history[1].to, Status::Degraded);
  EXPECT_EQ(s.history[1].cause, Cause::ProviderUnavailable);
  EXPECT_EQ(s.history[1].detail, "HTTP 503");
}

TEST(ConnectionState, BackoffWindowsDoubleFromTwoSecondsToFifteenMinutes) {
  std::vector<int64_t> top, half, zero;
  for (int streak = 1; streak <= 13; ++streak) {
    top.push_back(backoff_delay(streak, 0.999999));
    half.push_back(backoff_delay(streak, 0.5));
    zero.push_back(backoff_delay(streak, 0.0));
  }
  EXPECT_EQ(top, (std::vector<int64_t>{1, 3, 7, 15, 31, 63, 127, 255, 511, 899, 899, 899, 899}));
  EXPECT_EQ(half, (std::vector<int64_t>{1, 2, 4, 8, 16, 32, 64, 128, 256, 450, 450, 450, 450}));
  EXPECT_EQ(zero, std::vector<int64_t>(13, 0));
}

TEST(ConnectionState, BackoffClampsOutOfRangeFractions) {
  EXPECT_EQ(backoff_delay(3, 1.0), 8);
  EXPECT_EQ(backoff_delay(3, 7.0), 8);
  EXPECT_EQ(backoff_delay(3, -1.0), 0);
  EXPECT_EQ(backoff_delay(3, std::nan("")), 8);
  EXPECT_EQ(backoff_delay(1000000, 0.5), 450);
  EXPECT_EQ(backoff_delay(0, 0.5), 1);
}

TEST(ConnectionState, BackoffFollowsThePolicy) {
  LifecyclePolicy policy;
  policy.backoff_base = 10;
  policy.backoff_cap = 60;
  EXPECT_EQ(backoff_delay(1, 0.5, policy), 5);
  EXPECT_EQ(backoff_delay(3, 0.5, policy), 20);
  EXPECT_EQ(backoff_delay(4, 0.5, policy), 30);
}

// Drives a streak of transient failures, each after the previous retry time.
ConnectionState outage(ConnectionState s, int failures, int64_t& now, const LifecyclePolicy& policy = {}) {
  for (int i = 0; i < failures; ++i) {
    s = record_failure(std::move(s), Cause::ProviderUnavailable, "HTTP 503", now, 0.5, policy);
    now = s.next_retry_at.value_or(now) + 1;
  }
  return s;
}

TEST(ConnectionState, LostOnlyAfterTheStreakReachesTheDefaultOfTwelve) {
  int64_t now = kNow;
  ConnectionState s = outage(connected_at(kNow), 11, now);
  EXPECT_EQ(s.status, Status::Degraded);
  EXPECT_EQ(s.failure_streak, 11);
  EXPECT_EQ(s.history.size(), 2u);  // connected, degraded: staying degraded is no change
  s = record_failure(std::move(s), Cause::ProviderUnavailable, "timeout", now, 0.5);
  EXPECT_EQ(s.status, Status::Lost);
  EXPECT_EQ(s.cause, Cause::ProviderUnavailable);
  EXPECT_EQ(s.detail, "timeout");
  EXPECT_EQ(s.failure_streak, 12);
  EXPECT_EQ(s.next_retry_at, std::nullopt);
  ASSERT_EQ(s.history.size(), 3u);
  EXPECT_EQ(s.history[2].from, Status::Degraded);
  EXPECT_EQ(s.history[2].to, Status::Lost);
}

TEST(ConnectionState, StreakLengthIsAnAppSetting) {
  LifecyclePolicy policy;
  policy.lost_after = 2;
  int64_t now = kNow;
  ConnectionState s = outage(connected_at(kNow), 2, now, policy);
  EXPECT_EQ(s.status, Status::Lost);
}

TEST(ConnectionState, FailuresInsideTheBackoffWindowDoNotLengthenTheStreak) {
  ConnectionState s = record_failure(connected_at(kNow), Cause::ProviderUnavailable, "HTTP 503", kNow, 0.99);
  ASSERT_EQ(s.next_retry_at, kNow + 1);
  s = record_failure(std::move(s), Cause::ProviderUnavailable, "HTTP 502", kNow, 0.99);
  EXPECT_EQ(s.failure_streak, 1);
  EXPECT_EQ(s.next_retry_at, kNow + 1);
  EXPECT_EQ(s.detail, "HTTP 502");
  s = record_failure(std::move(s), Cause::ProviderUnavailable, "HTTP 503", kNow + 1, 0.99);
  EXPECT_EQ(s.failure_streak, 2);
  EXPECT_EQ(s.next_retry_at, kNow + 1 + 3);
}

TEST(ConnectionState, SuccessRecoversADegradedConnection) {
  ConnectionState s = record_failure(connected_at(kNow), Cause::ProviderUnavailable, "HTTP 503", kNow, 0.5);
  s = record_success(std::move(s), kNow + 60, 4);
  EXPECT_EQ(s.status, Status::Connected);
  EXPECT_EQ(s.cause, std::nullopt);
  EXPECT_EQ(s.detail, "");
  EXPECT_EQ(s.failure_streak, 0);
  EXPECT_EQ(s.next_retry_at, std::nullopt);
  EXPECT_EQ(s.last_working_version, 4);
  ASSERT_EQ(s.history.size(), 3u);
  EXPECT_EQ(s.history[2].from, Status::Degraded);
  EXPECT_EQ(s.history[2].to, Status::Connected);
}

TEST(ConnectionState, PermanentFailuresLoseAtOnce) {
  for (Cause cause : {Cause::AuthorizationRevoked, Cause::CredentialsRejected, Cause::ClientMisconfigured,
                      Cause::ConnectorError}) {
    for (bool degraded_first : {false, true}) {
      ConnectionState s = connected_at(kNow);
      if (degraded_first) s = record_failure(std::move(s), Cause::ProviderUnavailable, "HTTP 503", kNow, 0.5);
      s = record_failure(std::move(s), cause, "invalid_grant (HTTP 400)", kNow + 30, 0.5);
      EXPECT_EQ(s.status, Status::Lost) << to_string(cause);
      EXPECT_EQ(s.cause, cause);
      EXPECT_EQ(s.next_retry_at, std::nullopt);
      EXPECT_EQ(s.history.back().to, Status::Lost);
      EXPECT_EQ(s.history.back().from, degraded_first ? Status::Degraded : Status::Connected);
      EXPECT_EQ(s.history.back().at, kNow + 30);
    }
  }
}

TEST(ConnectionState, LostKeepsItsCauseThroughAnOutage) {
  ConnectionState s = record_failure(connected_at(kNow), Cause::AuthorizationRevoked, "invalid_grant", kNow, 0.5);
  size_t entries = s.history.size();
  s = record_failure(std::move(s), Cause::ProviderUnavailable, "HTTP 503", kNow + 1, 0.5);
  EXPECT_EQ(s.status, Status::Lost);
  EXPECT_EQ(s.cause, Cause::AuthorizationRevoked);
  EXPECT_EQ(s.detail, "invalid_grant");
  EXPECT_EQ(s.history.size(), entries);
}

TEST(ConnectionState, LostTakesANewerPermanentCause) {
  int64_t now = kNow;
  ConnectionState s = outage(connected_at(kNow), 12, now);
  ASSERT_EQ(s.status, Status::Lost);
  s = record_failure(std::move(s), Cause::ClientMisconfigured, "invalid_client (HTTP 401)", now, 0.5);
  EXPECT_EQ(s.cause, Cause::ClientMisconfigured);
  EXPECT_EQ(s.history.back().from, Status::Lost);
  EXPECT_EQ(s.history.back().to, Status::Lost);
  EXPECT_EQ(s.history.back().cause, Cause::ClientMisconfigured);
}

TEST(ConnectionState, CheckConnectionSuccessRecoversALostConnection) {
  ConnectionState s = record_failure(connected_at(kNow), Cause::ConnectorError, "HTTP 404", kNow, 0.5);
  s = record_success(std::move(s), kNow + 100, 2);
  EXPECT_EQ(s.status, Status::Connected);
  EXPECT_EQ(s.last_working_version, 2);
}

TEST(ConnectionState, FailureBeforeAnyConnectionChangesNothing) {
  ConnectionState s = record_failure(ConnectionState{}, Cause::CredentialsRejected, "HTTP 401", kNow, 0.5);
  EXPECT_EQ(s.status, Status::NotConnected);
  EXPECT_EQ(s.cause, std::nullopt);
  EXPECT_TRUE(s.history.empty());
}

TEST(ConnectionState, DisconnectResetsToNotConnected) {
  ConnectionState s = record_failure(connected_at(kNow), Cause::ProviderUnavailable, "HTTP 503", kNow, 0.5);
  s = record_disconnect(std::move(s), kNow + 9, "app reset by an admin");
  EXPECT_EQ(s.status, Status::NotConnected);
  EXPECT_EQ(s.cause, std::nullopt);
  EXPECT_EQ(s.failure_streak, 0);
  EXPECT_EQ(s.next_retry_at, std::nullopt);
  EXPECT_EQ(s.detail, "");
  EXPECT_EQ(s.last_working_version, 3);
  EXPECT_EQ(s.history.back().from, Status::Degraded);
  EXPECT_EQ(s.history.back().to, Status::NotConnected);
  EXPECT_EQ(s.history.back().detail, "app reset by an admin");
}

TEST(ConnectionState, DisabledIsDerivedFromTheApp) {
  ConnectionState s = connected_at(kNow);
  EXPECT_EQ(effective_status(s, false), Status::Disabled);
  EXPECT_EQ(effective_status(s, true), Status::Connected);
  EXPECT_EQ(s.status, Status::Connected);
}

TEST(ConnectionState, RetryIsDueOnlyForDegradedAfterTheWindow) {
  ConnectionState s = record_failure(connected_at(kNow), Cause::ProviderUnavailable, "HTTP 503", kNow, 0.99);
  EXPECT_FALSE(retry_due(s, kNow));
  EXPECT_TRUE(retry_due(s, kNow + 1));
  EXPECT_FALSE(retry_due(connected_at(kNow), kNow + 1000));
}

TEST(ConnectionState, HistoryIsBounded) {
  ConnectionState s;
  for (int i = 0; i < 40; ++i) {
    s = record_success(std::move(s), kNow + 2 * i, 1);
    s = record_failure(std::move(s), Cause::ConnectorError, "HTTP 404", kNow + 2 * i + 1, 0.5);
  }
  ASSERT_EQ(s.history.size(), kHistoryLimit);
  EXPECT_EQ(s.history.back().at, kNow + 79);
  EXPECT_EQ(s.history.front().at, kNow + 30);
}

TEST(ConnectionState, JsonRoundTrip) {
  ConnectionState s = record_failure(connected_at(kNow), Cause::ProviderUnavailable, "HTTP 503", kNow + 5, 0.5);
  json j = to_json(s);
  EXPECT_EQ(j, json::parse(R"({
    "status": "degraded", "cause": "provider_unavailable", "detail": "HTTP 503",
    "failure_streak": 1, "next_retry_at": 1700000006, "last_success_at": 1700000000,
    "last_working_version": 3,
    "history": [
      {"at": 1700000000, "from": "not_connected", "to": "connected", "cause": null, "detail": ""},
      {"at": 1700000005, "from": "connected", "to": "degraded", "cause": "provider_unavailable", "detail": "HTTP 503"}
    ]})"));
  auto back = connection_state_from_json(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(to_json(*back.value), j);
}

TEST(ConnectionState, NullIsNotConnected) {
  auto s = connection_state_from_json(json(nullptr));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value->status, Status::NotConnected);
}

TEST(ConnectionState, InvalidJsonNamesEveryProblem) {
  auto s = connection_state_from_json(json::parse(R"({
    "status": "disabled", "cause": "gone", "failure_streak": -1, "next_retry_at": "soon",
    "history": [{"at": 1, "from": "connected", "to": "nowhere"}, 3]})"),
                                      "/state");
  ASSERT_FALSE(s.ok());
  std::vector<std::string> paths;
  for (const auto& p : s.errors) paths.push_back(p.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/state/status", "/state/cause", "/state/failure_streak",
                                             "/state/next_retry_at", "/state/history/0/to",
                                             "/state/history/1"}));
  EXPECT_FALSE(connection_state_from_json(json::array(), "/state").ok());
}

TEST(ConnectionState, PolicyFromAppSettings) {
  auto p = lifecycle_policy_from_json(
      json::parse(R"({"lost_after_failures": 3, "backoff_base_seconds": 5, "backoff_cap_seconds": 60})"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value->lost_after, 3);
  EXPECT_EQ(p.value->backoff_base, 5);
  EXPECT_EQ(p.value->backoff_cap, 60);

  auto defaults = lifecycle_policy_from_json(json::object());
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults.value->lost_after, 12);
  EXPECT_EQ(defaults.value->backoff_base, 2);
  EXPECT_EQ(defaults.value->backoff_cap, 900);

  auto bad = lifecycle_policy_from_json(json::parse(R"({"lost_after_failures": 0, "backoff_cap_seconds": "x"})"),
                                        "/settings");
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.errors.size(), 2u);
  EXPECT_EQ(bad.errors[0].path, "/settings/lost_after_failures");
  EXPECT_EQ(bad.errors[0].message, "must be an integer from 1 to 1000");
  EXPECT_EQ(bad.errors[1].path, "/settings/backoff_cap_seconds");
}

}  // namespace
}  // namespace connauth
