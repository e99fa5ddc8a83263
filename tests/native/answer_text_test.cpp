// The bound path's answers are JSON text written without a DOM: they must
// parse to the same values nlohmann would have written.
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

std::string json_quoted(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(AnswerText, StringsAreEscapedLikeNlohmann) {
  for (std::string text : {std::string(""), std::string("plain"), std::string("q\"b\\s/"),
                           std::string("\b\f\n\r\t\x01\x1f\x7f"), std::string("nul\0in", 6),
                           std::string("é €𝄞 ok")}) {
    EXPECT_EQ(json_quoted(text), json(text).dump()) << text;
    EXPECT_EQ(json::parse(json_quoted(text)).get<std::string>(), text);
  }
}

TEST(AnswerText, InvalidUtf8IsReplaced) {
  // A lone continuation byte, a truncated sequence, an overlong form, a
  // surrogate, a code point past U+10FFFF: each becomes U+FFFD.
  for (std::string_view bad : {"\x80", "\xC3", "\xE2\x82", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF"}) {
    std::string text = "a" + std::string(bad) + "b";
    json parsed = json::parse(json_quoted(text));  // throws if the output were invalid
    std::string value = parsed.get<std::string>();
    EXPECT_EQ(value.substr(0, 4), "a\xEF\xBF\xBD");
    EXPECT_EQ(value.back(), 'b');
  }
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
