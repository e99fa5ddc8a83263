// What a connector means for one app and connection, answered for the hosts
// as JSON in the Result envelope of json_io.h (the WASM bindings expose
// these): the connect form (connect_form.h) and the egress hosts (egress.h).
// When a refresh is due and the identity are flow_api.h's refresh_deadline
// and connection_identity. No host reads these from the definition itself
// (SPEC §10: whatever a connector means is decided by the engine).
#pragma once

#include "json.h"

#include "connector.h"

namespace connauth {

// -> {"type": the authorization type in force (null while `selected` picks
//     no option), "option": its multi key or null, "choice_field": the
//     connection field a form sets to an option key (null when the user
//     does not choose), "options": [{"key", "label", "type", "fields",
//     "noopener"}],
//     "fields": the fields to ask for, "noopener", "values": the connection
//     hash to start from, "problems": [{"path": "/fields/<name>", "message"}]}.
// Fields: {"name", "label", "optional", "secret", "default"?, "hint"?}.
// `context` is connect_form.h's.
nlohmann::json connect_form_json(const Connector& connector, const nlohmann::json& context);

// -> {"hosts": ["host[:port]"...], "unresolved": [JSON pointers]}.
nlohmann::json egress_json(const Connector& connector, const nlohmann::json& context);

}  // namespace connauth
