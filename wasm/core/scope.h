// The template scope (SPEC §2.1) built from what a host knows about one
// connection: `{"connection": {...}, "app": {...}}`.
#pragma once

#include "json.h"

#include <string>

namespace connauth {

// context = {
//   "connection": { flat connection hash: field values, access_token,
//                   refresh_token, expires_at, merged values },
//   "app": { "client_id", "client_secret", "scopes": [..], "settings": {..} },
//   "flow": { "redirect_uri", "code", "verifier", "state" }   // optional
// }
// Scope keys: connection (app settings, overridden by nothing: admin values
// win over the user's for the same field), client_id, client_secret,
// scopes (joined with `scope_separator`), access_token, refresh_token and the
// flow keys. Missing inputs simply leave keys absent, so templates that need
// them report the missing path.
nlohmann::json make_scope(const nlohmann::json& context, const std::string& scope_separator = " ");

}  // namespace connauth
