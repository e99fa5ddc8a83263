// auth_mode OAUTH2_CC -> a `custom_auth` connector whose `acquire` runs the
// client credentials grant (RFC 6749 §4.4); a refresh runs it again. Nango
// asks each connection for its client ID and secret, so they are connection
// fields here (an app can set them once for everyone in its settings).
import { applyRules, hasHeader } from './apply.mjs';
import { isObject } from './aliases.mjs';
import { Skip } from './skip.mjs';
import { tokenUrl, usesBasicClientAuth, bodyFormat, defaultScopes, scopeSeparator, responseMetadata, extraParams } from './token_endpoint.mjs';

const clientId = (entry) => `connection.${entry.fields.credential('client_id', { label: 'Client ID' })}`;
const clientSecret = (entry) => `connection.${entry.fields.credential('client_secret', { label: 'Client secret', secret: true })}`;

export const placeholders = {
  accessToken: 'access_token',
  clientId,
  clientSecret,
  'credentials.*': (entry, key) => `connection.${entry.fields.credential(key, { label: key, secret: /secret|password|key/i.test(key) || undefined })}`,
};

export function authorize(entry, proxy) {
  const url = tokenUrl(entry, 'OAUTH2_CC');
  const id = `{{${clientId(entry)}}}`;
  const secret = `{{${clientSecret(entry)}}}`;
  const body = { grant_type: 'client_credentials' };
  const scopes = defaultScopes(entry);
  const separator = scopeSeparator(entry) ?? ' ';
  if (scopes) body.scope = scopes.join(separator);
  Object.assign(body, extraParams(entry, 'token_params', [], {}));
  const headers = tokenHeaders(entry);
  const request = { method: 'POST', url, headers: hasHeader(headers, 'Accept') ? headers : { Accept: 'application/json', ...headers } };
  if (usesBasicClientAuth(entry)) request.basic = { username: id, password: secret };
  else Object.assign(body, { client_id: id, client_secret: secret });
  request[bodyFormat(entry) === 'json' ? 'json' : 'form'] = body;

  const acquire = { request };
  const merge = responseMetadata(entry);
  if (merge) acquire.merge = merge;
  const own = hasHeader(proxy.headers, 'Authorization') ? {} : { headers: { Authorization: 'Bearer {{access_token}}' } };
  return { type: 'custom_auth', acquire, apply: applyRules(proxy, own) };
}

// `token_headers` go on the token request; like the proxy's headers they may
// carry credentials, so one that cannot be translated skips the entry.
function tokenHeaders(entry) {
  const headers = entry.take('token_headers');
  if (headers === undefined) return {};
  if (!isObject(headers)) throw new Skip(['token_headers'], 'expected a mapping');
  const out = {};
  for (const [name, value] of Object.entries(headers)) {
    // The body's Content-Type is the engine's, set by the body it sends.
    if (name.toLowerCase() === 'content-type') continue;
    out[name] = entry.template(value, ['token_headers', name], { required: true });
  }
  return out;
}
