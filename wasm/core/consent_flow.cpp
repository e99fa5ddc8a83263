// Placeholder until the console work lands: answers that no transition exists.
#include "consent_flow.h"

#include "json_io.h"

namespace connauth {

nlohmann::json consent_step(const nlohmann::json&, const nlohmann::json&) {
  return error_envelope("/event", "the consent state machine is not built yet");
}

}  // namespace connauth
