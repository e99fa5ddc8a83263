// A by-hand OAuth 2.0 client for the demo provider: builds authorization
// requests, makes token requests, and runs the whole authorization-code flow
// through completeConsent. Tests use it to check the provider itself and to
// obtain real tokens for a connection without going through the engine.
import { basicAuthorization } from './client-auth.mjs';
import { completeConsent } from './consent.mjs';
import { createPkce } from './pkce.mjs';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from './provider-config.mjs';

export const DEFAULT_SCOPE = 'openid offline_access contacts:read contacts:write';
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:9/oauth/callback'; // never called: consent stops at it

// RFC 6749 §4.1.1 + RFC 7636 §4.3. `pkce` = createPkce() result, or false to leave it out.
export function authorizationUrl(op, {
  clientId = DEMO_CLIENT_ID, redirectUri = DEFAULT_REDIRECT_URI, scope = DEFAULT_SCOPE,
  state = 'state-1', pkce = createPkce(), extra = {},
} = {}) {
  const url = new URL(op.endpoints.authorization);
  const params = { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope, state, ...extra };
  if (pkce) Object.assign(params, { code_challenge: pkce.challenge, code_challenge_method: 'S256' });
  url.search = new URLSearchParams(params).toString();
  return url.href;
}

// A token endpoint request (RFC 6749 §3.2) with client authentication in the
// body ('post', client_secret_post) or the Authorization header ('basic',
// §2.3.1). Never throws on an HTTP error: resolves to {status, body, headers}.
export async function tokenRequest(op, params, {
  clientId = DEMO_CLIENT_ID, clientSecret = DEMO_CLIENT_SECRET, auth = 'post',
} = {}) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const form = new URLSearchParams(params);
  if (auth === 'basic') headers.authorization = basicAuthorization(clientId, clientSecret);
  else if (auth === 'post') { form.set('client_id', clientId); form.set('client_secret', clientSecret); }
  const res = await fetch(op.endpoints.token, { method: 'POST', headers, body: form });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body, headers: res.headers };
}

// Runs the authorization-code flow end to end as `login` and resolves to the
// token response (RFC 6749 §5.1) plus the redirect that carried the code.
// options: login, clientId, clientSecret, auth ('post'|'basic'), redirectUri, scope.
export async function connectAccount(op, options = {}) {
  const pkce = createPkce();
  const redirectUri = options.redirectUri ?? DEFAULT_REDIRECT_URI;
  const state = `state-${Math.random().toString(36).slice(2)}`;
  const redirect = await completeConsent(
    authorizationUrl(op, { ...options, redirectUri, state, pkce }),
    { login: options.login ?? 'alice' },
  );
  const params = new URL(redirect).searchParams;
  if (params.get('error')) throw new Error(`authorization failed: ${params.get('error')} ${params.get('error_description') ?? ''}`);
  if (params.get('state') !== state) throw new Error('authorization response state mismatch');
  const res = await tokenRequest(op, {
    grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri, code_verifier: pkce.verifier,
  }, options);
  if (res.status !== 200) throw new Error(`code exchange failed: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, redirect };
}

// The refresh-token grant (RFC 6749 §6); resolves to {status, body, headers}.
export function refreshTokens(op, refreshToken, options = {}) {
  return tokenRequest(op, { grant_type: 'refresh_token', refresh_token: refreshToken }, options);
}
