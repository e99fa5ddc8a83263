// Embedding in another admin console (SPEC §8), on real workerd: CORS for
// the CONSOLE_ORIGINS only, session tokens a host mints with its own key
// (SESSION_JWKS, kid, iss/aud), the "connect" scope, and the published
// development secret refused outside scripts/dev.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';
import { DEV_SESSION_SECRET } from '../../edge/src/dev_secret.mjs';

const CONSOLE = 'https://console.example.com';
const ISSUER = 'https://console.example.com/';
const AUDIENCE = 'connauth-test';

const es = await generateKeyPair('ES256');
const rs = await generateKeyPair('RS256');
const stranger = await generateKeyPair('ES256');
const jwks = { keys: [
  { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256' },
  { ...(await exportJWK(rs.publicKey)), kid: 'rs-1', alg: 'RS256' },
] };

let edge;
before(async () => {
  edge = await startEdge({ bindings: {
    CONSOLE_ORIGINS: `${CONSOLE}, http://localhost:5173`,
    SESSION_JWKS: JSON.stringify(jwks),
    SESSION_ISSUER: ISSUER,
    SESSION_AUDIENCE: AUDIENCE,
  } });
});
after(() => edge?.dispose());

/** A host console's token: `claims` over the defaults, signed with `key` under header `head`. */
function hostToken(claims = {}, { key = es.privateKey, head = { alg: 'ES256', kid: 'es-1' } } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'alice', org: 'org-e', role: 'member', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600, ...claims })
    .setProtectedHeader(head).sign(key);
}

describe('CORS for the console origins', () => {
  test('a preflight from an allowed origin: 204 with that origin, Vary, methods and headers', async () => {
    for (const origin of [CONSOLE, 'http://localhost:5173']) {
      const r = await edge.api('OPTIONS', '/api/apps', { headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
      assert.equal(r.status, 204);
      assert.equal(r.headers.get('access-control-allow-origin'), origin);
      assert.match(r.headers.get('vary'), /Origin/);
      assert.match(r.headers.get('access-control-allow-methods'), /GET.*POST.*PUT.*PATCH.*DELETE/);
      assert.equal(r.headers.get('access-control-allow-headers'), 'authorization, content-type, if-match');
      assert.equal(r.headers.get('access-control-allow-credentials'), null, 'no cookies, ever');
    }
  });

  test('any other origin gets no Access-Control-Allow-Origin, on the preflight or the answer', async () => {
    const token = await hostToken();
    for (const origin of ['https://evil.example', 'https://console.example.com.evil.example', 'null', 'http://console.example.com']) {
      const pre = await edge.api('OPTIONS', '/api/apps', { headers: { origin, 'access-control-request-method': 'GET' } });
      assert.equal(pre.headers.get('access-control-allow-origin'), null, origin);
      const r = await edge.api('GET', '/api/apps', { token, headers: { origin } });
      assert.equal(r.headers.get('access-control-allow-origin'), null, origin);
      assert.match(r.headers.get('vary'), /Origin/);
    }
    const allowed = await edge.api('GET', '/api/apps', { token, headers: { origin: CONSOLE } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), CONSOLE);
    const refused = await edge.api('GET', '/api/apps', { headers: { origin: CONSOLE } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), CONSOLE, 'a console can read why it was refused');
  });

  test('/proxy/* is never readable cross-origin: its preflight is refused, its answers carry no CORS', async () => {
    const pre = await edge.api('OPTIONS', '/proxy/some-app/me', { headers: { origin: CONSOLE, 'access-control-request-method': 'GET' } });
    assert.equal(pre.status, 401);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    const r = await edge.api('GET', '/proxy/some-app/me', { token: await hostToken(), headers: { origin: CONSOLE } });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });
});

describe('session tokens from SESSION_JWKS', () => {
  test('ES256 and RS256 tokens verify, the kid picking the key', async () => {
    for (const token of [await hostToken(), await hostToken({}, { key: rs.privateKey, head: { alg: 'RS256', kid: 'rs-1' } })]) {
      const r = await edge.api('GET', '/api/apps', { token });
      assert.equal(r.status, 200, r.text);
    }
  });

  test('unknown kid, wrong alg, a stranger\'s key, wrong aud or iss, none, crit → 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad = {
      unknownKid: await hostToken({}, { head: { alg: 'ES256', kid: 'es-2' } }),
      noKid: await hostToken({}, { head: { alg: 'ES256' } }),
      kidOfAnotherAlg: await hostToken({}, { head: { alg: 'ES256', kid: 'rs-1' } }),
      es384: await hostToken({}, { key: (await generateKeyPair('ES384')).privateKey, head: { alg: 'ES384', kid: 'es-1' } }),
      strangerKey: await hostToken({}, { key: stranger.privateKey }),
      wrongAudience: await hostToken({ aud: 'another-service' }),
      noAudience: await hostToken({ aud: undefined }),
      wrongIssuer: await hostToken({ iss: 'https://evil.example/' }),
      noIssuer: await hostToken({ iss: undefined }),
      expired: await hostToken({ exp: now - 120 }),
      crit: await hostToken({}, { head: { alg: 'ES256', kid: 'es-1', crit: ['x'], x: 1 } }).catch(() => null),
      otherScope: await hostToken({ scope: 'admin' }),
      // The HS256 secret's tokens need iss and aud too once they are set.
      hs256NoIssuer: await session('org-e', 'alice'),
    };
    const [head, body] = (await hostToken()).split('.');
    bad.algNone = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'es-1' })).toString('base64url')}.${body}.`;
    bad.forgedBody = `${head}.${Buffer.from(JSON.stringify({ sub: 'alice', org: 'org-e', role: 'admin', exp: now + 600, iss: ISSUER, aud: AUDIENCE })).toString('base64url')}.${(await hostToken()).split('.')[2]}`;
    for (const [name, token] of Object.entries(bad)) {
      if (token === null) continue;
      const r = await edge.api('GET', '/api/apps', { token });
      assert.equal(r.status, 401, name);
      assert.equal(r.data.error, 'unauthorized', name);
    }
    const hs = await session('org-e', 'alice', 'member', { iss: ISSUER, aud: [AUDIENCE, 'other'] });
    assert.equal((await edge.api('GET', '/api/apps', { token: hs })).status, 200, 'HS256 with iss and aud (an array naming us)');
  });
});

describe('a "connect"-scope token', () => {
  let appId;
  before(async () => {
    const admin = await session('org-e', 'ada', 'admin', { iss: ISSUER, aud: AUDIENCE });
    assert.equal((await edge.api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector() })).status, 201);
    const app = await edge.api('POST', '/api/apps', { token: admin, json: { name: 'Acme', connector: 'acme', prompt: 'Connect your Acme account.' } });
    assert.equal(app.status, 201, app.text);
    appId = app.data.id;
  });

  test('reads apps and manages its own connection', async () => {
    const token = await hostToken({ scope: 'connect' });
    assert.equal((await edge.api('GET', '/api/apps', { token })).status, 200);
    assert.equal((await edge.api('GET', `/api/apps/${appId}`, { token })).status, 200);
    assert.equal((await edge.api('GET', `/api/apps/${appId}/connection`, { token })).data.status, 'not_connected');
    edge.upstream.handler = () => Response.json({ id: 'me' });
    const connected = await edge.api('POST', `/api/apps/${appId}/connect`, { token, json: { fields: { api_key: 'k-123' } } });
    assert.equal(connected.status, 200, connected.text);
    assert.equal(connected.data.status, 'connected');
    assert.equal((await edge.api('DELETE', `/api/apps/${appId}/connection`, { token })).status, 200);
  });

  test('no /proxy, no admin route, even with the admin role → 403', async () => {
    for (const role of ['member', 'admin']) {
      const token = await hostToken({ scope: 'connect', role });
      const routes = [['GET', `/proxy/${appId}/me`], ['GET', '/api/connectors'], ['PUT', '/api/connectors/acme'], ['POST', '/api/apps'],
        ['PATCH', `/api/apps/${appId}`], ['DELETE', `/api/apps/${appId}`], ['POST', `/api/apps/${appId}/reset`], ['POST', `/api/apps/${appId}/disable`]];
      for (const [method, path] of routes) {
        const r = await edge.api(method, path, { token, json: method === 'GET' || method === 'DELETE' ? undefined : {} });
        assert.equal(r.status, 403, `${role} ${method} ${path}`);
        assert.equal(r.data.error, 'forbidden');
      }
    }
    const full = await hostToken({ role: 'admin' });
    assert.equal((await edge.api('GET', '/api/connectors', { token: full })).status, 200, 'without the scope, the role decides');
  });
});

describe('configuration', () => {
  test('the published development secret is refused outside scripts/dev; allowed with CONNAUTH_DEV=1', async () => {
    const prod = await startEdge({ bindings: { SESSION_SECRET: DEV_SESSION_SECRET } });
    try {
      for (const path of ['/api/apps', '/', '/oauth/callback?state=x']) {
        const r = await prod.api('GET', path, { token: await session('demo', 'admin', 'admin') });
        assert.equal(r.status, 500, path);
        assert.equal(r.data.error, 'server_misconfigured');
        assert.match(r.data.message, /published development secret/);
      }
    } finally {
      await prod.dispose();
    }
    const dev = await startEdge({ bindings: { SESSION_SECRET: DEV_SESSION_SECRET, CONNAUTH_DEV: '1' } });
    try {
      const { signJwt } = await import('./fixtures/edge_harness.mjs');
      const token = await signJwt({ sub: 'admin', org: 'demo', role: 'admin', exp: Math.floor(Date.now() / 1000) + 60 }, { secret: DEV_SESSION_SECRET });
      assert.equal((await dev.api('GET', '/api/apps', { token })).status, 200);
    } finally {
      await dev.dispose();
    }
  });

  test('a malformed SESSION_JWKS or CONSOLE_ORIGINS is a clear configuration error', async () => {
    const cases = [
      [{ SESSION_JWKS: '{not json' }, /SESSION_JWKS is not JSON/],
      [{ SESSION_JWKS: JSON.stringify({ keys: [{ ...jwks.keys[0], kid: undefined }] }) }, /\/keys\/0 has no kid/],
      [{ SESSION_JWKS: JSON.stringify({ keys: [{ ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid: 'p' }] }) }, /private key/],
    ];
    for (const [bindings, message] of cases) {
      const e = await startEdge({ bindings });
      try {
        const r = await e.api('GET', '/api/apps', { token: await session('org-e', 'alice') });
        assert.equal(r.status, 500);
        assert.match(r.data.message, message);
      } finally {
        await e.dispose();
      }
    }
    const e = await startEdge({ bindings: { CONSOLE_ORIGINS: 'https://ok.example, https://bad.example/path' } });
    try {
      const r = await e.api('OPTIONS', '/api/apps', { headers: { origin: 'https://ok.example' } });
      assert.equal(r.headers.get('access-control-allow-origin'), null, 'nothing is allowed from a list with a mistake');
    } finally {
      await e.dispose();
    }
  });
});
