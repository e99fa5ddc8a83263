// URLs per RFC 3986, kept strict where a lenient reading would let our view
// of a URL differ from the fetching host's (WHATWG URL): such a difference
// would let a request reach a host other than the one apply rules and the
// egress list checked (SPEC §7: "Nothing a caller sends can ... reach a host
// outside the app's egress list").
#include "url.h"

#include <algorithm>
#include <cstdint>

namespace connauth {

namespace {

// ---- character classes (RFC 3986 §2) ---------------------------------------

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }

// §2.3 unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
bool is_unreserved(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

// §2.2 sub-delims
bool is_sub_delim(char c) {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')':
    case '*': case '+': case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return c - 'a' + 10;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// ---- generic split (RFC 3986 Appendix B) ------------------------------------

// A URI reference split into its five components; an absent component (no
// "scheme:", no "//", no '?', no '#') differs from an empty one (§5.2.2).
struct Reference {
  std::optional<std::string> scheme;
  std::optional<std::string> authority;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;
};

// §3.1 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), ended by ':'
// before any '/', '?' or '#' (otherwise "a/b:c" is a relative path). The
// length of the scheme, 0 if there is none.
size_t scheme_length(std::string_view text) {
  if (text.empty() || !is_alpha(text[0])) return 0;
  size_t i = 1;
  while (i < text.size() && (is_alpha(text[i]) || is_digit(text[i]) || text[i] == '+' ||
                             text[i] == '-' || text[i] == '.'))
    ++i;
  return i < text.size() && text[i] == ':' ? i : 0;
}

Reference split_reference(std::string_view text) {
  Reference r;
  size_t pos = 0;
  if (size_t length = scheme_length(text)) {
    r.scheme = std::string(text.substr(0, length));
    pos = length + 1;
  }
  if (text.compare(pos, 2, "//") == 0) {
    size_t end = text.find_first_of("/?#", pos + 2);
    if (end == std::string_view::npos) end = text.size();
    r.authority = std::string(text.substr(pos + 2, end - pos - 2));
    pos = end;
  }
  size_t path_end = text.find_first_of("?#", pos);
  if (path_end == std::string_view::npos) path_end = text.size();
  r.path = std::string(text.substr(pos, path_end - pos));
  pos = path_end;
  if (pos < text.size() && text[pos] == '?') {
    size_t end = text.find('#', pos);
    if (end == std::string_view::npos) end = text.size();
    r.query = std::string(text.substr(pos + 1, end - pos - 1));
    pos = end;
  }
  if (pos < text.size() && text[pos] == '#') r.fragment = std::string(text.substr(pos + 1));
  return r;
}

// §5.3 component recomposition.
std::string recompose(const Reference& r) {
  std::string out;
  if (r.scheme) out += *r.scheme + ":";
  if (r.authority) out += "//" + *r.authority;
  out += r.path;
  if (r.query) out += "?" + *r.query;
  if (r.fragment) out += "#" + *r.fragment;
  return out;
}

// ---- validation -------------------------------------------------------------

// Spaces and control characters are never part of a URL (§2); WHATWG would
// strip tabs and newlines silently, so a URL holding them means something
// else to the host than it says.
std::optional<std::string> find_forbidden_character(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ' ')
      return "contains a space (at character " + std::to_string(i + 1) +
             "); percent-encode it as %20";
    if (c < 0x20 || c == 0x7f)
      return "contains a control character (at character " + std::to_string(i + 1) +
             "); percent-encode it or remove it";
  }
  return std::nullopt;
}

// Reads "[...]" (§3.2.2 IP-literal): an IPv6 address or "vX.…" IPvFuture.
std::optional<std::string> check_ip_literal(std::string_view literal) {
  std::string_view inner = literal.substr(1, literal.size() - 2);
  if (inner.empty()) return std::string("has an empty IPv6 address []");
  if (inner[0] == 'v' || inner[0] == 'V') {
    for (char c : inner)
      if (!is_unreserved(c) && !is_sub_delim(c) && c != ':')
        return std::string("has an invalid IPvFuture address in brackets");
    return std::nullopt;
  }
  bool has_colon = false;
  for (char c : inner) {
    if (c == ':') has_colon = true;
    else if (!is_hex(c) && c != '.')
      return "has an invalid IPv6 address [" + std::string(inner) +
             "]; only hex digits, ':' and '.' may appear in brackets (zone ids are not supported)";
  }
  if (!has_colon) return "has an invalid IPv6 address [" + std::string(inner) + "]";
  return std::nullopt;
}

// Whether WHATWG URL reads the host as an IPv4 address: its last label
// (before one trailing dot) is a decimal or 0x-hex number (URL Standard
// §3.5 "ends in a number checker").
bool ends_in_a_number(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string_view last = host.substr(host.rfind('.') == std::string_view::npos ? 0 : host.rfind('.') + 1);
  if (!last.empty() && std::all_of(last.begin(), last.end(), is_digit)) return true;
  return last.size() >= 2 && last[0] == '0' && lower(last[1]) == 'x' &&
         std::all_of(last.begin() + 2, last.end(), is_hex);
}

// Four decimal numbers 0..255 without leading zeros: the one form of an
// IPv4 address that RFC 3986 and WHATWG URL read alike.
bool is_dotted_decimal(std::string_view host) {
  int labels = 0;
  size_t start = 0;
  for (size_t i = 0; i <= host.size(); ++i) {
    if (i < host.size() && host[i] != '.') continue;
    std::string_view label = host.substr(start, i - start);
    if (label.empty() || label.size() > 3 || (label.size() > 1 && label[0] == '0')) return false;
    int value = 0;
    for (char c : label) value = is_digit(c) ? value * 10 + (c - '0') : 256;
    if (value > 255) return false;
    ++labels;
    start = i + 1;
  }
  return labels == 4;
}

std::optional<std::string> check_host_name(std::string_view host) {
  if (ends_in_a_number(host) && !is_dotted_decimal(host))
    return std::string("has a host that fetch reads as an IPv4 address written another way; write it as a.b.c.d");
  for (char c : host) {
    if (static_cast<unsigned char>(c) >= 0x80)
      return std::string("has a host name with non-ASCII characters; write its punycode (xn--...) form");
    if (c == '%')
      return std::string("has a percent-encoded host name; write the host name plainly");
    if (!is_unreserved(c) && !is_sub_delim(c))
      return std::string("has the character '") + c + "' in its host name, where it is not allowed";
  }
  return std::nullopt;
}

// Fills host and port from "host[:port]" (userinfo already removed).
std::optional<std::string> read_host_port(std::string_view hostport, Url& url) {
  std::string_view host = hostport;
  std::string_view port;
  if (!hostport.empty() && hostport[0] == '[') {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return std::string("has an IPv6 address without its closing ']'");
    host = hostport.substr(0, close + 1);
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty() && rest[0] != ':')
      return std::string("has text after the IPv6 address where only :port may follow");
    if (!rest.empty()) port = rest.substr(1);
    if (auto problem = check_ip_literal(host)) return problem;
  } else {
    size_t colon = hostport.find(':');
    if (colon != std::string_view::npos) {
      host = hostport.substr(0, colon);
      port = hostport.substr(colon + 1);
    }
    if (auto problem = check_host_name(host)) return problem;
  }
  unsigned long number = 0;
  for (char c : port) {
    if (!is_digit(c)) return std::string("has a port that is not a number; write host:443 or leave the port out");
    number = number * 10 + unsigned(c - '0');
    if (number > 65535) return std::string("has a port above 65535");
  }
  url.host = to_lower(host);
  url.port = std::string(port);
  return std::nullopt;
}

bool is_http(const std::string& scheme) { return scheme == "http" || scheme == "https"; }

// ---- RFC 3986 §5.2.3 and §5.2.4 ---------------------------------------------

std::string merge_paths(const Reference& base, const std::string& reference_path) {
  if (base.authority && base.path.empty()) return "/" + reference_path;
  size_t slash = base.path.rfind('/');
  if (slash == std::string::npos) return reference_path;
  return base.path.substr(0, slash + 1) + reference_path;
}

void pop_last_segment(std::string& output) {
  size_t slash = output.rfind('/');
  output.erase(slash == std::string::npos ? 0 : slash);
}

// Whether a segment is "." (1) or ".." (2) as WHATWG URL reads it, which also
// takes "%2e" for a dot (URL Standard §4.1 "single-dot URL path segment"):
// fetch would remove such a segment, so ours must too, or an apply rule's
// URL prefix and the request sent would see different paths.
int dot_segment(std::string_view segment) {
  int dots = 0;
  for (size_t i = 0; i < segment.size(); ++dots) {
    if (segment[i] == '.') {
      i += 1;
    } else if (segment.size() - i >= 3 && segment[i] == '%' && segment[i + 1] == '2' && lower(segment[i + 2]) == 'e') {
      i += 3;
    } else {
      return 0;
    }
  }
  return dots <= 2 ? dots : 0;
}

// The path with every encoded dot segment ("%2e", ".%2E", ...) written as
// "." or "..", for the RFC 3986 §5.2.4 removal below.
std::string plain_dot_segments(std::string_view path) {
  std::string out;
  size_t start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    std::string_view segment = path.substr(start, i - start);
    int dots = dot_segment(segment);
    out.append(dots == 1 ? "." : dots == 2 ? ".." : segment);
    if (i < path.size()) out += '/';
    start = i + 1;
  }
  return out;
}

std::string remove_dot_segments(std::string_view path) {
  const std::string plain = plain_dot_segments(path);
  std::string_view input = plain;
  std::string output;
  size_t pos = 0;
  while (pos < input.size()) {
    std::string_view rest = input.substr(pos);
    if (starts_with(rest, "../")) {
      pos += 3;  // A
    } else if (starts_with(rest, "./")) {
      pos += 2;  // A
    } else if (starts_with(rest, "/./")) {
      pos += 2;  // B: "/./" -> "/"
    } else if (rest == "/.") {
      output += '/';  // B
      break;
    } else if (starts_with(rest, "/../")) {
      pos += 3;  // C: "/../" -> "/", dropping the last output segment
      pop_last_segment(output);
    } else if (rest == "/..") {
      pop_last_segment(output);  // C
      output += '/';
      break;
    } else if (rest == "." || rest == "..") {
      break;  // D
    } else {
      size_t next = rest.find('/', 1);  // E: move the first segment
      if (next == std::string_view::npos) next = rest.size();
      output.append(rest.substr(0, next));
      pos += next;
    }
  }
  return output;
}

// Whether a path has a "." or ".." segment, encoded or not (RFC 3986 §5.2.4
// and fetch would rewrite it).
bool has_dot_segment(std::string_view path) {
  size_t start = 0;  // of the current segment
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    if (dot_segment(path.substr(start, i - start)) > 0) return true;
    start = i + 1;
  }
  return false;
}

// ---- encoding ---------------------------------------------------------------

constexpr char kHex[] = "0123456789ABCDEF";

void append_percent(std::string& out, unsigned char c) {
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

void append_form_encoded(std::string& out, std::string_view s) {
  for (char c : s) {
    if (is_unreserved(c)) out += c;
    else if (c == ' ') out += '+';
    else append_percent(out, static_cast<unsigned char>(c));
  }
}

std::string base64_with(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8 |
                 uint32_t(uint8_t(bytes[i + 2]));
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  size_t left = bytes.size() - i;
  if (left == 0) return out;
  uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
  if (left == 2) n |= uint32_t(uint8_t(bytes[i + 1])) << 8;
  out += alphabet[(n >> 18) & 63];
  out += alphabet[(n >> 12) & 63];
  if (left == 2) out += alphabet[(n >> 6) & 63];
  if (pad) out.append(left == 1 ? "==" : "=");
  return out;
}

}  // namespace

std::string Url::origin() const {
  std::string out = scheme + "://" + host;
  if (!port.empty()) out += ":" + port;
  return out;
}

std::string Url::host_header() const {
  bool default_port = port.empty() || (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  return default_port ? host : host + ":" + port;
}

std::string Url::to_string() const {
  std::string out = scheme + ":";
  if (has_authority || !host.empty()) {
    out += "//";
    if (!userinfo.empty()) out += userinfo + "@";
    out += host;
    if (!port.empty()) out += ":" + port;
  }
  out += path;
  if (has_query || !query.empty()) out += "?" + query;
  if (has_fragment || !fragment.empty()) out += "#" + fragment;
  return out;
}

Result<Url> parse_url(std::string_view text, const std::string& where) {
  auto fail = [&](std::string message) { return Result<Url>::failure(where, std::move(message)); };
  if (text.empty()) return fail("is empty; give an absolute URL such as https://api.example.com/");
  if (auto problem = find_forbidden_character(text)) return fail(*problem);
  Reference r = split_reference(text);
  if (!r.scheme)
    return fail("is not an absolute URL: it has no scheme; write it as https://host/path");
  Url url;
  url.scheme = to_lower(*r.scheme);
  bool http = is_http(url.scheme);
  // WHATWG reads '\' as '/' in http(s) URLs, so "https://a.example\@b.example/"
  // is a.example to the host and b.example to RFC 3986: refuse it.
  if (http && (r.authority.value_or("").find('\\') != std::string::npos ||
               r.path.find('\\') != std::string::npos))
    return fail("contains a backslash before the query; write '/' or percent-encode it as %5C");
  if (r.authority) {
    url.has_authority = true;
    std::string_view authority = *r.authority;
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      url.userinfo = std::string(authority.substr(0, at));
      authority = authority.substr(at + 1);
    }
    if (auto problem = read_host_port(authority, url)) return fail(*problem);
  }
  if (http && url.host.empty())
    return fail("has no host; write it as " + url.scheme + "://host/path");
  url.path = std::move(r.path);
  url.has_query = r.query.has_value();
  url.query = r.query.value_or("");
  url.has_fragment = r.fragment.has_value();
  url.fragment = r.fragment.value_or("");
  return Result<Url>::success(std::move(url));
}

Result<std::string> resolve_url(std::string_view base, std::string_view reference,
                                const std::string& where) {
  auto fail = [&](std::string message) { return Result<std::string>::failure(where, std::move(message)); };
  auto base_url = parse_url(base, where);
  if (!base_url.ok())
    return fail("cannot be resolved: the base URL it is relative to " + base_url.errors.front().message);
  if (auto problem = find_forbidden_character(reference)) return fail(*problem);

  // RFC 3986 §5.2.2 (strict: a reference with a scheme is absolute).
  Reference b = split_reference(base);
  Reference r = split_reference(reference);
  Reference t;
  if (r.scheme) {
    t = r;
    t.path = remove_dot_segments(r.path);
  } else {
    if (r.authority) {
      t.authority = r.authority;
      t.path = remove_dot_segments(r.path);
      t.query = r.query;
    } else {
      if (r.path.empty()) {
        t.path = b.path;
        t.query = r.query ? r.query : b.query;
      } else {
        t.path = remove_dot_segments(starts_with(r.path, "/") ? r.path : merge_paths(b, r.path));
        t.query = r.query;
      }
      t.authority = b.authority;
    }
    t.scheme = b.scheme;
  }
  t.fragment = r.fragment;

  // Re-parse the result: it validates the authority the reference brought
  // and normalises the case of scheme and host.
  auto resolved = parse_url(recompose(t), where);
  if (!resolved.ok()) return fail("resolves to a URL that " + resolved.errors.front().message);
  return Result<std::string>::success(resolved.value->to_string());
}

bool has_scheme(std::string_view reference) { return scheme_length(reference) > 0; }

BaseUrl BaseUrl::prepare(std::string text) {
  BaseUrl base;
  base.text = std::move(text);
  auto parsed = parse_url(base.text);
  if (!parsed.ok()) return base;
  const Url& url = *parsed.value;
  if (!is_http(url.scheme) || !url.userinfo.empty() || has_dot_segment(url.path)) return base;
  base.plain = true;
  base.origin = url.origin();
  // RFC 3986 §5.2.3: an empty base path with an authority merges as "/".
  base.directory = url.path.empty() ? "/" : url.path.substr(0, url.path.rfind('/') + 1);
  return base;
}

bool BaseUrl::resolve_plain(std::string_view reference, std::string& out) const {
  if (!plain) return false;
  // "./x" resolves as "x" (RFC 3986 §5.2.4 removes the "."); written so, a
  // first segment with ':' stays relative.
  bool dotted = starts_with(reference, "./");
  std::string_view rest = dotted ? reference.substr(2) : reference;
  std::string_view path = rest.substr(0, rest.find_first_of("?#"));
  if (path.empty()) return false;
  if (!dotted) {
    if (starts_with(path, "//")) return false;  // a network-path reference: another host
    // A ':' in the first segment may be a scheme: left to resolve_url.
    if (path.substr(0, path.find('/')).find(':') != std::string_view::npos) return false;
  }
  if (path.find('\\') != std::string_view::npos || has_dot_segment(path)) return false;
  for (char c : reference)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  bool under_directory = dotted || path[0] != '/';
  out.assign(origin);
  if (under_directory) out += directory;
  out.append(rest);
  return true;
}

std::string form_encode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_form_encoded(out, s);
  return out;
}

std::string percent_encode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (is_unreserved(c)) out += c;
    else append_percent(out, static_cast<unsigned char>(c));
  }
  return out;
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    // A '%' not followed by two hex digits stays as written (WHATWG URL §1.3).
    if (c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      out += char(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

QueryParams parse_query(std::string_view query) {
  QueryParams out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(pos, end - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string_view name = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      out.emplace_back(percent_decode(name, true), percent_decode(value, true));
    }
    pos = end + 1;
  }
  return out;
}

std::string build_query(const QueryParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += form_encode(name);
    out += '=';
    out += form_encode(value);
  }
  return out;
}

std::string sorted_encoded_query(const QueryParams& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [name, value] : params) encoded.emplace_back(percent_encode(name), percent_encode(value));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name + '=' + value;
  }
  return out;
}

std::string encoded_param(std::string_view name, std::string_view value) {
  std::string out;
  out.reserve(name.size() + value.size() + 1);
  append_form_encoded(out, name);
  out += '=';
  append_form_encoded(out, value);
  return out;
}

namespace {

// Whether a pair's encoded name decodes to `name`, decoding only when it
// holds an escape (the usual name is plain text).
bool name_is(std::string_view encoded, std::string_view name) {
  if (encoded.find_first_of("%+") == std::string_view::npos) return encoded == name;
  return percent_decode(encoded, true) == name;
}

// `params` with their pairs encoded; `storage` holds the pairs.
std::vector<EncodedParam> encoded(const QueryParams& params, std::vector<std::string>& storage) {
  storage.reserve(params.size());
  std::vector<EncodedParam> out;
  out.reserve(params.size());
  for (const auto& [name, value] : params) {
    storage.push_back(encoded_param(name, value));
    out.push_back({name, storage.back()});
  }
  return out;
}

}  // namespace

std::string set_query_params(std::string_view query, const QueryParams& params) {
  std::vector<std::string> storage;
  return set_query_params(query, encoded(params, storage));
}

std::string set_url_query_params(std::string_view url, const QueryParams& params) {
  std::vector<std::string> storage;
  return set_url_query_params(url, encoded(params, storage));
}

namespace {

// set_query_params, appending to `out`.
void append_query_params(std::string& out, std::string_view query, const std::vector<EncodedParam>& params) {
  std::vector<char> placed(params.size(), 0);
  size_t start = out.size();
  auto append = [&out, start](std::string_view pair) {
    if (out.size() > start) out += '&';
    out.append(pair.data(), pair.size());
  };
  size_t pos = 0;
  while (pos < query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;
    std::string_view name = pair.substr(0, pair.find('='));
    size_t i = 0;
    while (i < params.size() && !name_is(name, params[i].name)) ++i;
    if (i == params.size()) {
      append(pair);
    } else if (!placed[i]) {
      append(params[i].pair);
      placed[i] = 1;
    }
  }
  for (size_t i = 0; i < params.size(); ++i)
    if (!placed[i]) append(params[i].pair);
}

size_t pairs_size(const std::vector<EncodedParam>& params) {
  size_t size = 0;
  for (const EncodedParam& param : params) size += param.pair.size() + 1;
  return size;
}

}  // namespace

std::string set_query_params(std::string_view query, const std::vector<EncodedParam>& params) {
  std::string out;
  out.reserve(query.size() + pairs_size(params));
  append_query_params(out, query, params);
  return out;
}

std::string set_url_query_params(std::string_view url, const std::vector<EncodedParam>& params) {
  if (params.empty()) return std::string(url);
  size_t hash = url.find('#');
  std::string_view before_fragment = url.substr(0, hash);
  std::string_view fragment = hash == std::string_view::npos ? std::string_view() : url.substr(hash);
  size_t question = before_fragment.find('?');
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : before_fragment.substr(question + 1);
  std::string out;
  out.reserve(url.size() + 1 + pairs_size(params));
  std::string_view path = before_fragment.substr(0, question);
  out.append(path.data(), path.size());
  out += '?';
  append_query_params(out, query, params);
  out.append(fragment.data(), fragment.size());
  return out;
}

std::string base64_encode(std::string_view bytes) {
  return base64_with(bytes, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true);
}

std::string base64url_encode(std::string_view bytes) {
  return base64_with(bytes, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '-' ? 62
            : c == '_' ? 63 : -1;
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += char(hi * 16 + lo);
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace connauth
