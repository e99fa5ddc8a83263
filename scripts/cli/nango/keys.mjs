// Nango keys that need no connauth counterpart, and why.

// Catalog presentation only: dropped without a report line.
export const PRESENTATION = new Set(['categories', 'docs_connect', 'setup_guide_url']);

// Behaviour outside authorization: each is a note in the report.
export const IGNORED = {
  webhook_routing_script: 'webhooks are not part of a connector',
  webhook_user_defined_secret: 'webhooks are not part of a connector',
  webhook_response_metadata: 'webhooks are not part of a connector',
  webhook_allowed_query_params: 'webhooks are not part of a connector',
  authorization_code_param_in_webhook: 'webhooks are not part of a connector',
  post_connection_script: 'Nango scripts do not run in connauth',
  pre_connection_deletion_script: 'Nango scripts do not run in connauth',
  credentials_verification_script: 'Nango scripts do not run in connauth; the connector\'s test checks a connection',
  token_expiration_buffer: 'the app\'s refresh_buffer decides how early a token is refreshed',
};

export const IGNORED_PROXY = {
  retry: 'connauth retries once after a refresh only; retrying on rate limits is the caller\'s',
  paginate: 'pagination is the caller\'s, not the connector\'s',
  decompress: 'the host\'s HTTP client decompresses answers',
};

// Keys whose behaviour the engine does not have; the connector is written
// without them.
export const UNMAPPED = {
  authorization_url_skip_encode: 'the engine always percent-encodes the authorization URL\'s parameters',
  authorization_url_skip_empty: 'the engine sends the parameters it is given',
  token_url_skip_encode: 'the engine always form-encodes the token request',
  redirect_uri_metadata: 'values from the provider\'s callback are not kept; a URL that reads one asks the user for it as a field',
  alternate_access_token_response_path: 'the token is read from access_token only',
  expires_in_unit: 'expires_in is read as seconds (RFC 6749 §5.1)',
  authorization_code_param_in_callback: 'the code is read from the callback\'s code parameter (RFC 6749 §4.1.2)',
};

// Keys without which the provider's consent or token request would fail:
// the entry is not imported.
export const BLOCKING = {
  authorization_url_replacements: 'renames or removes the standard authorization parameters, which the engine always sends as RFC 6749 §4.1.1 names them',
  authorization_url_fragment: 'the engine cannot put the authorization URL\'s parameters before a fragment path',
  require_client_certificate: 'connauth does not send client certificates (mutual TLS)',
};
