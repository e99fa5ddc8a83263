// auth_mode OAUTH2 -> an `oauth2` connector (authorization-code grant).
import { applyRules, hasHeader } from './apply.mjs';
import { tokenUrl, usesBasicClientAuth, bodyFormat, defaultScopes, scopeSeparator, responseMetadata, extraParams } from './token_endpoint.mjs';
import { Skip } from './skip.mjs';
import { isObject } from './aliases.mjs';

export const placeholders = { accessToken: 'access_token', clientId: 'client_id', clientSecret: 'client_secret' };

// Names the engine sets itself (docs/connectors.md "Rules the validator adds").
const AUTHORIZATION_RESERVED = ['response_type', 'client_id', 'redirect_uri', 'state', 'scope', 'code_challenge', 'code_challenge_method'];
const TOKEN_RESERVED = ['grant_type', 'code', 'redirect_uri', 'code_verifier'];

export function authorize(entry, proxy) {
  const auth = { type: 'oauth2' };
  const url = entry.take('authorization_url');
  if (url === undefined) throw new Skip(['authorization_url'], 'auth_mode OAUTH2 needs an authorization_url');
  auth.authorization_url = entry.template(url, ['authorization_url'], { required: true });
  auth.token_url = tokenUrl(entry, 'OAUTH2');

  const separator = scopeSeparator(entry);
  if (separator !== undefined && separator !== ' ') auth.scope_separator = separator;
  const scopes = defaultScopes(entry);
  if (scopes) auth.scopes = scopes;
  const authorizationParams = extraParams(entry, 'authorization_params', AUTHORIZATION_RESERVED, { response_type: 'code' });
  if (authorizationParams) auth.authorization_params = authorizationParams;
  const tokenParams = extraParams(entry, 'token_params', TOKEN_RESERVED, { grant_type: 'authorization_code' });
  if (tokenParams) auth.token_params = tokenParams;
  refreshParams(entry);

  const pkceOff = entry.take('disable_pkce') === true || entry.take('pkce') === false;
  if (pkceOff) auth.pkce = false;
  const basic = usesBasicClientAuth(entry);
  if (basic) auth.client_auth = 'basic';
  const json = bodyFormat(entry) === 'json';
  if (json) auth.token_format = 'json';

  const merge = responseMetadata(entry);
  if (merge) auth.acquire = codeExchange(auth, { basic, json, pkce: !pkceOff, merge });
  const refreshUrl = entry.take('refresh_url');
  if (refreshUrl !== undefined) {
    const url = entry.template(refreshUrl, ['refresh_url'], { required: true });
    auth.refresh = tokenRequest(url, { grant_type: 'refresh_token', refresh_token: '{{refresh_token}}', ...auth.token_params }, { basic, json });
  }

  // Without proxy headers or parameters the engine's default (a Bearer
  // header) is the whole rule; with them, the rule must say it too.
  if (applyRules(proxy)) {
    auth.apply = applyRules(proxy, hasHeader(proxy.headers, 'Authorization') ? {} : { headers: { Authorization: 'Bearer {{access_token}}' } });
  }
  return auth;
}

// Nango sends `grant_type=refresh_token` on refresh, as the engine does; any
// other refresh parameter is one the engine does not send.
function refreshParams(entry) {
  const params = entry.take('refresh_params');
  if (params === undefined) return;
  if (!isObject(params)) {
    entry.unmapped(['refresh_params'], 'expected a mapping');
    return;
  }
  const extra = Object.keys(params).filter((k) => !(k === 'grant_type' && params[k] === 'refresh_token'));
  for (const key of extra) entry.unmapped(['refresh_params', key], 'the engine\'s refresh sends grant_type, refresh_token, token_params and client authentication only');
}

// The code exchange written out (docs/connectors.md "Requests and steps") so
// that it can keep values of the token response in the connection (`merge`).
function codeExchange(auth, { basic, json, pkce, merge }) {
  const grant = { grant_type: 'authorization_code', code: '{{code}}', redirect_uri: '{{redirect_uri}}' };
  if (pkce) grant.code_verifier = '{{verifier}}';
  return { ...tokenRequest(auth.token_url, { ...grant, ...auth.token_params }, { basic, json }), merge };
}

function tokenRequest(url, params, { basic, json }) {
  const request = { method: 'POST', url, headers: { Accept: 'application/json' } };
  const body = { ...params };
  if (basic) request.basic = { username: '{{client_id}}', password: '{{client_secret}}' };
  else Object.assign(body, { client_id: '{{client_id}}', client_secret: '{{client_secret}}' });
  request[json ? 'json' : 'form'] = body;
  return { request };
}
