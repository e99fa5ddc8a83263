#include "oauth1.h"

#include "hmac.h"

namespace connauth {

std::optional<std::string> oauth1_base_string(std::string_view method, std::string_view url,
                                              std::string_view form_body, const QueryParams& oauth) {
  auto parsed = parse_url(url);
  if (!parsed.ok()) return std::nullopt;
  const Url& u = *parsed.value;
  // §3.4.1.2: the port only when it is not the scheme's default.
  std::string base_uri = u.scheme + "://" + u.host_header() + (u.path.empty() ? "/" : u.path);
  // §3.4.1.3.1: query, form body and protocol parameters, form-decoded.
  QueryParams params = parse_query(u.query);
  for (auto& pair : parse_query(form_body)) params.push_back(std::move(pair));
  params.insert(params.end(), oauth.begin(), oauth.end());
  std::string upper(method);
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return upper + '&' + percent_encode(base_uri) + '&' + percent_encode(sorted_encoded_query(params));
}

std::string oauth1_signature(std::string_view base_string, std::string_view consumer_secret,
                             std::string_view token_secret) {
  std::string key = percent_encode(consumer_secret) + '&' + percent_encode(token_secret);
  return base64_encode(hmac_sha1(key, base_string));
}

std::string oauth1_header(const QueryParams& oauth) {
  std::string out = "OAuth ";
  for (const auto& [name, value] : oauth) {
    if (out.size() > 6) out += ", ";
    out += percent_encode(name) + "=\"" + percent_encode(value) + '"';
  }
  return out;
}

}  // namespace connauth
