// Which apply rules put an app-level secret on every proxied request
// (SPEC §2.4). Whatever an apply rule sends reaches the upstream with each
// member's requests, and an upstream that echoes request headers (or a
// member who controls the path to one that does) hands it back to the
// member: the app's client_secret, or a secret connection field an admin
// sets in the app's settings, stops being the admin's alone. The validator
// warns about the first; a host that knows the app's settings warns about
// the second (docs/security.md).
#pragma once

#include <string>
#include <vector>

#include "connector.h"

namespace connauth {

struct AppliedSecret {
  std::string path;    // JSON pointer of the template that reads it
  std::string secret;  // "client_secret", or the name of a secret connection field
};

// In definition order, over the top-level rules and every `multi` option's.
std::vector<AppliedSecret> applied_secrets(const Connector& connector);

}  // namespace connauth
