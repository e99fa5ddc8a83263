// The demo OAuth 2.0 / OpenID Connect server: a real oidc-provider (v9) on
// loopback. Flow, edge and browser tests and `scripts/dev` run against it.
//
//   const op = await startProvider({ accessTokenTTL: 2 });
//   op.issuer                 http://127.0.0.1:PORT
//   op.endpoints.token        …/token (authorization: …/auth, see `endpoints`)
//   op.counters.refresh_token token requests with grant_type=refresh_token
//   op.revocations            RFC 7009 revocation requests: [{client_id, token_type_hint, status}]
//   await op.stop(); await op.start();   outage and recovery, same port, same state
//   op.revokeGrant('alice')   the user revoked access: next refresh → invalid_grant
//   op.withdrawScopes('alice', ['contacts:read'])  the user took a scope back: the
//                             next refresh answers the narrower scope
import { createStore } from './provider-store.mjs';
import {
  providerConfiguration, RESOURCE_SERVER_ID, RESOURCE_SERVER_SECRET,
} from './provider-config.mjs';
import { LOOPBACK, serve } from './http-server.mjs';
import { basicAuthorization } from './client-auth.mjs';
import { enforceRegisteredClientAuth } from './strict-client-auth.mjs';
import { offlinePages } from './offline-pages.mjs';

// oidc-provider prints two warnings that are expected here: it is asked for
// the dev-only login/consent pages on purpose, and it names Node 22 as its
// supported runtime while working on this machine's Node 20 (every test in
// tests/node/demo_provider.test.mjs runs on it). Anything else gets through.
const EXPECTED_WARNINGS = [/devInteractions is enabled/, /Unsupported runtime/];
async function withoutExpectedWarnings(fn) {
  const warn = console.warn;
  console.warn = (...args) => {
    if (!EXPECTED_WARNINGS.some((re) => re.test(String(args[0])))) warn(...args);
  };
  try { return await fn(); } finally { console.warn = warn; }
}

const { default: Provider, errors } = await withoutExpectedWarnings(() => import('oidc-provider'));

// options:
//   port             listen port (default 0: any free one; kept across restarts)
//   redirectUris     redirect URIs of the default clients (default
//                    ['http://127.0.0.1/oauth/callback'], any port: see provider-config)
//   loopbackAnyPort  register the default clients as native (RFC 8252 §7.3); default true
//   clients          extra client metadata objects (oidc-provider/RFC 7591 names:
//                    client_id, client_secret, redirect_uris, grant_types,
//                    token_endpoint_auth_method, ...); same client_id replaces a default
//   accessTokenTTL   seconds (default 3600); clientCredentialsTTL (default the same)
//   refreshTokenTTL  seconds (default 14 days)
//   scopes           extra scope names to declare
//   strictClientAuth accept a secret only by the client's registered method
//                    (default true; see strict-client-auth.mjs)
export async function startProvider(options = {}) {
  let callback = (_req, res) => { res.statusCode = 503; res.end(); };
  const server = await serve((req, res) => callback(req, res), { host: LOOPBACK, port: options.port ?? 0 });
  const issuer = `http://${LOOPBACK}:${server.port}`;

  const store = createStore();
  const configuration = providerConfiguration(options, store);
  const clientIds = configuration.clients.map((c) => c.client_id);
  let provider;
  try {
    provider = await withoutExpectedWarnings(() => new Provider(issuer, configuration));
    // oidc-provider validates static clients on first use; a bad one should
    // fail here, not as a 500 in the middle of a test.
    for (const id of clientIds) {
      try {
        await provider.Client.find(id);
      } catch (err) {
        throw new Error(`demo provider: client ${id}: ${err.error_description ?? err.message}`, { cause: err });
      }
    }
  } catch (err) {
    await server.stop(); // do not leave a listener behind
    throw err;
  }

  if (options.strictClientAuth !== false) enforceRegisteredClientAuth(provider, Provider, errors);

  provider.use(offlinePages);

  const counters = {};
  const tokenRequests = [];
  const revocations = [];
  // Counts token endpoint requests after oidc-provider has parsed them, so
  // tests can assert how many refreshes an engine really made; and records
  // revocation requests (never the token).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'revocation') {
      revocations.push({ client_id: ctx.oidc.client?.clientId, token_type_hint: ctx.oidc.params?.token_type_hint, status: ctx.status });
      return;
    }
    if (ctx.oidc?.route !== 'token') return;
    const grantType = ctx.oidc.body?.grant_type ?? '(none)';
    counters[grantType] = (counters[grantType] ?? 0) + 1;
    tokenRequests.push({
      grant_type: grantType,
      client_id: ctx.oidc.client?.clientId,
      status: ctx.status,
      error: ctx.status >= 400 ? ctx.body?.error : undefined,
    });
  });
  callback = provider.callback();

  const endpoints = {
    authorization: `${issuer}/auth`,
    token: `${issuer}/token`,
    introspection: `${issuer}/token/introspection`,
    revocation: `${issuer}/token/revocation`,
    userinfo: `${issuer}/me`,
    jwks: `${issuer}/jwks`,
    discovery: `${issuer}/.well-known/openid-configuration`,
  };

  return {
    provider,
    issuer,
    url: issuer,
    port: server.port,
    endpoints,
    counters,
    tokenRequests,
    revocations,
    resetCounters() {
      for (const key of Object.keys(counters)) delete counters[key];
      tokenRequests.length = 0;
      revocations.length = 0;
    },
    get running() { return server.running; },
    start: async () => { await server.start(); },
    stop: () => server.stop(),
    // Revokes every grant (and its codes, access and refresh tokens) that the
    // account gave, or only those for `clientId`. Returns how many grants.
    revokeGrant: (accountId, clientId) => store.revokeAccount(accountId, clientId),
    // Takes `scopes` out of every grant of the account; the grants and their
    // refresh tokens stay valid. Returns how many grants.
    withdrawScopes: (accountId, scopes) => store.withdrawScopes(accountId, scopes),
    // RFC 7662 §2.1 introspection, authenticated as the demo resource server.
    async introspect(token) {
      const res = await fetch(endpoints.introspection, {
        method: 'POST',
        headers: {
          authorization: basicAuthorization(RESOURCE_SERVER_ID, RESOURCE_SERVER_SECRET),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
      });
      if (!res.ok) throw new Error(`introspection failed: HTTP ${res.status} ${await res.text()}`);
      return res.json();
    },
    // Storage contents by model ('Grant', 'RefreshToken', ...), for diagnostics.
    stored: (model) => store.list(model),
  };
}
