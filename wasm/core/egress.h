// The hosts a connector may reach (SPEC §5 `egress`, derived when the app
// sets none): the host of every URL the edge itself requests — base_uri (the
// proxy's base), token_url, revocation_url, and the acquire, refresh and test
// requests, in the authorization and in every `multi` option.
// authorization_url is not one: the user's browser goes there, the edge
// never does.
#pragma once

#include "json.h"

#include <string>
#include <vector>

#include "connector.h"

namespace connauth {

struct Egress {
  // "host" or "host:port" (a port only when not the scheme's default), lower
  // case, in the order the URLs appear, each once.
  std::vector<std::string> hosts;
  // JSON pointers of URLs that name no host from the app's values alone.
  std::vector<std::string> unresolved;
};

// URL templates are rendered with the APP's values only (client id, scopes,
// settings: `context.app`), never a user's fields or the connector's field
// defaults, because a user controls those: a URL that needs one names no
// host, and the admin must list the app's egress explicitly.
Egress derive_egress(const Connector& connector, const nlohmann::json& context);

}  // namespace connauth
