// auth_mode OAUTH1 -> requests signed with OAuth 1.0a HMAC-SHA1
// (`"sign": "oauth1"`, RFC 5849 §3.4.2): consumer key and secret are the
// app's client ID and secret, token and token secret the connection's.
// connauth does not run the OAuth 1.0a redirect flow (RFC 5849 §2), so the
// user gives the access token and its secret as fields.
import { applyRules, hasHeader } from './apply.mjs';
import { Skip } from './skip.mjs';

export const placeholders = {};

const FLOW_KEYS = ['request_url', 'request_params', 'request_http_method', 'authorization_url', 'authorization_params',
  'token_url', 'token_http_method', 'token_params', 'scope_separator', 'default_scopes'];

export function authorize(entry, proxy) {
  const method = entry.take('signature_method');
  if (method !== 'HMAC-SHA1') throw new Skip(['signature_method'], `${method ?? 'no signature_method'}: connauth signs with HMAC-SHA1 only`);
  const flow = FLOW_KEYS.filter((k) => entry.take(k) !== undefined);
  if (flow.length) {
    entry.unmapped([flow[0]], `connauth does not run the OAuth 1.0a redirect flow (${flow.join(', ')}): ` +
      'users give an access token and its secret, and requests are signed with them');
  }
  entry.fields.credential('oauth_token', { label: 'Access token', secret: true });
  entry.fields.credential('oauth_token_secret', { label: 'Access token secret', secret: true });
  if (hasHeader(proxy.headers, 'Authorization')) {
    throw new Skip(['proxy', 'headers'], 'an Authorization header cannot go with an OAuth 1.0a signature');
  }
  return { type: 'api_key', apply: applyRules(proxy, { sign: 'oauth1' }) };
}
