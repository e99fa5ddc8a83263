// URL handling for apply rules and connector requests: enough of RFC 3986 to
// resolve a request path against `connection.base_uri`, read and rewrite the
// query, and percent-encode values. Pure functions, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "result.h"

namespace connauth {

struct Url {
  std::string scheme;    // lower case, "http" or "https" for requests
  std::string userinfo;  // as written (without '@'); requests refuse it
  std::string host;      // lower case; an IPv6 literal keeps its brackets ("[::1]")
  std::string port;      // digits or empty
  std::string path;      // as written, starts with "/" (or empty)
  std::string query;     // without '?', as written
  std::string fragment;  // without '#'
  // Whether the text had "//authority", a '?' or a '#' (which may be followed
  // by nothing); to_string also writes a part when it is non-empty.
  bool has_authority = false;
  bool has_query = false;
  bool has_fragment = false;

  std::string origin() const;     // scheme://host[:port]
  // host[:port] with the port only when it is not the scheme's default: the
  // Host header a client sends (RFC 9110 §7.2).
  std::string host_header() const;
  std::string to_string() const;  // reassembled
};

// Parses an absolute URL; a problem (at `where`) says what is wrong.
Result<Url> parse_url(std::string_view text, const std::string& where = "");

// Resolves `reference` (absolute, or relative such as "me" or "/v2/me")
// against `base` per RFC 3986 §5.2.
Result<std::string> resolve_url(std::string_view base, std::string_view reference,
                                const std::string& where = "");

// Whether `reference` starts with a scheme ("https:", "mailto:"), as RFC 3986
// §4.1 reads it: if not, it is a relative reference and parse_url fails.
bool has_scheme(std::string_view reference);

// A base URL prepared once to resolve many references against it (a bound
// connection's base_uri). `plain` when it is a valid http(s) URL without
// userinfo whose path has no dot segments: then a plain reference — a
// non-empty path without dot segments, backslashes, spaces or control
// characters, before any query and fragment, that is not a network-path
// ("//host") or scheme reference — resolves by concatenation, to exactly
// what resolve_url(text, reference) answers, and the result is a valid
// http(s) URL without userinfo.
struct BaseUrl {
  std::string text;       // as given
  bool plain = false;
  std::string origin;     // scheme://host[:port], normalised as resolve_url writes it
  std::string directory;  // the path up to and including its last '/'

  static BaseUrl prepare(std::string text);
  // Writes the resolved URL for a plain base and reference into `out` (its
  // capacity reused: a bound connection resolves every request into one
  // buffer); false, `out` unchanged, otherwise (then use resolve_url).
  bool resolve_plain(std::string_view reference, std::string& out) const;
};

// application/x-www-form-urlencoded (WHATWG URL §5): ' ' -> '+', unreserved kept.
std::string form_encode(std::string_view s);
// RFC 3986 percent-encoding of everything except unreserved characters
// (the `urlencode` template filter).
std::string percent_encode(std::string_view s);
std::string percent_decode(std::string_view s, bool plus_is_space);

using QueryParams = std::vector<std::pair<std::string, std::string>>;
QueryParams parse_query(std::string_view query);         // decoded pairs
std::string build_query(const QueryParams& params);      // form-encoded
// The pairs percent-encoded (percent_encode), sorted by name then value and
// joined as name=value with '&': the normalized parameters of OAuth 1.0a
// (RFC 5849 §3.4.1.3.2) and the canonical query of AWS SigV4.
std::string sorted_encoded_query(const QueryParams& params);

// Sets `params` (unique names) in an encoded query or form body: the first
// pair with the same (decoded) name is replaced in place and later ones are
// dropped; new names are appended in order; every other pair is kept exactly
// as written. Values are form-encoded.
std::string set_query_params(std::string_view query, const QueryParams& params);
// The same on the query of a whole URL; the fragment is kept.
std::string set_url_query_params(std::string_view url, const QueryParams& params);
// The same with params already encoded (a bound connection encodes its
// params once): `pair` is encoded_param(name, value).
struct EncodedParam {
  std::string_view name;
  std::string_view pair;
};
std::string encoded_param(std::string_view name, std::string_view value);  // "name=value", form-encoded
std::string set_query_params(std::string_view query, const std::vector<EncodedParam>& params);
std::string set_url_query_params(std::string_view url, const std::vector<EncodedParam>& params);

std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);  // no padding (RFC 7636 §4.2)
// RFC 4648 §5 without padding (a JWT's segments, RFC 7515 §2); nothing when
// `text` holds another character or cannot be a whole number of bytes.
std::optional<std::string> base64url_decode(std::string_view text);
std::string hex_encode(std::string_view bytes);        // lowercase, two digits per byte
std::optional<std::string> hex_decode(std::string_view hex);  // none unless pairs of hex digits

}  // namespace connauth
