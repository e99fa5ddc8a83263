// The requests a connector makes itself (SPEC §2.3): `acquire`, `refresh` and
// `test`. Rendering turns the ConnectorRequest model into an HttpRequest for
// the host to send; nothing is sent when any template lacks a value.
#pragma once

#include "json.h"

#include <optional>
#include <string>

#include "connector.h"
#include "http.h"
#include "result.h"
#include "url.h"

namespace connauth {

// Makes `url` absolute: a relative reference resolves against the rendered
// `base_uri` (SPEC §2.3, RFC 3986 §5.2). Only http and https URLs without
// userinfo may be requested. Problems are at `where`.
Result<std::string> resolve_request_url(const std::optional<Template>& base_uri, const nlohmann::json& scope,
                                        const std::string& url, const std::string& where);

// The same with `base_uri` rendered and prepared beforehand (a bound
// connection does it once, url.h BaseUrl): none when the connector has no
// base_uri; a failed render is reported only when `url` is relative.
using RenderedBaseUri = std::optional<Result<BaseUrl>>;
RenderedBaseUri render_base_uri(const std::optional<Template>& base_uri, const nlohmann::json& scope);
Result<std::string> resolve_request_url(const RenderedBaseUri& base_uri, std::string_view url,
                                        const std::string& where);

// Renders `request` against `scope`:
//   url     — absolute, or relative to `base_uri` (the connector's
//             connection.base_uri template);
//   params  — set in the query (a same-named param of the URL is replaced);
//   headers — in order, later names overriding earlier ones case-insensitively;
//   form    — application/x-www-form-urlencoded body;
//   json    — serialised JSON body;
//   basic   — Authorization: Basic (RFC 7617).
// A body gets its Content-Type unless `headers` set one. Every template with
// no value is reported, each at its JSON pointer, and no request is built.
Result<HttpRequest> build_request(const ConnectorRequest& request, const nlohmann::json& scope,
                                  const std::optional<Template>& base_uri);

// `Basic base64(user-id ":" password)` (RFC 7617 §2); a user-id holding ':'
// cannot be carried and is a problem at `where`.
Result<std::string> basic_credentials(const std::string& user_id, const std::string& password,
                                      const std::string& where);

}  // namespace connauth
