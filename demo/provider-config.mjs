// oidc-provider (v9) configuration for the demo OAuth 2.0 server: what it
// allows, who its clients are, and how long its artifacts live. Behaviour a
// connection engine must cope with is set on purpose and explained here.
import crypto from 'node:crypto';
import { findAccount } from './accounts.mjs';

export const DEMO_CLIENT_ID = 'demo-client';
export const DEMO_CLIENT_SECRET = 'demo-secret';
// Same application as demo-client but registered for HTTP Basic client
// authentication. oidc-provider accepts only the registered method
// (RFC 7591 §2 token_endpoint_auth_method), so each method needs its client.
export const DEMO_BASIC_CLIENT_ID = 'demo-client-basic';
// The demo API authenticates as this client to call introspection
// (RFC 7662 §2.1: the caller must be authorized, here by client credentials).
export const RESOURCE_SERVER_ID = 'demo-api';
export const RESOURCE_SERVER_SECRET = 'demo-api-secret';

export const DEFAULT_REDIRECT_URIS = ['http://127.0.0.1/oauth/callback'];
export const DEMO_SCOPES = ['openid', 'offline_access', 'email', 'profile', 'contacts:read', 'contacts:write'];

// One RSA key per process signs ID tokens (RS256, oidc-provider's default
// for clients). Generated, never written anywhere: tokens of a previous run
// are meant to be useless.
let signingKey;
function signingJwks() {
  signingKey ??= crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    .export({ format: 'jwk' });
  return { keys: [{ ...signingKey, kid: 'demo-rs256', use: 'sig', alg: 'RS256' }] };
}

// A confidential client of the connection engine.
export function webClient(clientId, { secret = DEMO_CLIENT_SECRET, redirectUris = DEFAULT_REDIRECT_URIS,
  authMethod = 'client_secret_post', loopbackAnyPort = true } = {}) {
  return {
    client_id: clientId,
    client_secret: secret,
    // RFC 8252 §7.3: for native clients oidc-provider accepts a loopback
    // redirect URI on any port, so the engine's callback port can be chosen
    // at run time. Side effect (oidc-provider's native_client_prompt check):
    // every authorization shows the consent page, even when already granted.
    application_type: loopbackAnyPort ? 'native' : 'web',
    redirect_uris: redirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_method: authMethod,
  };
}

export function defaultClients({ redirectUris, loopbackAnyPort } = {}) {
  return [
    webClient(DEMO_CLIENT_ID, { redirectUris, loopbackAnyPort, authMethod: 'client_secret_post' }),
    webClient(DEMO_BASIC_CLIENT_ID, { redirectUris, loopbackAnyPort, authMethod: 'client_secret_basic' }),
    {
      // A resource server: no grants, no redirects; it only introspects.
      client_id: RESOURCE_SERVER_ID,
      client_secret: RESOURCE_SERVER_SECRET,
      redirect_uris: [],
      response_types: [],
      grant_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ];
}

// Later entries replace earlier ones with the same client_id.
function mergeClients(...lists) {
  const byId = new Map();
  for (const client of lists.flat()) byId.set(client.client_id, client);
  return [...byId.values()];
}

const FOURTEEN_DAYS = 14 * 24 * 60 * 60;

// options: see startProvider in provider.mjs.
export function providerConfiguration(options, store) {
  const accessTokenTTL = options.accessTokenTTL ?? 3600;
  const refreshTokenTTL = options.refreshTokenTTL ?? FOURTEEN_DAYS;
  return {
    adapter: store.Adapter,
    clients: mergeClients(defaultClients(options), options.clients ?? []),
    jwks: signingJwks(),
    findAccount,
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    // Authorization code only (RFC 6749 §4.1): no implicit or hybrid flows.
    responseTypes: ['code'],
    scopes: [...new Set([...DEMO_SCOPES, ...(options.scopes ?? [])])],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The ID token carries the claims of the granted scopes (email, name), as
    // Google's and Microsoft's do, so a connector's identity can read
    // {{id_token.email}}; oidc-provider's default keeps them for userinfo only.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // RFC 7662 §2.1: any authenticated confidential client (the resource
        // server) may introspect; public clients may not.
        allowedPolicy: async (_ctx, client) => client.clientAuthMethod !== 'none',
      },
      // RFC 7009 §2.1: a client may revoke only its own tokens.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: { enabled: false },
    },
    // RFC 7636: PKCE for every authorization code request, S256 only
    // (oidc-provider v9 supports no other method).
    pkce: { required: () => true },
    // oidc-provider issues a refresh token only for `offline_access`, and
    // drops `offline_access` unless the request also carries prompt=consent
    // (OIDC Core §11). Engines rarely send prompt=consent, so refresh tokens
    // are issued to every client allowed the refresh_token grant.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Rotation on every refresh (RFC 9700 §4.14.2). A rotated token presented
    // again is replay: oidc-provider answers invalid_grant AND revokes the
    // whole grant, so the newest refresh token dies with it.
    rotateRefreshToken: true,
    // Tokens outlive the browser session at the provider: a stored connection
    // must keep working after the user's provider session ends.
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: accessTokenTTL,
      ClientCredentials: options.clientCredentialsTTL ?? accessTokenTTL,
      RefreshToken: refreshTokenTTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: FOURTEEN_DAYS,
      Grant: Math.max(refreshTokenTTL, FOURTEEN_DAYS),
    },
    // Permissive CORS for the token, introspection and revocation endpoints:
    // the demo console calls them from another loopback origin.
    clientBasedCORS: () => true,
    // Plain error page (the default imports a web font, which loopback-only
    // machines cannot load).
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>error</title></head><body>${
        Object.entries(out).map(([k, v]) => `<p><b>${k}</b>: ${String(v).replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`).join('')
      }</body></html>`;
    },
  };
}
