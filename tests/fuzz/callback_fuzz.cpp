// The OAuth callback query comes from whoever can make the user's browser
// open the callback URL: verifying it must never crash or throw, and must
// accept nothing but the pending state.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "authorization_flow.h"
#include "flow_api.h"

using namespace connauth;

namespace {

constexpr int64_t kNow = 1700000000;

const PendingAuthorization& pending() {
  static const PendingAuthorization p{"AAECAwQFBgcICQoLDA0ODw", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                                      kNow + 600, "https://app.example/cb"};
  return p;
}

const Connector& connector() {
  static const Connector c = *parse_connector(std::string(R"({"name": "acme",
    "authorization": {"type": "oauth2", "authorization_url": "https://auth.example/authorize",
                      "token_url": "https://auth.example/token"}})")).value;
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string query(reinterpret_cast<const char*>(data), size);
  QueryParams params = parse_query(query);
  std::optional<std::string> issuer;
  if (size > 0 && data[0] & 1) issuer = "https://auth.example";

  CallbackResult r = verify_callback(params, pending(), issuer, kNow);
  if (r.ok() == r.error.has_value()) std::abort();
  if (r.ok()) {
    // Accepted only with exactly one state equal to the pending one.
    int states = 0;
    for (const auto& [name, value] : params)
      if (name == "state") {
        ++states;
        if (value != pending().state) std::abort();
      }
    if (states != 1 || r.code->empty()) std::abort();
  }

  nlohmann::json context = {{"app", {{"client_id", "cid"}, {"client_secret", "cs"}}},
                            {"flow", {{"redirect_uri", "https://app.example/cb"}}}};
  nlohmann::json out = authorize_callback(connector(), context, to_json(pending()), query, kNow);
  if (!out.is_object() || !out.contains("ok")) std::abort();
  (void)out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
