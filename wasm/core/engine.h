// The connector-author operations every host offers (SPEC §6 validate, apply,
// classify), JSON in and JSON out in the Result envelope of json_io.h. The
// flows of SPEC §3–§4 are in flow_api.h.
#pragma once

#include "json.h"

#include <string_view>

#include "connector.h"

namespace connauth {

// {"ok":true,"value":{"name","title","type","fields":[...], "warnings"?,
// "secret_fields_applied"?}} or every problem. `warnings` ({path, message})
// name apply rules that send the app's client_secret; `secret_fields_applied`
// ({field, path}) the secret fields apply rules send, which a host warns
// about when an app sets one in its settings (applied_secrets.h).
nlohmann::json validate_connector(std::string_view definition_text);

// One connection field for a UI: {"name", "label", "optional", "secret",
// "default"?, "hint"?}.
nlohmann::json field_to_json(const Field& field);

// Describes a valid connector for a UI: name, title, type, connection fields
// (including each multi option's), options, whether it uses OAuth.
nlohmann::json describe_connector(const Connector& connector);

// The request as the edge would send it: url made absolute, every matching
// apply rule applied (SPEC §2.4). `context` = {"connection","app"}. One
// call, one request (console preview, CLI); the edge binds each connection
// once instead (bound_connection.h), with the same rule semantics.
nlohmann::json apply_to_request(const Connector& connector, const nlohmann::json& context,
                                const nlohmann::json& request);

// SPEC §2.5 classification of a response to an authorized request:
// {"action":"ok"|"refresh"|"error","reason","matched"}.
nlohmann::json classify_response(const Connector& connector, const nlohmann::json& context,
                                 const nlohmann::json& response);

}  // namespace connauth
