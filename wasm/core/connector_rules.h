// Apply rules (SPEC §2.4), signals (SPEC §2.5) and basic credentials as
// written in a connector definition, read into the ApplyRule / Signal /
// BasicCredentials values the engine runs. Problems go to the reader's list,
// each at its JSON pointer.
#pragma once

#include "json.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apply_rule.h"
#include "connector_reader.h"
#include "signals.h"

namespace connauth {

// `apply`: a non-empty array of rules, each {when, headers, params, payload, basic}.
std::vector<ApplyRule> read_apply_rules(DefinitionReader& in, const nlohmann::json& value,
                                        const std::string& where);

// `refresh_on` / `detect_on`: an array of statuses, body strings and
// {"regex", "flags"} objects.
Signals read_signals(DefinitionReader& in, const nlohmann::json& value, const std::string& where);

// {"username", "password"}, both templates.
std::optional<BasicCredentials> read_basic(DefinitionReader& in, const nlohmann::json& value,
                                           const std::string& where);

// Whether `headers` names `name` (case-insensitively, RFC 9110 §5.1).
bool has_header(const TemplateMap& headers, std::string_view name);

}  // namespace connauth
