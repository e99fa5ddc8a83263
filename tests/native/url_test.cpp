#include "url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace connauth {
namespace {

using ::testing::HasSubstr;

std::string resolve(std::string_view base, std::string_view reference) {
  auto r = resolve_url(base, reference, "/url");
  EXPECT_TRUE(r.ok()) << base << " + " << reference << ": "
                      << (r.errors.empty() ? "" : r.errors[0].message);
  return r.ok() ? *r.value : "<error>";
}

std::string parse_problem(std::string_view text) {
  auto r = parse_url(text, "/test/url");
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.errors[0].path, "/test/url");
  return r.errors[0].message;
}

// ---- parse_url ----------------------------------------------------------------

TEST(ParseUrl, SplitsEveryComponent) {
  auto r = parse_url("HTTPS://User:Pw@API.Example.COM:8443/V1/Me?a=1&B=2#Frag");
  ASSERT_TRUE(r.ok());
  const Url& u = *r.value;
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.userinfo, "User:Pw");
  EXPECT_EQ(u.host, "api.example.com");
  EXPECT_EQ(u.port, "8443");
  EXPECT_EQ(u.path, "/V1/Me");
  EXPECT_EQ(u.query, "a=1&B=2");
  EXPECT_EQ(u.fragment, "Frag");
  EXPECT_EQ(u.origin(), "https://api.example.com:8443");
  EXPECT_EQ(u.to_string(), "https://User:Pw@api.example.com:8443/V1/Me?a=1&B=2#Frag");
}

TEST(ParseUrl, MinimalHttpUrl) {
  auto r = parse_url("http://x.example");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->host, "x.example");
  EXPECT_EQ(r.value->path, "");
  EXPECT_EQ(r.value->port, "");
  EXPECT_EQ(r.value->origin(), "http://x.example");
  EXPECT_EQ(r.value->to_string(), "http://x.example");
}

TEST(ParseUrl, KeepsEmptyQueryAndFragmentMarkers) {
  auto r = parse_url("https://x.example/p?#");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value->has_query);
  EXPECT_TRUE(r.value->has_fragment);
  EXPECT_EQ(r.value->to_string(), "https://x.example/p?#");
}

TEST(ParseUrl, Ipv6LiteralHosts) {
  auto r = parse_url("http://[2001:DB8::1]:8080/x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->host, "[2001:db8::1]");
  EXPECT_EQ(r.value->port, "8080");
  EXPECT_EQ(r.value->origin(), "http://[2001:db8::1]:8080");
  auto mapped = parse_url("https://[::ffff:127.0.0.1]/");
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped.value->host, "[::ffff:127.0.0.1]");
  EXPECT_THAT(parse_problem("http://[::1/"), HasSubstr("without its closing ']'"));
  EXPECT_THAT(parse_problem("http://[::1]x/"), HasSubstr("only :port may follow"));
  EXPECT_THAT(parse_problem("http://[fe80::1%25eth0]/"), HasSubstr("invalid IPv6 address"));
  EXPECT_THAT(parse_problem("http://[]/"), HasSubstr("empty IPv6"));
}

TEST(ParseUrl, OtherSchemes) {
  auto mail = parse_url("mailto:ops@example.com");
  ASSERT_TRUE(mail.ok());
  EXPECT_EQ(mail.value->scheme, "mailto");
  EXPECT_EQ(mail.value->host, "");
  EXPECT_EQ(mail.value->path, "ops@example.com");
  EXPECT_EQ(mail.value->to_string(), "mailto:ops@example.com");
  auto file = parse_url("file:///etc/hosts");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file.value->to_string(), "file:///etc/hosts");
  auto urn = parse_url("URN:ietf:rfc:3986");
  ASSERT_TRUE(urn.ok());
  EXPECT_EQ(urn.value->scheme, "urn");
}

TEST(ParseUrl, RelativeReferencesAreNotAbsolute) {
  EXPECT_THAT(parse_problem("me"), HasSubstr("is not an absolute URL: it has no scheme"));
  EXPECT_THAT(parse_problem("/v2/me"), HasSubstr("no scheme"));
  EXPECT_THAT(parse_problem("//x.example/me"), HasSubstr("no scheme"));
  EXPECT_THAT(parse_problem("1http://x/"), HasSubstr("no scheme"));
  EXPECT_THAT(parse_problem(""), HasSubstr("is empty"));
}

TEST(ParseUrl, RejectsSpacesAndControlCharacters) {
  EXPECT_EQ(parse_problem("https://x.example/a b"), "contains a space (at character 20); percent-encode it as %20");
  EXPECT_THAT(parse_problem("https://x.example/\r\nHost: evil"), HasSubstr("control character (at character 19)"));
  EXPECT_THAT(parse_problem(std::string("https://x.example/\0", 19)), HasSubstr("control character"));
  EXPECT_THAT(parse_problem("https://x.exa\tmple/"), HasSubstr("control character"));
  EXPECT_THAT(parse_problem("https://x.example/\x7f"), HasSubstr("control character"));
}

TEST(ParseUrl, HttpNeedsAHost) {
  EXPECT_EQ(parse_problem("https:x.example/"), "has no host; write it as https://host/path");
  EXPECT_THAT(parse_problem("https:///x.example/"), HasSubstr("has no host"));
  EXPECT_THAT(parse_problem("http://user@/"), HasSubstr("has no host"));
}

TEST(ParseUrl, RejectsHostsAFetcherWouldReadDifferently) {
  EXPECT_THAT(parse_problem("https://good.example\\@evil.example/"), HasSubstr("backslash"));
  EXPECT_THAT(parse_problem("https://x.example/a\\b"), HasSubstr("backslash"));
  EXPECT_THAT(parse_problem("https://ex%61mple.com/"), HasSubstr("percent-encoded host"));
  EXPECT_THAT(parse_problem("https://bücher.example/"), HasSubstr("punycode"));
  EXPECT_THAT(parse_problem("https://a<b.example/"), HasSubstr("'<' in its host name"));
  // WHATWG URL reads these as 127.0.0.1: only a.b.c.d is read alike.
  for (const char* host : {"0x7f.1", "127.1", "2130706433", "0177.0.0.1", "127.0.0.01", "1.2.3.4.", "x.0x", "a.256", "1.2.3.256"})
    EXPECT_THAT(parse_problem(std::string("http://") + host + "/"), HasSubstr("IPv4")) << host;
  for (const char* host : {"127.0.0.1", "0.0.0.0", "255.255.255.255", "v1.example", "1.example", "example.0a", "0x.example"})
    EXPECT_TRUE(parse_url(std::string("http://") + host + "/").ok()) << host;
  // A backslash in the query is data, not structure.
  EXPECT_TRUE(parse_url("https://x.example/?q=a\\b").ok());
}

TEST(ParseUrl, UserinfoIsSplitAtTheLastAt) {
  auto r = parse_url("https://a@b@host.example/");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->userinfo, "a@b");
  EXPECT_EQ(r.value->host, "host.example");
}

TEST(ParseUrl, Ports) {
  EXPECT_THAT(parse_problem("https://x.example:80a/"), HasSubstr("port that is not a number"));
  EXPECT_THAT(parse_problem("https://x.example:65536/"), HasSubstr("above 65535"));
  EXPECT_THAT(parse_problem("https://x.example:99999999999999999999/"), HasSubstr("above 65535"));
  EXPECT_EQ(parse_url("https://x.example:65535/").value->port, "65535");
}

TEST(ParseUrl, NonAsciiPathIsKeptAsWritten) {
  auto r = parse_url("https://x.example/café?q=ü");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->path, "/café");
  EXPECT_EQ(r.value->query, "q=ü");
}

// ---- resolve_url: RFC 3986 §5.4.1 normal examples ----------------------------------

struct Example {
  const char* reference;
  const char* expected;
};

TEST(ResolveUrl, Rfc3986NormalExamples) {
  const char* base = "http://a/b/c/d;p?q";
  const Example examples[] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {"g?y#s", "http://a/b/c/g?y#s"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
  };
  for (const Example& e : examples) EXPECT_EQ(resolve(base, e.reference), e.expected) << e.reference;
}

TEST(ResolveUrl, Rfc3986AbnormalExamples) {
  const char* base = "http://a/b/c/d;p?q";
  const Example examples[] = {
      {"../../../g", "http://a/g"},   {"../../../../g", "http://a/g"}, {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},        {"g.", "http://a/b/c/g."},       {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},    {"..g", "http://a/b/c/..g"},     {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},   {"g/./h", "http://a/b/c/g/h"},   {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"}, {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},   {"g#s/../x", "http://a/b/c/g#s/../x"},
  };
  for (const Example& e : examples) EXPECT_EQ(resolve(base, e.reference), e.expected) << e.reference;
}

// fetch (WHATWG URL) reads "%2e" in a path segment as a dot and removes the
// segment; so does resolve_url, so that apply rules see the path fetch sends.
TEST(ResolveUrl, EncodedDotSegmentsAreDotSegments) {
  const char* base = "https://x.example/v1/";
  const Example examples[] = {
      {"%2e%2e/x", "https://x.example/x"},       {"%2E%2e/x", "https://x.example/x"},
      {".%2e/x", "https://x.example/x"},          {"%2e./x", "https://x.example/x"},
      {"a/%2e/b", "https://x.example/v1/a/b"},    {"a/%2E", "https://x.example/v1/a/"},
      {"a/b/%2e%2e", "https://x.example/v1/a/"},  {"https://y.example/a/%2e%2e/b", "https://y.example/b"},
      {"%2e%2e%2e/x", "https://x.example/v1/%2e%2e%2e/x"}, {"%2ea/x", "https://x.example/v1/%2ea/x"},
      {"a%2e/x", "https://x.example/v1/a%2e/x"}, {"x?%2e%2e/y", "https://x.example/v1/x?%2e%2e/y"},
      {"%2e%2f%2e/x", "https://x.example/v1/%2e%2f%2e/x"},
  };
  for (const Example& e : examples) EXPECT_EQ(resolve(base, e.reference), e.expected) << e.reference;
}

TEST(ResolveUrl, ConnectorBaseUris) {
  EXPECT_EQ(resolve("https://x.example/api/", "me"), "https://x.example/api/me");
  EXPECT_EQ(resolve("https://x.example/api/", "/v2/me"), "https://x.example/v2/me");
  EXPECT_EQ(resolve("https://x.example/api/", "users/1?fields=a,b"), "https://x.example/api/users/1?fields=a,b");
  // RFC 3986: without a trailing slash the last segment of the base is replaced.
  EXPECT_EQ(resolve("https://x.example/api", "me"), "https://x.example/me");
  EXPECT_EQ(resolve("https://x.example", "me"), "https://x.example/me");
  EXPECT_EQ(resolve("https://x.example/api/#frag", "me"), "https://x.example/api/me");
}

TEST(ResolveUrl, AbsoluteReferenceIsReturnedNormalised) {
  EXPECT_EQ(resolve("https://x.example/api/", "HTTPS://Other.EXAMPLE/a/./b/../c?Q=1"),
            "https://other.example/a/c?Q=1");
  EXPECT_EQ(resolve("https://x.example/", "//CDN.example/x"), "https://cdn.example/x");
}

TEST(ResolveUrl, Problems) {
  auto bad_base = resolve_url("not a url", "me", "/test/url");
  ASSERT_FALSE(bad_base.ok());
  EXPECT_EQ(bad_base.errors[0].path, "/test/url");
  EXPECT_EQ(bad_base.errors[0].message,
            "cannot be resolved: the base URL it is relative to contains a space (at character 4); "
            "percent-encode it as %20");
  auto relative_base = resolve_url("/api/", "me", "/u");
  ASSERT_FALSE(relative_base.ok());
  EXPECT_THAT(relative_base.errors[0].message, HasSubstr("is not an absolute URL"));
  auto spaced = resolve_url("https://x.example/", "a b", "/u");
  ASSERT_FALSE(spaced.ok());
  EXPECT_THAT(spaced.errors[0].message, HasSubstr("contains a space"));
  auto evil = resolve_url("https://x.example/", "//a\\@b.example/", "/u");
  ASSERT_FALSE(evil.ok());
  EXPECT_THAT(evil.errors[0].message, HasSubstr("resolves to a URL that contains a backslash"));
  // RFC 3986 §5.4.2 strict parsers read "http:g" as absolute; with no host
  // it is not a URL a request can go to.
  auto strict = resolve_url("http://a/b/c/d;p?q", "http:g", "/u");
  ASSERT_FALSE(strict.ok());
  EXPECT_THAT(strict.errors[0].message, HasSubstr("has no host"));
  auto no_host = resolve_url("https://x.example/", "https:", "/u");
  ASSERT_FALSE(no_host.ok());
  EXPECT_THAT(no_host.errors[0].message, HasSubstr("has no host"));
}

// ---- encoding ---------------------------------------------------------------------

TEST(Encoding, PercentEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode(":/?#[]@!$&'()*+,;= %"),
            "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%20%25");
  EXPECT_EQ(percent_encode("é€😀"), "%C3%A9%E2%82%AC%F0%9F%98%80");
  EXPECT_EQ(percent_encode(std::string("\0\n", 2)), "%00%0A");
}

TEST(Encoding, FormEncodeUsesPlusForSpace) {
  EXPECT_EQ(form_encode("a b+c&d=e~"), "a+b%2Bc%26d%3De~");
  EXPECT_EQ(form_encode("é"), "%C3%A9");
}

TEST(Encoding, PercentDecode) {
  EXPECT_EQ(percent_decode("a%20b%2Bc+d", false), "a b+c+d");
  EXPECT_EQ(percent_decode("a%20b%2Bc+d", true), "a b+c d");
  EXPECT_EQ(percent_decode("%c3%A9", false), "é");
  // Malformed escapes stay as written.
  EXPECT_EQ(percent_decode("100%", false), "100%");
  EXPECT_EQ(percent_decode("%zz%4", false), "%zz%4");
  EXPECT_EQ(percent_decode("%00", false), std::string("\0", 1));
}

TEST(Encoding, Base64) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Encoding, Base64Url) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  // RFC 7636 Appendix B: the S256 challenge of its example verifier.
  const unsigned char digest[] = {19,  211, 30,  150, 26,  26,  216, 236, 47,  22,  177,
                                  12,  76,  152, 46,  8,   118, 168, 120, 173, 109, 241,
                                  68,  86,  110, 225, 137, 74,  203, 112, 249, 195};
  EXPECT_EQ(base64url_encode(std::string(reinterpret_cast<const char*>(digest), sizeof digest)),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

// ---- queries ----------------------------------------------------------------------

TEST(Query, ParseKeepsOrderAndDecodes) {
  QueryParams p = parse_query("b=2&a=1&b=3&flag&e=&sp=a+b%20c&enc%3D=x%26y&&");
  QueryParams expected = {{"b", "2"}, {"a", "1"},      {"b", "3"},       {"flag", ""},
                          {"e", ""},  {"sp", "a b c"}, {"enc=", "x&y"}};
  EXPECT_EQ(p, expected);
  EXPECT_TRUE(parse_query("").empty());
}

TEST(Query, BuildEncodesNamesAndValues) {
  EXPECT_EQ(build_query({{"a b", "c&d"}, {"x", "é=1"}, {"e", ""}}), "a+b=c%26d&x=%C3%A9%3D1&e=");
  EXPECT_EQ(build_query({}), "");
}

TEST(Query, RoundTrips) {
  QueryParams p = {{"z", "last"}, {"key", "v a/l+u&e=?#"}, {"ü", "ß"}, {"z", "again"}, {"", ""}};
  EXPECT_EQ(parse_query(build_query(p)), (QueryParams{{"z", "last"}, {"key", "v a/l+u&e=?#"}, {"ü", "ß"},
                                                      {"z", "again"}, {"", ""}}));
}

}  // namespace
}  // namespace connauth
