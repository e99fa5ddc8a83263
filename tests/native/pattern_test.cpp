#include "pattern.h"

#include <chrono>
#include <iostream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace connauth {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const Pattern> compiled(std::string_view pattern, std::string_view flags = "") {
  Result<std::shared_ptr<const Pattern>> r = Pattern::compile(pattern, flags, "/regex");
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].message);
  return r.ok() ? *r.value : nullptr;
}

// The single problem compile() reports, or a placeholder if it succeeded.
Problem rejected(std::string_view pattern, std::string_view flags = "",
                 const std::string& where = "/authorization/refresh_on/0/regex") {
  Result<std::shared_ptr<const Pattern>> r = Pattern::compile(pattern, flags, where);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.errors.size(), 1u);
  return r.errors.empty() ? Problem{"<none>", "<compiled>"} : r.errors[0];
}

TEST(PatternTest, KeepsSourceAsWritten) {
  auto p = compiled("invalid_token", "im");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->source(), "invalid_token");
}

TEST(PatternTest, SearchIsUnanchored) {
  auto p = compiled("invalid_token");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->search(R"({"error":"invalid_token","error_description":"expired"})"));
  EXPECT_TRUE(p->search("invalid_token"));
  EXPECT_FALSE(p->search("invalid token"));
  EXPECT_FALSE(p->search(""));
}

TEST(PatternTest, ExplicitAnchorsStillAnchor) {
  auto p = compiled("^expired$");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->search("expired"));
  EXPECT_FALSE(p->search("token expired"));
  EXPECT_FALSE(p->search("expired token"));
}

TEST(PatternTest, CaseSensitiveWithoutFlagI) {
  auto p = compiled("Unauthorized");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->search("401 Unauthorized"));
  EXPECT_FALSE(p->search("401 UNAUTHORIZED"));
}

TEST(PatternTest, FlagIIgnoresCase) {
  auto p = compiled("unauthorized", "i");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->search("401 UNAUTHORIZED"));
  EXPECT_TRUE(p->search("Unauthorized"));
  EXPECT_FALSE(p->search("authorized"));
}

TEST(PatternTest, FlagIFoldsNonAsciiCase) {
  auto p = compiled("ÉCHEC", "i");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->search("authentification échec"));
}

TEST(PatternTest, WithoutFlagMAnchorsMatchOnlyAtTextEnds) {
  auto p = compiled("^expired$");
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->search("error\nexpired\nretry"));
}

TEST(PatternTest, FlagMAnchorsMatchAtLineBreaks) {
  auto p = compiled("^expired$", "m");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->search("error\nexpired\nretry"));
  EXPECT_FALSE(p->search("error\nnot expired\nretry"));
  EXPECT_EQ(p->source(), "^expired$");
}

TEST(PatternTest, WithoutFlagSDotStopsAtNewline) {
  auto p = compiled("error.*expired");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->search("error: token expired"));
  EXPECT_FALSE(p->search("error:\ntoken expired"));
}

TEST(PatternTest, FlagSDotMatchesNewline) {
  auto p = compiled("error.*expired", "s");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->search("error:\ntoken expired"));
}

TEST(PatternTest, FlagsCombineAndRepeat) {
  auto p = compiled("^ERROR.*EXPIRED$", "ismi");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->search("prelude\nerror:\ntoken expired\ntrailer"));
  EXPECT_FALSE(p->search("prelude\nerror:\ntoken expired now\ntrailer"));
}

TEST(PatternTest, UnknownFlagIsAProblemAtWhere) {
  Problem p = rejected("expired", "ig", "/authorization/detect_on/2/regex");
  EXPECT_EQ(p.path, "/authorization/detect_on/2/regex");
  EXPECT_EQ(p.message, "unknown regex flag 'g'; allowed: i, m, s");
}

TEST(PatternTest, UnprintableFlagIsNotEchoed) {
  Problem p = rejected("expired", std::string("i\x01", 2));
  EXPECT_EQ(p.message, "unknown regex flag '?'; allowed: i, m, s");
}

TEST(PatternTest, UpperCaseFlagIsUnknown) {
  EXPECT_EQ(rejected("expired", "I").message, "unknown regex flag 'I'; allowed: i, m, s");
}

TEST(PatternTest, RejectedPatternQuotesRe2) {
  Problem p = rejected("(abc", "", "/apply/1/when/url/regex");
  EXPECT_EQ(p.path, "/apply/1/when/url/regex");
  EXPECT_EQ(p.message,
            "invalid regex: missing ): (abc — RE2 syntax, no backreferences or lookaround");
}

TEST(PatternTest, RejectedPatternWithFlagMQuotesOnlyTheAuthorsText) {
  EXPECT_EQ(rejected("(abc", "m").message,
            "invalid regex: missing ): (abc — RE2 syntax, no backreferences or lookaround");
}

TEST(PatternTest, BackreferencesAreRejected) {
  EXPECT_EQ(rejected(R"((a)\1)").message,
            "invalid regex: invalid escape sequence: \\1 — RE2 syntax, no backreferences or "
            "lookaround");
}

TEST(PatternTest, LookaroundIsRejected) {
  EXPECT_EQ(rejected("(?<=token )expired").message,
            "invalid regex: invalid perl operator: (?< — RE2 syntax, no backreferences or "
            "lookaround");
  EXPECT_THAT(rejected("expired(?!_soon)").message, HasSubstr("invalid regex: "));
}

TEST(PatternTest, InvalidUtf8PatternIsRejected) {
  EXPECT_EQ(rejected("expired\xff").message,
            "invalid regex: invalid UTF-8 — RE2 syntax, no backreferences or lookaround");
}

TEST(PatternTest, PatternsUpTo4KiBAreAccepted) {
  EXPECT_NE(compiled(std::string(4096, 'a')), nullptr);
}

TEST(PatternTest, PatternsOver4KiBAreRejected) {
  Problem p = rejected(std::string(4097, 'a'), "", "/refresh_on/0/regex");
  EXPECT_EQ(p.path, "/refresh_on/0/regex");
  EXPECT_EQ(p.message, "regex is 4097 bytes; the limit is 4096 bytes — shorten it");
}

TEST(PatternTest, LengthIsCheckedAfterFlags) {
  EXPECT_EQ(rejected(std::string(5000, 'a'), "x").message,
            "unknown regex flag 'x'; allowed: i, m, s");
}

TEST(PatternTest, ProgramsOverTheMemoryBudgetAreRejected) {
  // \pL is a large UTF-8 automaton; a thousand copies exceed 8 MiB.
  EXPECT_EQ(rejected(R"(\pL{1000})").message,
            "regex is too large for the 8 MiB compile budget (RE2: pattern too large - compile "
            "failed); use smaller repetition counts or narrower character classes");
}

TEST(PatternTest, RepetitionCountsOver1000AreRejected) {
  EXPECT_EQ(rejected("a{1001}").message,
            "invalid regex: invalid repetition size: {1001} — RE2 syntax, no backreferences or "
            "lookaround");
}

TEST(PatternTest, SearchesBodiesWithNulAndInvalidUtf8) {
  auto p = compiled("expired");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->search(std::string("\xff\x00token expired", 15)));
  EXPECT_FALSE(p->search(std::string("\xff\x00token", 7)));
}

// SPEC §2.5: "Regexes ... run in linear time". These patterns backtrack
// exponentially in std::regex / JavaScript. No timing is asserted: a
// regression shows up as a hang; the time is printed for information.
struct Catastrophic {
  const char* pattern;
  bool on_as;       // expected result on 1 MiB of 'a'
  bool on_as_bang;  // expected result on 1 MiB of 'a' followed by '!'
};

class PatternLinearTimeTest : public ::testing::TestWithParam<Catastrophic> {};

TEST_P(PatternLinearTimeTest, OneMebibyteSubject) {
  const Catastrophic& c = GetParam();
  auto p = compiled(c.pattern);
  ASSERT_NE(p, nullptr);
  std::string as(size_t{1} << 20, 'a');
  std::string as_bang = as + "!";

  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(p->search(as), c.on_as);
  EXPECT_EQ(p->search(as_bang), c.on_as_bang);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  std::cout << "[ info ] " << c.pattern << " on 2 x 1 MiB: " << ms << " ms\n";
}

INSTANTIATE_TEST_SUITE_P(Redos, PatternLinearTimeTest,
                         ::testing::Values(Catastrophic{"(a+)+$", true, false},
                                           Catastrophic{"(a|aa)+$", true, false},
                                           Catastrophic{"(.*a){20}", true, true},
                                           Catastrophic{"(a+)+b", false, false},
                                           Catastrophic{"^(a|a?)+$", true, false}));

}  // namespace
}  // namespace connauth
