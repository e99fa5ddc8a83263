// What a user enters to connect (SPEC §2 connection fields, §2.2 `multi`):
// the authorization in force for the values entered so far (the option that
// `selected` picks, whatever it reads), the field a form sets to choose an
// option, the fields to ask for, the values to start the connection hash
// with, and every problem of the entered values at its JSON pointer under
// /fields. Hosts ask this instead of reading `auth_type` or field lists
// themselves: the edge checks a connect with it, the console builds its form
// from it, the CLI completes FIELDS.json with it.
#pragma once

#include "json.h"

#include <string>
#include <vector>

#include "connector.h"
#include "result.h"

namespace connauth {

// One `multi` option as a form offers it: the fields the user enters when
// it is chosen (the connector's own and the option's, less those the app
// sets).
struct ConnectOption {
  std::string key;
  const Authorization* authorization = nullptr;
  std::vector<const Field*> fields;
};

struct ConnectForm {
  // In force for the entered values; null when `selected` picks no option.
  const Authorization* authorization = nullptr;
  std::string option;        // multi: the key of the option in force
  std::string choice_field;  // multi: the connection field whose value is an option key, when the user sets it
  std::vector<ConnectOption> options;  // multi only
  std::vector<const Field*> fields;    // to ask for, for the authorization in force
  nlohmann::json values;               // entered values ("" dropped) and the defaults of unfilled fields
  Problems problems;                   // at /fields/<name> (or /fields)
};

// `context` = {"connection": the entered values, "app": {"settings",
// "secret_settings": [names set by the app, values not shown]}}. App settings
// win over entered values for the same field (scope.h), so a field the app
// sets is never asked for, and a selector the app sets chooses for the user.
ConnectForm connect_form(const Connector& connector, const nlohmann::json& context);

}  // namespace connauth
