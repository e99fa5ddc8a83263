// The oauth2 token endpoint request (RFC 6749 §4.1.3 code exchange, §6
// refresh), shared by authorization_flow and refresh: the grant's
// parameters, the connector's token_params and token_headers, client
// authentication, in the connector's token_format. And the RFC 7009
// revocation request, which authenticates the client the same way and
// carries the same token_headers.
#pragma once

#include "json.h"

#include <optional>
#include <string>

#include "connector.h"
#include "http.h"
#include "result.h"
#include "url.h"

namespace connauth {

// The app's client as the token request sends it. `secret` is absent for a
// public client (the app has no secret and the connector reads only
// {{client_secret}}): such a client sends its id in the body and relies on
// PKCE (RFC 6749 §2.1, RFC 8252 §8.5).
struct ClientCredentials {
  std::string id;
  std::optional<std::string> secret;
};

Result<ClientCredentials> client_credentials(const OAuth2Settings& oauth2, const nlohmann::json& scope);

// `Basic base64(form-url-encode(id) ":" form-url-encode(secret))`: RFC 6749
// §2.3.1 encodes both before Basic, so ids and secrets with ':' or non-ASCII
// characters survive (a plain RFC 7617 header would break on ':').
std::string client_basic_authorization(const std::string& id, const std::string& secret);

// POST token_url with `grant` (in order), then token_params, with the
// connector's token_headers, then client authentication: `body` puts client_id and client_secret in the body,
// `basic` puts them in the Authorization header. A name already present is
// not added again. Form or JSON body per token_format; Accept:
// application/json, since some providers (GitHub) answer form-encoded
// otherwise.
Result<HttpRequest> build_token_request(const Authorization& authorization, const nlohmann::json& scope,
                                        const QueryParams& grant, const std::optional<Template>& base_uri);

// RFC 7009 §2.1: POST revocation_url, form-encoded, with
// token=<the refresh token, else the access token> and its token_type_hint,
// the client authenticated as at the token endpoint. None when there is
// nothing to revoke: not oauth2, no revocation_url, or no token.
Result<std::optional<HttpRequest>> build_revocation_request(const Authorization& authorization,
                                                            const nlohmann::json& scope,
                                                            const std::optional<Template>& base_uri);

}  // namespace connauth
