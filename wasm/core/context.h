// What every operation on one connection starts from: the authorization in
// force (the `multi` option the connection selected, SPEC §2.2) and the
// template scope built for it (SPEC §2.1).
#pragma once

#include "json.h"

#include "connector.h"
#include "result.h"
#include "stamp.h"

namespace connauth {

struct ConnectionContext {
  const Authorization* authorization = nullptr;  // points into the Connector
  nlohmann::json scope;
  Stamp stamp;  // context.stamp (stamp.h); its values are in `scope`
};

// `context` is the host's {"connection", "app", "flow", "stamp"} object
// (scope.h, stamp.h).
Result<ConnectionContext> resolve_context(const Connector& connector, const nlohmann::json& context);

}  // namespace connauth
