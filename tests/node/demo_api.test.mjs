// The demo API (demo/api.mjs) is a real resource server: it accepts only
// bearer tokens that the demo provider confirms by introspection (RFC 7662)
// and answers everything else with an RFC 6750 challenge.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startProvider } from '../../demo/provider.mjs';
import { startDemoApi } from '../../demo/api.mjs';
import { connectAccount, refreshTokens, tokenRequest } from '../../demo/oauth-client.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function call(api, path, token, init = {}) {
  const headers = { ...init.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${api.url}${path}`, { ...init, headers });
}

describe('demo API', () => {
  let op;
  let api;
  let alice;
  before(async () => {
    op = await startProvider();
    api = await startDemoApi({ provider: op });
    alice = await connectAccount(op, { login: 'alice' });
  });
  after(async () => { await api.stop(); await op.stop(); });

  test('GET /api/me with a valid token: the account, and what arrived is recorded', async () => {
    api.resetCounters();
    const res = await call(api, '/api/me', alice.access_token);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: 'alice', email: 'alice@example.com', name: 'Alice' });
    assert.equal(api.lastAuthorization, `Bearer ${alice.access_token}`);
    assert.equal(api.counters.requests, 1);
    assert.equal(api.counters.authorized, 1);
    assert.equal(api.requests[0].path, '/api/me');
    assert.equal(api.requests[0].status, 200);
  });

  test('invalid token: 401, WWW-Authenticate Bearer error="invalid_token" (RFC 6750 §3.1)', async () => {
    const res = await call(api, '/api/me', 'not-a-real-token');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate'), /^Bearer .*error="invalid_token"/);
    assert.equal((await res.json()).error, 'invalid_token');
  });

  test('no token: 401 with a challenge that carries no error code (RFC 6750 §3.1)', async () => {
    const res = await call(api, '/api/me');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="connauth-demo"');
    assert.equal((await res.json()).error, 'invalid_token');
  });

  test('contacts: list, create (201 echo with id), bad JSON', async () => {
    const { access_token: token } = await connectAccount(op, { login: 'bob' });
    const list = await call(api, '/api/contacts', token);
    assert.equal(list.status, 200);
    const contacts = await list.json();
    assert.ok(Array.isArray(contacts) && contacts.length >= 2);

    const created = await call(api, '/api/contacts', token, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Grace Hopper' }),
    });
    assert.equal(created.status, 201);
    const body = await created.json();
    assert.equal(body.name, 'Grace Hopper');
    assert.equal(typeof body.id, 'string');
    assert.equal(api.lastRequest.body, JSON.stringify({ name: 'Grace Hopper' }));

    const again = await (await call(api, '/api/contacts', token)).json();
    assert.equal(again.length, contacts.length + 1);

    const bad = await call(api, '/api/contacts', token, { method: 'POST', body: '{nope' });
    assert.equal(bad.status, 400);
  });

  test('a token without the route\'s scope: 403 insufficient_scope', async () => {
    const { access_token: token } = await connectAccount(op, { login: 'carol', scope: 'openid contacts:read' });
    assert.equal((await call(api, '/api/contacts', token)).status, 200);
    const res = await call(api, '/api/contacts', token, { method: 'POST', body: '{}' });
    assert.equal(res.status, 403);
    assert.match(res.headers.get('www-authenticate'), /error="insufficient_scope", scope="contacts:write"/);
  });

  test('a revoked grant is refused at once (no caching)', async () => {
    const tokens = await connectAccount(op, { login: 'erin' });
    assert.equal((await call(api, '/api/me', tokens.access_token)).status, 200);
    op.revokeGrant('erin');
    assert.equal((await call(api, '/api/me', tokens.access_token)).status, 401);
  });

  test('a client credentials token speaks for the client', async () => {
    const res = await tokenRequest(op, { grant_type: 'client_credentials', scope: 'contacts:read' },
      { clientId: 'demo-client-basic', auth: 'basic' });
    const me = await call(api, '/api/me', res.body.access_token);
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { id: 'demo-client-basic', email: null, name: 'demo-client-basic' });
  });

  test('unknown route: 404 after authentication', async () => {
    const { access_token: token } = await connectAccount(op, { login: 'frank' });
    assert.equal((await call(api, '/api/nothing', token)).status, 404);
    assert.equal((await call(api, '/api/nothing')).status, 401);
  });
});

test('an expired token is refused; the refreshed one is accepted', async () => {
  const op = await startProvider({ accessTokenTTL: 2 });
  const api = await startDemoApi({ provider: op });
  try {
    const tokens = await connectAccount(op, { login: 'dave' });
    assert.equal((await call(api, '/api/me', tokens.access_token)).status, 200);
    await sleep(2600);
    const expired = await call(api, '/api/me', tokens.access_token);
    assert.equal(expired.status, 401);
    assert.match(expired.headers.get('www-authenticate'), /invalid_token/);
    const refreshed = await refreshTokens(op, tokens.refresh_token);
    assert.equal((await call(api, '/api/me', refreshed.body.access_token)).status, 200);
  } finally {
    await api.stop();
    await op.stop();
  }
});

test('provider outage: the API answers 503 and recovers with the provider', async () => {
  const op = await startProvider();
  const api = await startDemoApi({ provider: op });
  try {
    const { access_token: token } = await connectAccount(op, { login: 'grace' });
    await op.stop();
    const down = await call(api, '/api/me', token);
    assert.equal(down.status, 503);
    assert.equal((await down.json()).error, 'temporarily_unavailable');
    await op.start();
    assert.equal((await call(api, '/api/me', token)).status, 200);
  } finally {
    await api.stop();
    await op.stop();
  }
});
