// BaseUrl::resolve_plain is a shortcut of resolve_url for a bound
// connection's requests: wherever it answers, it must answer exactly what
// resolve_url answers (and a valid http(s) request URL).
#include "url.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace connauth {
namespace {

std::optional<std::string> resolve_plain(const BaseUrl& base, std::string_view reference) {
  std::string out;
  if (!base.resolve_plain(reference, out)) return std::nullopt;
  return out;
}

const char* const kBases[] = {
    "https://api.example/v1/", "https://API.Example:8443/v1/x", "http://h.example", "https://h.example/a/b/c",
    "https://h.example/a/../b/", "https://user@h.example/v1/", "ftp://h.example/", "https://h.example/?q#f",
    "not a url", "https://[::1]:8080/api/",
};

const char* const kReferences[] = {
    "items", "items/42?page=2", "items/42?page=2#top", "./items", "./items/42?x=1", "/v2/me", "/", "a/b/c/",
    "me?", "me#", "?q=1", "#frag", "", ".", "..", "./", "../up", "a/./b", "a/../b", "./a:b", "a:b", "a/b:c",
    "//evil.example/x", ".//x", "///x", "https://other.example/", "mailto:x", "has space", "tab\there",
    "back\\slash", "q?back\\slash", "%2e%2e/x", "a/%2E/b", ".%2e", "é/ü?ß=1", "a%20b", "./?q", "x#a?b", "x\x7f", "items?a=1&a=2",
};

TEST(BaseUrl, ResolvePlainAnswersWhatResolveUrlAnswers) {
  size_t shortcuts = 0;
  for (const char* base_text : kBases) {
    BaseUrl base = BaseUrl::prepare(base_text);
    for (const char* reference : kReferences) {
      auto plain = resolve_plain(base, reference);
      if (!plain) continue;
      ++shortcuts;
      auto full = resolve_url(base_text, reference);
      ASSERT_TRUE(full.ok()) << base_text << " + " << reference;
      EXPECT_EQ(*plain, *full.value) << base_text << " + " << reference;
      auto parsed = parse_url(*plain);
      ASSERT_TRUE(parsed.ok()) << *plain;
      EXPECT_TRUE(parsed.value->scheme == "https" || parsed.value->scheme == "http");
      EXPECT_TRUE(parsed.value->userinfo.empty());
    }
  }
  EXPECT_GT(shortcuts, 40u);  // the shortcut is taken for the usual references
}

TEST(BaseUrl, PlainOnlyForValidHttpBasesWithoutUserinfoOrDotSegments) {
  EXPECT_TRUE(BaseUrl::prepare("https://api.example/v1/").plain);
  EXPECT_TRUE(BaseUrl::prepare("http://h.example").plain);
  EXPECT_FALSE(BaseUrl::prepare("https://user@h.example/").plain);
  EXPECT_FALSE(BaseUrl::prepare("ftp://h.example/").plain);
  EXPECT_FALSE(BaseUrl::prepare("https://h.example/a/../b/").plain);
  EXPECT_FALSE(BaseUrl::prepare("https://h.example/a/%2e%2e/b/").plain);
  EXPECT_FALSE(BaseUrl::prepare("/relative/").plain);
  EXPECT_EQ(BaseUrl::prepare("https://API.Example:8443/v1/x").origin, "https://api.example:8443");
  EXPECT_EQ(BaseUrl::prepare("https://API.Example:8443/v1/x").directory, "/v1/");
  EXPECT_EQ(BaseUrl::prepare("http://h.example").directory, "/");
}

TEST(BaseUrl, TheUsualReferencesTakeTheShortcut) {
  BaseUrl base = BaseUrl::prepare("https://api.example/v1/");
  EXPECT_EQ(resolve_plain(base, "items/42?page=2"), "https://api.example/v1/items/42?page=2");
  EXPECT_EQ(resolve_plain(base, "./items/42"), "https://api.example/v1/items/42");  // the edge's form
  EXPECT_EQ(resolve_plain(base, "/v2/me"), "https://api.example/v2/me");
  EXPECT_FALSE(resolve_plain(base, "//evil.example/").has_value());
  EXPECT_FALSE(resolve_plain(base, "../up").has_value());
}

TEST(BaseUrl, HasScheme) {
  EXPECT_TRUE(has_scheme("https://x"));
  EXPECT_TRUE(has_scheme("a+b-c.d:x"));
  EXPECT_FALSE(has_scheme("items"));
  EXPECT_FALSE(has_scheme("./a:b"));
  EXPECT_FALSE(has_scheme("1a:b"));
  EXPECT_FALSE(has_scheme("a/b:c"));
  EXPECT_FALSE(has_scheme(""));
}

}  // namespace
}  // namespace connauth
