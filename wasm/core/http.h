// Plain HTTP messages. The core never performs I/O: it builds
// HttpRequest values for a host to send and reads HttpResponse values a host
// received.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace connauth {

// Ordered header list. Names compare case-insensitively (RFC 9110 §5.1);
// the spelling of the first insertion is kept.
class Headers {
 public:
  using Entry = std::pair<std::string, std::string>;

  // The value of the first header named `name`, or nullptr.
  const std::string* get(std::string_view name) const;
  // Replaces every header named `name` by one with `value` (at the position
  // of the first one, or at the end).
  void set(std::string_view name, std::string value);
  void add(std::string name, std::string value);
  void remove(std::string_view name);

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
};

bool iequals(std::string_view a, std::string_view b);

// Why a value the core rendered cannot go into a header, or nullptr when it
// can (RFC 9110 §5.5). A CR, LF or NUL would split the header (request
// smuggling). A character above U+00FF cannot be carried at all: the hosts
// hand headers to fetch as byte strings, one byte per character
// (ISO-8859-1), and fetch refuses it. `utf8` is the rendered UTF-8 text;
// bytes that are not UTF-8 count as such a character (a host would decode
// them to U+FFFD).
const char* header_value_problem(std::string_view utf8);
std::string to_upper(std::string_view s);

// A JWT the host signs before sending (jwt.h): its `signing_input` stands in
// the request where the JWT goes.
struct JwtToSign {
  std::string signing_input;
  std::string alg;         // RS256 | ES256
  std::string key;         // the PEM text: never logged, never answered
  std::string key_source;  // names the key in a signing failure (a pointer), never its value
};

struct HttpRequest {
  std::string method;  // upper case
  std::string url;     // absolute
  Headers headers;
  std::string body;
  std::vector<JwtToSign> jwts;  // to sign before sending; usually none
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

}  // namespace connauth
