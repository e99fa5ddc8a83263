// libFuzzer target, differential: a bound connection (bound_connection.h)
// must answer every request exactly as the one-shot apply (engine.h) does —
// the same problems, or edits that give the same request — whatever the
// request, including the URL shortcut of url.h BaseUrl and the rule edits
// it remembers per set of matching rules.
//
// Input layout:
//   byte 0     the connector (kConnectors, bits 0-1), the caller's other
//              headers (kCallerHeaders, bits 2-6), the context variant (bit 7)
//   byte 1     the method (kMethods)
//   byte 2     the Content-Type (kTypes; the last means none)
//   rest       url, a 0 byte, body
#include "json.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bound_connection.h"
#include "engine.h"
#include "json_io.h"

namespace {

using nlohmann::json;

constexpr std::array<const char*, 4> kConnectors = {
    R"({"name": "rules", "connection": {"base_uri": "https://api.example/v1/"},
        "authorization": {"type": "api_key", "apply": [
          {"headers": {"Authorization": "Token {{connection.key}}", "Content-Type": "application/vnd.api+json"}},
          {"when": {"url": {"prefix": "https://api.example/v1/cost/"}}, "headers": {"content-type": "application/json"}},
          {"when": {"verb": ["POST", "PUT", "PATCH"]}, "payload": {"api_token": "{{connection.key}}", "n": {"m": [1, "{{connection.key}}"]}}},
          {"params": {"authtoken": "{{connection.key}}", "a b": "c&d"}},
          {"when": {"url": {"regex": "/v\\d+/(files|uploads)\\b"}}, "params": {"authtoken": "x"}, "headers": {"Content-Length": "0"}},
          {"when": {"url": {"contains": "/signed/"}}, "params": {"sig": "{{connection.secret}}"}},
          {"when": {"url": {"contains": "/inject/"}}, "headers": {"X-Inject": "{{connection.evil}}"}},
          {"when": {"url": {"contains": "#"}}, "basic": {"username": "{{connection.user}}", "password": "p"}},
          {"payload": {"k": "{{connection.missing}}"}, "when": {"url": {"contains": "/missing/"}}}
        ]}})",
    R"({"name": "sub", "connection": {"base_uri": "https://{{connection.sub}}.example/a/b"},
        "authorization": {"type": "oauth2", "authorization_url": "https://a.example/a", "token_url": "https://a.example/t"}})",
    R"({"name": "nobase", "authorization": {"type": "basic_auth"}})",
    R"({"name": "odd", "connection": {"base_uri": "https://h.example/x/../y/?q#f"},
        "authorization": {"type": "api_key", "apply": [{"params": {"q": "{{connection.key}}"}}]}})",
};

// Headers the caller sent besides Content-Type; names repeat and differ in
// case, so that "replaces every same-named header" is exercised.
constexpr std::array<std::pair<const char*, const char*>, 5> kCallerHeaders = {{
    {"authorization", "forged"}, {"X-INJECT", "a"}, {"content-length", "3"}, {"Accept", "*/*"}, {"x-inject", "b"}}};

constexpr std::array<const char*, 6> kMethods = {"GET", "post", "PUT", "PATCH", "DELETE", "bad method"};
constexpr std::array<const char*, 6> kTypes = {"application/json", "application/x-www-form-urlencoded",
                                               "Application/Problem+JSON; charset=utf-8", "text/plain", "", nullptr};

void require(bool condition) {
  if (!condition) __builtin_trap();
}

const connauth::Connector& connector(size_t i) {
  static std::array<std::unique_ptr<connauth::Connector>, kConnectors.size()> parsed;
  if (!parsed[i]) {
    auto result = connauth::parse_connector(kConnectors[i]);
    require(result.ok());
    parsed[i] = std::make_unique<connauth::Connector>(std::move(*result.value));
  }
  return *parsed[i];
}

json context(bool variant) {
  if (variant) return {{"connection", {{"key", "k"}}}};
  return {{"connection", {{"key", "k&y é"}, {"evil", "a\r\nb"}, {"user", "a:b"}, {"sub", "eu"},
                          {"username", "u"}, {"password", "p"}, {"access_token", "t"}}}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  size_t which = data[0] % kConnectors.size();
  bool variant = data[0] & 0x80;
  const char* method = kMethods[data[1] % kMethods.size()];
  const char* type = kTypes[data[2] % kTypes.size()];
  std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);
  size_t cut = rest.find('\0');
  std::string url(rest.substr(0, cut));
  std::string body(cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1));

  json headers = json::array();
  for (size_t i = 0; i < kCallerHeaders.size(); ++i)
    if (data[0] & (4 << i)) headers.push_back({kCallerHeaders[i].first, kCallerHeaders[i].second});
  if (type) headers.push_back({"Content-Type", type});
  json request = {{"method", method}, {"url", url}, {"body", body}, {"headers", headers}};
  // nlohmann refuses invalid UTF-8 when it serialises, so requests whose
  // text the one-shot path cannot take as JSON are left out.
  try {
    (void)request.dump();
  } catch (...) {
    return 0;
  }
  const connauth::Connector& c = connector(which);
  json one_shot = connauth::apply_to_request(c, context(variant), request);

  static std::array<std::array<std::unique_ptr<connauth::BoundConnection>, 2>, kConnectors.size()> bound;
  auto& slot = bound[which][variant ? 1 : 0];
  if (!slot) {
    auto result = connauth::BoundConnection::bind(c, context(variant));
    require(result.ok());
    slot = std::make_unique<connauth::BoundConnection>(std::move(*result.value));
  }
  std::optional<std::string_view> content_type;
  if (type) content_type = type;
  auto edits = slot->apply(method, url, content_type, body);
  if (!edits.ok()) {
    require(one_shot == connauth::error_envelope(edits.errors));
    return 0;
  }
  auto parsed = connauth::request_from_json(request, "/request");
  require(parsed.ok());
  connauth::HttpRequest out = std::move(*parsed.value);
  out.url = edits.value->url;
  for (const auto& [name, value] : edits.value->headers) out.headers.set(name, std::string(value));
  if (edits.value->body) {
    out.body = *edits.value->body;
    if (out.headers.get("Content-Length")) out.headers.set("Content-Length", std::to_string(out.body.size()));
  }
  require(one_shot == connauth::ok_envelope(connauth::request_to_json(out)));
  return 0;
}
