// libFuzzer target: arbitrary bytes as a connector definition (SPEC §2).
// parse_connector must never crash, throw or hang, whatever it is given; for
// a definition it accepts, select_authorization and the problem messages
// must be usable too (messages are dumped strictly, so invalid UTF-8 in one
// would abort here), and so must what the hosts ask of it: the connect form
// and the egress hosts.
#include "json.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "connect_form.h"
#include "connector.h"
#include "connector_facts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  connauth::Result<connauth::Connector> parsed = connauth::parse_connector(text);
  if (parsed.ok() == !parsed.errors.empty()) std::abort();  // Result invariant
  for (const connauth::Problem& problem : parsed.errors)
    (void)nlohmann::json(problem.message).dump();
  if (parsed.ok()) {
    const connauth::Connector& connector = *parsed.value;
    nlohmann::json scope = {{"connection", {{"auth_type", "x"}}}};
    for (const connauth::AuthOption& option : connector.authorization.options)
      scope["connection"]["auth_type"] = option.key;
    (void)connauth::select_authorization(connector, scope);
    (void)connauth::to_string(connector.authorization.type);
    nlohmann::json context = {{"connection", scope["connection"]}, {"app", {{"settings", {{"region", "eu"}}}}}};
    (void)connauth::connect_form_json(connector, context).dump();
    (void)connauth::egress_json(connector, context).dump();
  }
  return 0;
}
