// The bound path's answers: lines for a success, the Result envelope's JSON
// for a failure (core/answer_text.h).
#include "answer_text.h"

#include <gtest/gtest.h>

#include "json_io.h"

namespace connauth {
namespace {

using nlohmann::json;

std::string edits_text(const Result<RequestEdits>& edits) {
  std::string out = "left over";
  write_edits(out, edits);
  return out;
}

std::string classification_text(const Result<Classification>& classification) {
  std::string out = "left over";
  write_classification(out, classification);
  return out;
}

TEST(AnswerText, EditsAreLinesWithTheBodyLast) {
  RequestEdits edits;
  edits.url = "https://x.example/?a=1";
  edits.headers = {{"Authorization", "Bearer t"}, {"X-Quote", "say \"hi\""}};
  EXPECT_EQ(edits_text(Result<RequestEdits>::success(edits)),
            "n2\nhttps://x.example/?a=1\nAuthorization\nBearer t\nX-Quote\nsay \"hi\"\n");
  edits.body = "{\"k\":\n\"v\"}";
  edits.headers.clear();
  EXPECT_EQ(edits_text(Result<RequestEdits>::success(edits)), "b0\nhttps://x.example/?a=1\n{\"k\":\n\"v\"}");
}

TEST(AnswerText, ProblemsAreJson) {
  Problems problems = {{"/request/url", "is \"bad\""}, {"/a~1b", "two"}};
  EXPECT_EQ(json::parse(problems_text(problems)), error_envelope(problems));
  EXPECT_EQ(json::parse(edits_text(Result<RequestEdits>::failure(problems))), error_envelope(problems));
  EXPECT_EQ(json::parse(classification_text(Result<Classification>::failure(problems))), error_envelope(problems));
}

TEST(AnswerText, Classification) {
  Classification c{Action::Refresh, "why", "/authorization/options/a\nb/refresh_on/0"};
  EXPECT_EQ(classification_text(Result<Classification>::success(c)),
            "refresh\nwhy\n/authorization/options/a\nb/refresh_on/0");
  c.matched.clear();
  EXPECT_EQ(classification_text(Result<Classification>::success(c)), "refresh\nwhy\n");
}

}  // namespace
}  // namespace connauth
