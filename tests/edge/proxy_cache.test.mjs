// The proxy's isolate-level cache (edge/src/proxy_cache.mjs, edge/README.md
// "Caching on the request path") in real workerd, with two isolates over
// the same Durable Objects (fixtures/two_isolates.mjs):
//  - a change made through an isolate (connector, app, connection) reaches
//    that isolate's next proxied request at once;
//  - another isolate sees it within its TTL, and at once with TTL 0;
//  - cached credentials are never used past expires_at - refresh_buffer:
//    the proactive refresh still happens, once, in the ConnectionStore's
//    single flight (SPEC §3);
//  - a 401 refreshes through the ConnectionStore's compare-and-set, and the
//    new credentials replace the cached ones;
//  - failures (not_connected, lost) and degraded connections are not cached.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { session } from './fixtures/edge_harness.mjs';
import { startTwoIsolates } from './fixtures/two_isolates.mjs';

const OTHER_TTL_MS = 1500;
const world = await startTwoIsolates({ ttl: { 'edge-2': OTHER_TTL_MS } });
after(() => world.dispose());
const { api, upstream } = world;

const admin = await session('org-c', 'admin', 'admin');
const alice = await session('org-c', 'alice', 'member');
const bob = await session('org-c', 'bob', 'member');

// A provider issuing bearer tokens (custom_auth: a refresh acquires again)
// and an API accepting the live ones.
const provider = {
  issued: 0,
  expiresIn: 3600,
  live: new Set(),
  apiDown: false,
  tokenRequests: () => upstream.requests.filter((r) => r.url.endsWith('/token')).length,
  apiTokens: () => upstream.requests.filter((r) => r.url.includes('/v1/')).map((r) => r.headers.authorization),
};
upstream.handler = (seen) => {
  if (seen.url === 'https://api.cache.test/token') {
    provider.issued += 1;
    const token = `tok-${provider.issued}`;
    provider.live.add(token);
    return Response.json({ access_token: token, expires_in: provider.expiresIn });
  }
  if (provider.apiDown && seen.url.endsWith('/v1/me')) return new Response('down', { status: 503 });
  const token = /^Bearer (.+)$/.exec(seen.headers.authorization ?? '')?.[1];
  if (!provider.live.has(token)) return new Response('{"error":"invalid_token"}', { status: 401 });
  return Response.json({ token, version: seen.headers['x-version'] ?? null });
};

const connector = (extra = {}) => ({
  name: 'cached',
  connection: { base_uri: 'https://api.cache.test/v1/' },
  authorization: {
    type: 'custom_auth',
    acquire: {
      request: { method: 'POST', url: 'https://api.cache.test/token', form: { grant_type: 'client_credentials' } },
      tokens: { access_token: '{{response.access_token}}', expires_in: '{{response.expires_in}}' },
    },
    apply: [{ headers: { Authorization: 'Bearer {{access_token}}', ...extra } }],
    refresh_on: [401],
  },
  test: { method: 'GET', url: 'me' },
});

async function newApp(fields = {}) {
  const r = await api('edge', 'POST', '/api/apps', { token: admin, json: { name: 'Cached', prompt: 'Connect', connector: 'cached', ...fields } });
  assert.equal(r.status, 201, r.text);
  return r.data.id;
}
const connect = async (id, token = alice, isolate = 'edge') => {
  const r = await api(isolate, 'POST', `/api/apps/${id}/connect`, { token, json: {} });
  assert.equal(r.status, 200, r.text);
  return r.data;
};
const proxy = (id, { token = alice, isolate = 'edge', path = 'items' } = {}) => api(isolate, 'GET', `/proxy/${id}/${path}`, { token });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  assert.equal((await api('edge', 'PUT', '/api/connectors/cached', { token: admin, json: connector() })).status, 201);
});

describe('changes through an isolate reach its own cache at once', () => {
  test('connector version, rollback, egress, disable/enable, reconnect, disconnect, reset, delete', async () => {
    const id = await newApp();
    await connect(id);
    const warm = async () => {
      const r = await proxy(id);
      assert.equal(r.status, 200, r.text);
      return r.data;
    };
    assert.equal((await warm()).version, null);

    assert.equal((await api('edge', 'PUT', '/api/connectors/cached', { token: admin, json: connector({ 'X-Version': '2' }) })).status, 201);
    assert.equal((await warm()).version, '2', 'a new connector version is used by the next request');
    const rolledBack = await api('edge', 'POST', '/api/connectors/cached/rollback', { token: admin, json: { version: 1 } });
    assert.equal(rolledBack.status, 201);
    assert.equal((await warm()).version, null, 'so is a rollback');

    assert.equal((await api('edge', 'PATCH', `/api/apps/${id}`, { token: admin, json: { egress: ['elsewhere.test'] } })).status, 200);
    assert.equal((await proxy(id)).data.error, 'egress_denied', 'an app update is used by the next request');
    assert.equal((await api('edge', 'PATCH', `/api/apps/${id}`, { token: admin, json: { egress: null } })).status, 200);
    await warm();

    assert.equal((await api('edge', 'POST', `/api/apps/${id}/disable`, { token: admin })).status, 200);
    assert.equal((await proxy(id)).data.error, 'app_disabled');
    assert.equal((await api('edge', 'POST', `/api/apps/${id}/enable`, { token: admin })).status, 200);
    const before = (await warm()).token;

    await connect(id);
    const after = (await warm()).token;
    assert.notEqual(after, before, 'a reconnect\'s credentials are used by the next request');

    assert.equal((await api('edge', 'DELETE', `/api/apps/${id}/connection`, { token: alice })).status, 200);
    assert.equal((await proxy(id)).data.error, 'not_connected', 'a disconnect takes effect at once');

    await connect(id);
    await warm();
    assert.equal((await api('edge', 'POST', `/api/apps/${id}/reset`, { token: admin })).status, 200);
    assert.equal((await proxy(id)).data.error, 'not_connected', 'a reset takes effect at once');

    await connect(id);
    await warm();
    assert.equal((await api('edge', 'DELETE', `/api/apps/${id}`, { token: admin })).status, 204);
    assert.equal((await proxy(id)).status, 404, 'a deletion takes effect at once');
  });

  test('Check connection drops the cached credentials: the next request uses what it stored', async () => {
    const id = await newApp();
    await connect(id);
    const old = (await proxy(id)).data.token;
    provider.live.delete(old); // the check's test is refused: it acquires a new token
    const checked = await api('edge', 'POST', `/api/apps/${id}/check`, { token: alice });
    assert.equal(checked.data.status, 'connected');
    const apiCalls = provider.apiTokens().length;
    const r = await proxy(id);
    assert.equal(r.status, 200);
    assert.notEqual(r.data.token, old);
    assert.deepEqual(provider.apiTokens().slice(apiCalls), [`Bearer ${r.data.token}`], 'nothing went out with the old token');
  });
});

describe('tokens and refresh', () => {
  test('cached credentials are not used past expires_at - refresh_buffer: one proactive refresh, in the single flight', async () => {
    const id = await newApp({ refresh_buffer: 1 });
    provider.expiresIn = 3;
    try {
      await connect(id);
    } finally {
      provider.expiresIn = 3600;
    }
    const first = await proxy(id);
    assert.equal(first.status, 200);
    const old = first.data.token;
    const { expires_at: expiresAt } = (await api('edge', 'GET', `/api/apps/${id}/connection`, { token: alice })).data;
    // Still within the cache's TTL (5 s), but due for a proactive refresh.
    await sleep(Math.max(0, (expiresAt - 1) * 1000 - Date.now()) + 50);
    const tokenRequests = provider.tokenRequests();
    const apiCalls = provider.apiTokens().length;
    const answers = await Promise.all(Array.from({ length: 30 }, () => proxy(id)));
    assert.deepEqual([...new Set(answers.map((r) => r.status))], [200]);
    assert.equal(provider.tokenRequests() - tokenRequests, 1, 'exactly one token request');
    const sent = provider.apiTokens().slice(apiCalls);
    assert.equal(sent.length, 30, 'refreshed before sending: no request went out with the old token');
    assert.ok(sent.every((h) => h !== `Bearer ${old}`));
  });

  test('a 401 refreshes through the ConnectionStore; the new credentials replace the cached ones', async () => {
    const id = await newApp();
    await connect(id);
    const old = (await proxy(id)).data.token;
    provider.live.delete(old);
    const tokenRequests = provider.tokenRequests();
    const answers = await Promise.all(Array.from({ length: 20 }, () => proxy(id)));
    assert.deepEqual([...new Set(answers.map((r) => r.status))], [200]);
    assert.equal(provider.tokenRequests() - tokenRequests, 1, 'compare-and-refresh: one token request for all of them');
    const fresh = answers[0].data.token;
    assert.notEqual(fresh, old);
    const apiCalls = provider.apiTokens().length;
    assert.equal((await proxy(id)).data.token, fresh);
    assert.deepEqual(provider.apiTokens().slice(apiCalls), [`Bearer ${fresh}`], 'the next request goes out with the new token at once');
  });

  test('another isolate holding the old token: its 401 finds the newer version, no second token request', async () => {
    const id = await newApp();
    await connect(id);
    const old = (await proxy(id, { isolate: 'edge-2' })).data.token; // edge-2 caches it
    provider.live.delete(old);
    assert.equal((await proxy(id)).status, 200); // edge refreshes
    const tokenRequests = provider.tokenRequests();
    const r = await proxy(id, { isolate: 'edge-2' }); // 401 with the old token, then the stored one
    assert.equal(r.status, 200);
    assert.notEqual(r.data.token, old);
    assert.equal(provider.tokenRequests(), tokenRequests, 'the ConnectionStore answered the newer credentials');
  });
});

describe('another isolate', () => {
  // Polls `check` on edge-2 until it holds; answers how long that took (ms).
  async function within(check) {
    const started = Date.now();
    while (!(await check())) {
      assert.ok(Date.now() - started < OTHER_TTL_MS + 1000, 'not within the TTL');
      await sleep(50);
    }
    return Date.now() - started;
  }

  test('sees a disconnect within its TTL', async () => {
    const id = await newApp();
    await connect(id);
    assert.equal((await proxy(id, { isolate: 'edge-2' })).status, 200);
    assert.equal((await api('edge', 'DELETE', `/api/apps/${id}/connection`, { token: alice })).status, 200);
    const ms = await within(async () => (await proxy(id, { isolate: 'edge-2' })).status === 409);
    assert.ok(ms <= OTHER_TTL_MS + 500, `${ms} ms`);
    assert.equal((await proxy(id, { isolate: 'edge-2' })).data.error, 'not_connected');
  });

  test('sees an app disabled within its TTL', async () => {
    const id = await newApp();
    await connect(id);
    assert.equal((await proxy(id, { isolate: 'edge-2' })).status, 200);
    assert.equal((await api('edge', 'POST', `/api/apps/${id}/disable`, { token: admin })).status, 200);
    await within(async () => (await proxy(id, { isolate: 'edge-2' })).status === 403);
    assert.equal((await proxy(id, { isolate: 'edge-2' })).data.error, 'app_disabled');
  });

  test('never caches a failure: connected elsewhere, usable here at once', async () => {
    const id = await newApp();
    const refused = await proxy(id, { isolate: 'edge-2', token: bob });
    assert.equal(refused.data.error, 'not_connected');
    await connect(id, bob);
    assert.equal((await proxy(id, { isolate: 'edge-2', token: bob })).status, 200);
  });

  test('never caches a degraded connection\'s credentials', async () => {
    const id = await newApp();
    await connect(id);
    // The test endpoint is down (and stays down, so that the background
    // retry cannot make it connected meanwhile); the API itself works.
    provider.apiDown = true;
    try {
      assert.equal((await api('edge', 'POST', `/api/apps/${id}/check`, { token: alice })).data.status, 'degraded');
      // The token still works: proxied, but not kept.
      assert.equal((await proxy(id, { isolate: 'edge-2' })).status, 200);
      assert.equal((await api('edge', 'DELETE', `/api/apps/${id}/connection`, { token: alice })).status, 200);
      assert.equal((await proxy(id, { isolate: 'edge-2' })).data.error, 'not_connected', 'seen at once');
    } finally {
      provider.apiDown = false;
    }
  });
});

describe('PROXY_CACHE_TTL_MS=0', () => {
  test('no caching: another isolate sees a disconnect at once', async () => {
    const uncached = await startTwoIsolates({ ttl: { edge: 0, 'edge-2': 0 } });
    try {
      uncached.upstream.handler = upstream.handler;
      const r = await uncached.api('edge', 'PUT', '/api/connectors/cached', { token: admin, json: connector() });
      assert.equal(r.status, 201);
      const created = await uncached.api('edge', 'POST', '/api/apps', { token: admin, json: { name: 'U', prompt: 'p', connector: 'cached' } });
      const id = created.data.id;
      assert.equal((await uncached.api('edge', 'POST', `/api/apps/${id}/connect`, { token: alice, json: {} })).status, 200);
      assert.equal((await uncached.api('edge-2', 'GET', `/proxy/${id}/items`, { token: alice })).status, 200);
      assert.equal((await uncached.api('edge', 'DELETE', `/api/apps/${id}/connection`, { token: alice })).status, 200);
      assert.equal((await uncached.api('edge-2', 'GET', `/proxy/${id}/items`, { token: alice })).data.error, 'not_connected');
    } finally {
      await uncached.dispose();
    }
  });
});
