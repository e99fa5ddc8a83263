#include "signals.h"

#include <chrono>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

namespace connauth {
namespace {

// Signals are built by hand (not through the connector parser) so this suite
// tests SPEC §2.5 classification alone.
Signal status_signal(int status, std::string where) {
  Signal s;
  s.kind = Signal::Kind::Status;
  s.status = status;
  s.where = std::move(where);
  return s;
}

Signal equals_signal(std::string body, std::string where) {
  Signal s;
  s.kind = Signal::Kind::BodyEquals;
  s.body = std::move(body);
  s.where = std::move(where);
  return s;
}

Signal regex_signal(std::string_view pattern, std::string_view flags, std::string where) {
  Signal s;
  s.kind = Signal::Kind::BodyRegex;
  Result<std::shared_ptr<const Pattern>> compiled = Pattern::compile(pattern, flags, where);
  EXPECT_TRUE(compiled.ok()) << pattern;
  if (compiled.ok()) s.pattern = *compiled.value;
  s.where = std::move(where);
  return s;
}

HttpResponse response(int status, std::string body = "") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

constexpr const char* kOkPlain =
    "2xx response and no detect_on entry matched: ok (SPEC §2.5 rule 1)";
constexpr const char* kDetectedAndRefresh =
    "2xx response matched detect_on and refresh_on: refresh and retry once (SPEC §2.5 rule 1)";
constexpr const char* kDetectedOnly =
    "2xx response matched detect_on but no refresh_on entry: error (SPEC §2.5 rule 1)";
constexpr const char* kEmptyRefreshOn =
    "non-2xx response and refresh_on is empty: refresh and retry once (SPEC §2.5 rule 2)";
constexpr const char* kRefreshMatched =
    "non-2xx response matched refresh_on: refresh and retry once (SPEC §2.5 rule 2)";
constexpr const char* kNoRefreshMatched =
    "non-2xx response matched no refresh_on entry: error returned as is (SPEC §2.5 rule 2)";

void expect_classification(const Classification& c, Action action, const std::string& reason,
                           const std::string& matched) {
  EXPECT_STREQ(to_string(c.action), to_string(action));
  EXPECT_EQ(c.reason, reason);
  EXPECT_EQ(c.matched, matched);
}

// A Salesforce-like connector: 401 or an INVALID_SESSION_ID body means refresh;
// a 2xx whose body says "error" is a failure in disguise.
// Built per test (not at static initialisation) so a failed compile is reported.
Signals refresh_on_signals() {
  return {status_signal(401, "/authorization/refresh_on/0"),
          equals_signal("Session expired", "/authorization/refresh_on/1"),
          regex_signal("invalid_session_id", "i", "/authorization/refresh_on/2")};
}
Signals detect_on_signals() {
  return {regex_signal(R"("status"\s*:\s*"error")", "", "/authorization/detect_on/0")};
}

// ---- to_string ---------------------------------------------------------------

TEST(ActionTest, ToString) {
  EXPECT_STREQ(to_string(Action::Ok), "ok");
  EXPECT_STREQ(to_string(Action::Refresh), "refresh");
  EXPECT_STREQ(to_string(Action::Error), "error");
}

// ---- SPEC §2.5 rule 1: 2xx ------------------------------------------------------

TEST(ClassifyTest, TwoHundredWithoutSignalsIsOk) {
  expect_classification(classify({}, {}, response(200, "{}")), Action::Ok, kOkPlain, "");
}

TEST(ClassifyTest, TwoHundredNotMatchingDetectOnIsOk) {
  expect_classification(
      classify(refresh_on_signals(), detect_on_signals(), response(200, R"({"status":"done"})")),
      Action::Ok, kOkPlain, "");
}

TEST(ClassifyTest, TwoHundredMatchingRefreshOnButNotDetectOnIsOk) {
  // refresh_on alone never turns a 2xx into a refresh: detect_on must match first.
  expect_classification(classify(refresh_on_signals(), {}, response(200, "Session expired")),
                        Action::Ok, kOkPlain, "");
}

TEST(ClassifyTest, TwoHundredMatchingDetectOnOnlyIsError) {
  expect_classification(classify(refresh_on_signals(), detect_on_signals(),
                                 response(200, R"({"status": "error","code":"LIMIT"})")),
                        Action::Error, kDetectedOnly, "/authorization/detect_on/0");
}

TEST(ClassifyTest, TwoHundredMatchingDetectOnWithEmptyRefreshOnIsError) {
  // Unlike non-2xx, an empty refresh_on does not mean "refresh" for a 2xx.
  expect_classification(classify({}, detect_on_signals(), response(200, R"({"status":"error"})")),
                        Action::Error, kDetectedOnly, "/authorization/detect_on/0");
}

TEST(ClassifyTest, TwoHundredMatchingDetectOnAndRefreshOnIsRefresh) {
  expect_classification(
      classify(refresh_on_signals(), detect_on_signals(),
               response(200, R"({"status":"error","code":"INVALID_SESSION_ID"})")),
      Action::Refresh, kDetectedAndRefresh, "/authorization/refresh_on/2");
}

TEST(ClassifyTest, TwoHundredCannotMatchAStatusRefreshOnEntry) {
  // refresh_on [401] cannot match a 2xx, so a detected 2xx stays an error.
  Signals refresh_on = {status_signal(401, "/refresh_on/0")};
  Signals detect_on = {equals_signal("ERROR", "/detect_on/0")};
  expect_classification(classify(refresh_on, detect_on, response(200, "ERROR")), Action::Error,
                        kDetectedOnly, "/detect_on/0");
}

TEST(ClassifyTest, TwoHundredStatusDetectOnEntry) {
  Signals detect_on = {status_signal(204, "/detect_on/0")};
  expect_classification(classify({}, detect_on, response(204)), Action::Error, kDetectedOnly,
                        "/detect_on/0");
  expect_classification(classify({}, detect_on, response(200)), Action::Ok, kOkPlain, "");
}

// ---- SPEC §2.5 rule 2: non-2xx --------------------------------------------------

TEST(ClassifyTest, NonTwoHundredWithEmptyRefreshOnIsRefresh) {
  expect_classification(classify({}, {}, response(500, "oops")), Action::Refresh, kEmptyRefreshOn,
                        "");
}

TEST(ClassifyTest, NonTwoHundredStatusMatchIsRefresh) {
  expect_classification(
      classify(refresh_on_signals(), detect_on_signals(), response(401, "Unauthorized")),
      Action::Refresh, kRefreshMatched, "/authorization/refresh_on/0");
}

TEST(ClassifyTest, NonTwoHundredWholeBodyStringMatchIsRefresh) {
  expect_classification(classify(refresh_on_signals(), {}, response(400, "Session expired")),
                        Action::Refresh, kRefreshMatched, "/authorization/refresh_on/1");
}

TEST(ClassifyTest, NonTwoHundredBodyRegexMatchWithFlagIIsRefresh) {
  expect_classification(
      classify(refresh_on_signals(), {},
               response(403, R"([{"errorCode":"INVALID_SESSION_ID","message":"x"}])")),
      Action::Refresh, kRefreshMatched, "/authorization/refresh_on/2");
}

TEST(ClassifyTest, NonTwoHundredMatchingNoEntryIsError) {
  expect_classification(classify(refresh_on_signals(), {}, response(403, "Forbidden")),
                        Action::Error, kNoRefreshMatched, "");
}

TEST(ClassifyTest, NonTwoHundredIgnoresDetectOn) {
  Signals detect_on = {status_signal(500, "/detect_on/0"),
                       regex_signal("oops", "", "/detect_on/1")};
  expect_classification(classify(refresh_on_signals(), detect_on, response(500, "oops")),
                        Action::Error, kNoRefreshMatched, "");
  expect_classification(classify({}, detect_on, response(500, "oops")), Action::Refresh,
                        kEmptyRefreshOn, "");
}

TEST(ClassifyTest, FirstMatchingEntryInOrderDecides) {
  Signals refresh_on = {status_signal(400, "/refresh_on/0"),
                        regex_signal("expired", "", "/refresh_on/1"),
                        status_signal(401, "/refresh_on/2")};
  expect_classification(classify(refresh_on, {}, response(401, "token expired")), Action::Refresh,
                        kRefreshMatched, "/refresh_on/1");
}

TEST(ClassifyTest, ErrorDecisionOn2xxNamesFirstMatchingDetectOnEntry) {
  Signals detect_on = {equals_signal("nope", "/detect_on/0"),
                       regex_signal("fail", "", "/detect_on/1"),
                       regex_signal("failed", "", "/detect_on/2")};
  expect_classification(classify({}, detect_on, response(200, "it failed")), Action::Error,
                        kDetectedOnly, "/detect_on/1");
}

// 1xx, 3xx, 4xx, 5xx and out-of-range codes are all "non-2xx" (SPEC §2.5 rule 2).
class NonSuccessStatusTest : public ::testing::TestWithParam<int> {};

TEST_P(NonSuccessStatusTest, IsRefreshWithEmptyRefreshOnAndErrorOtherwise) {
  int status = GetParam();
  expect_classification(
      classify({}, detect_on_signals(), response(status, R"({"status":"error"})")), Action::Refresh,
      kEmptyRefreshOn, "");
  expect_classification(classify(refresh_on_signals(), {}, response(status, "fine")), Action::Error,
                        kNoRefreshMatched, "");
}

INSTANTIATE_TEST_SUITE_P(Statuses, NonSuccessStatusTest,
                         ::testing::Values(0, 100, 101, 199, 300, 302, 304, 399, 400, 404, 429, 500,
                                           503, 599));

class SuccessStatusTest : public ::testing::TestWithParam<int> {};

TEST_P(SuccessStatusTest, IsOkWithoutDetectOnMatchEvenWithEmptyRefreshOn) {
  expect_classification(classify({}, detect_on_signals(), response(GetParam(), "fine")), Action::Ok,
                        kOkPlain, "");
}

INSTANTIATE_TEST_SUITE_P(Statuses, SuccessStatusTest, ::testing::Values(200, 201, 204, 299));

// ---- Signal::matches --------------------------------------------------------

TEST(SignalMatchesTest, StatusComparesStatusOnly) {
  Signal s = status_signal(401, "/0");
  EXPECT_TRUE(s.matches(response(401, "anything"), "anything"));
  EXPECT_FALSE(s.matches(response(403, "401"), "401"));
}

TEST(SignalMatchesTest, BodyEqualsNeedsTheWholeBody) {
  Signal s = equals_signal("Unauthorized", "/0");
  auto check = [&](const std::string& body) { return s.matches(response(400, body), body); };
  EXPECT_TRUE(check("Unauthorized"));
  EXPECT_FALSE(check("Unauthorized!"));
  EXPECT_FALSE(check("401 Unauthorized"));
  EXPECT_FALSE(check("Unauthorized\n"));
  EXPECT_FALSE(check("unauthorized"));
  EXPECT_FALSE(check("Unauth"));
  EXPECT_FALSE(check(""));
}

TEST(SignalMatchesTest, EmptyBodyEqualsMatchesOnlyAnEmptyBody) {
  Signal s = equals_signal("", "/0");
  EXPECT_TRUE(s.matches(response(401, ""), ""));
  EXPECT_FALSE(s.matches(response(401, " "), " "));
}

TEST(SignalMatchesTest, BodyEqualsComparesBytesIncludingNul) {
  std::string body("a\0b", 3);
  Signal s = equals_signal(body, "/0");
  EXPECT_TRUE(s.matches(response(400, body), body));
  EXPECT_FALSE(s.matches(response(400, "a"), "a"));
}

TEST(SignalMatchesTest, BodyRegexSearchesAnywhere) {
  Signal s = regex_signal("expired", "", "/0");
  EXPECT_TRUE(s.matches(response(400, "your token expired today"), "your token expired today"));
  EXPECT_FALSE(s.matches(response(400, "your token EXPIRED"), "your token EXPIRED"));
}

TEST(SignalMatchesTest, BodyRegexHonoursFlags) {
  Signal ignore_case = regex_signal("expired", "i", "/0");
  Signal multi_line = regex_signal("^expired$", "m", "/1");
  Signal dot_all = regex_signal("token.expired", "s", "/2");
  std::string body = "Token\nEXPIRED\n";
  EXPECT_TRUE(ignore_case.matches(response(400, body), body));
  EXPECT_TRUE(multi_line.matches(response(400, "a\nexpired\nb"), "a\nexpired\nb"));
  EXPECT_FALSE(
      regex_signal("^expired$", "", "/3").matches(response(400, "a\nexpired\nb"), "a\nexpired\nb"));
  EXPECT_TRUE(dot_all.matches(response(400, "token\nexpired"), "token\nexpired"));
  EXPECT_FALSE(regex_signal("token.expired", "", "/4")
                   .matches(response(400, "token\nexpired"), "token\nexpired"));
}

TEST(SignalMatchesTest, RegexWithoutPatternMatchesNothing) {
  Signal s;
  s.kind = Signal::Kind::BodyRegex;
  EXPECT_FALSE(s.matches(response(401, "x"), "x"));
  EXPECT_FALSE(s.matches(response(401, ""), ""));
}

// ---- body limit (SPEC §2.5: "matched up to a documented size limit") ---------

TEST(BodyLimitTest, RegexSeesOnlyTheFirstBodyLimitBytes) {
  Signals refresh_on = {regex_signal("expired", "", "/refresh_on/0")};
  HttpResponse r = response(400, std::string(10, 'x') + "expired");
  expect_classification(classify(refresh_on, {}, r, 10), Action::Error, kNoRefreshMatched, "");
  expect_classification(classify(refresh_on, {}, r, 16), Action::Error, kNoRefreshMatched, "");
  expect_classification(classify(refresh_on, {}, r, 17), Action::Refresh, kRefreshMatched,
                        "/refresh_on/0");
}

TEST(BodyLimitTest, DollarMatchesAtTheCut) {
  Signals refresh_on = {regex_signal("expired$", "", "/refresh_on/0")};
  expect_classification(classify(refresh_on, {}, response(400, "token expired, sorry"), 13),
                        Action::Refresh, kRefreshMatched, "/refresh_on/0");
}

TEST(BodyLimitTest, TruncatedBodyEqualsNoString) {
  HttpResponse r = response(400, "Session expired");
  Signals whole = {equals_signal("Session expired", "/refresh_on/0")};
  Signals prefix = {equals_signal("Session", "/refresh_on/0")};
  expect_classification(classify(whole, {}, r, 7), Action::Error, kNoRefreshMatched, "");
  expect_classification(classify(prefix, {}, r, 7), Action::Error, kNoRefreshMatched, "");
  // A body exactly as long as the limit is not truncated.
  expect_classification(classify(whole, {}, r, 15), Action::Refresh, kRefreshMatched,
                        "/refresh_on/0");
}

TEST(BodyLimitTest, ZeroLimitStillMatchesStatusAndEmptyBody) {
  Signals refresh_on = {regex_signal("expired", "", "/refresh_on/0"),
                        status_signal(401, "/refresh_on/1")};
  expect_classification(classify(refresh_on, {}, response(401, "expired"), 0), Action::Refresh,
                        kRefreshMatched, "/refresh_on/1");
  Signals empty_body = {equals_signal("", "/refresh_on/0")};
  expect_classification(classify(empty_body, {}, response(400, ""), 0), Action::Refresh,
                        kRefreshMatched, "/refresh_on/0");
  expect_classification(classify(empty_body, {}, response(400, "x"), 0), Action::Error,
                        kNoRefreshMatched, "");
}

TEST(BodyLimitTest, DefaultLimitIsOneMebibyte) {
  EXPECT_EQ(kDefaultBodyLimit, size_t{1} << 20);
  Signals refresh_on = {regex_signal("expired", "", "/refresh_on/0")};
  std::string padding(kDefaultBodyLimit - 7, ' ');
  expect_classification(classify(refresh_on, {}, response(400, padding + "expired")),
                        Action::Refresh, kRefreshMatched, "/refresh_on/0");
  expect_classification(classify(refresh_on, {}, response(400, padding + " expired")),
                        Action::Error, kNoRefreshMatched, "");
}

// SPEC §2.5: regexes run in linear time, so an attacker-sized body cannot stall
// the edge. No timing is asserted; a regression shows up as a hang.
TEST(ClassifyLinearTimeTest, CatastrophicPatternsOnOneMebibyteBodies) {
  Signals refresh_on = {regex_signal("(a+)+$", "", "/refresh_on/0"),
                        regex_signal("(a|aa)+$", "", "/refresh_on/1"),
                        regex_signal("(.*a){20}", "", "/refresh_on/2")};
  std::string as(kDefaultBodyLimit, 'a');
  for (size_t i = 0; i < refresh_on.size(); ++i) {
    Signals one = {refresh_on[i]};
    auto start = std::chrono::steady_clock::now();
    Classification on_as = classify(one, {}, response(400, as));
    Classification on_as_bang = classify(one, {}, response(400, as + "!"));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    std::cout << "[ info ] classify " << refresh_on[i].pattern->source() << " on 2 x 1 MiB: " << ms
              << " ms\n";
    EXPECT_EQ(on_as.action, Action::Refresh);
    // 'a'*N + '!' is cut at 1 MiB, so the '!' is never seen: `$` matches at the cut.
    EXPECT_EQ(on_as_bang.action, Action::Refresh);
  }
  // Below the limit the '!' is seen and the end-anchored patterns fail.
  for (size_t i = 0; i < 2; ++i) {
    Signals one = {refresh_on[i]};
    std::string body = std::string(kDefaultBodyLimit - 1, 'a') + "!";
    auto start = std::chrono::steady_clock::now();
    Classification c = classify(one, {}, response(400, body));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    std::cout << "[ info ] classify " << refresh_on[i].pattern->source()
              << " on 1 MiB ending in '!': " << ms << " ms\n";
    EXPECT_EQ(c.action, Action::Error);
  }
}

}  // namespace
}  // namespace connauth
