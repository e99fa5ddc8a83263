// The consent popup's state machine (issue: admin console), in the core so
// that every host drives the same transitions: idle -> prompting ->
// awaiting_consent -> exchanging -> connected | failed(reason).
#pragma once

#include <nlohmann/json.hpp>

namespace connauth {

// One transition. `state` is the previous state (null or {} = idle), `event`
// what the host observed ({"type": ...}). Answers the Result envelope of
// json_io.h: {"ok":true,"value":{"state": {...}, "effects": [...]}} where
// effects tell the host what to do next (open the popup, navigate it, focus
// it, close it, show a message). Never throws.
nlohmann::json consent_step(const nlohmann::json& state, const nlohmann::json& event);

}  // namespace connauth
