#include "aws_sigv4.h"

#include <algorithm>

#include "hmac.h"
#include "sha256.h"
#include "url.h"

namespace connauth {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

// Leading and trailing spaces removed, runs of spaces inside made one.
std::string trimmed(std::string_view value) {
  std::string out;
  for (char c : value) {
    bool space = c == ' ' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The canonical URI: every path segment URI-encoded once more (the URL's
// path is already encoded on the wire), empty and dot segments removed;
// S3 alone takes the path as it is sent (decoded, then encoded once).
std::string canonical_path(std::string_view path, std::string_view service) {
  bool s3 = service == "s3";
  std::vector<std::string> segments;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(pos, end - pos);
    if (s3) {
      segments.push_back(percent_encode(percent_decode(segment, false)));
    } else if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(percent_encode(segment));
    }
    pos = end + 1;
  }
  std::string out;
  for (const std::string& segment : segments) out += '/' + segment;
  if (out.empty() || (!s3 && path.size() > 1 && path.back() == '/')) out += '/';
  return out;
}

struct Canonical {
  std::string request;
  std::string signed_headers;
};

Canonical canonicalize(const SigV4Request& request, std::string_view service) {
  auto parsed = parse_url(request.url);
  if (!parsed.ok()) return {};
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) headers.emplace_back(lower(name), trimmed(value));
  std::sort(headers.begin(), headers.end());
  Canonical out;
  out.request = std::string(request.method) + '\n' + canonical_path(parsed.value->path, service) + '\n' +
                sorted_encoded_query(parse_query(parsed.value->query)) + '\n';
  for (const auto& [name, value] : headers) {
    out.request += name + ':' + value + '\n';
    if (!out.signed_headers.empty()) out.signed_headers += ';';
    out.signed_headers += name;
  }
  out.request += '\n' + out.signed_headers + '\n' + std::string(request.payload_hash);
  return out;
}

}  // namespace

std::string sigv4_canonical_request(const SigV4Request& request, std::string_view service) {
  return canonicalize(request, service).request;
}

std::string sigv4_authorization(const SigV4Request& request, const SigV4Credentials& credentials,
                                const SigV4Scope& scope) {
  Canonical canonical = canonicalize(request, scope.service);
  if (canonical.request.empty()) return "";
  std::string_view date = request.amz_date.substr(0, 8);
  std::string credential_scope =
      std::string(date) + '/' + std::string(scope.region) + '/' + std::string(scope.service) + "/aws4_request";
  std::string string_to_sign = "AWS4-HMAC-SHA256\n" + std::string(request.amz_date) + '\n' + credential_scope +
                               '\n' + sha256_hex(canonical.request);
  std::string key = hmac_sha256("AWS4" + std::string(credentials.secret_access_key), date);
  key = hmac_sha256(key, scope.region);
  key = hmac_sha256(key, scope.service);
  key = hmac_sha256(key, "aws4_request");
  return "AWS4-HMAC-SHA256 Credential=" + std::string(credentials.access_key_id) + '/' + credential_scope +
         ", SignedHeaders=" + canonical.signed_headers +
         ", Signature=" + hex_encode(hmac_sha256(key, string_to_sign));
}

}  // namespace connauth
