// Refresh at the edge, all real (SPEC §2.5, §3, §4): single-flight across
// 200 concurrent proxied requests, rotation that never loses the newest
// refresh token, an outage that degrades the connection and heals without
// the user (the ConnectionStore alarm), and a backoff that keeps the edge
// from hammering a provider that is down.
//
// The provider's access token lifetime is a function, so one token can be
// issued already short-lived (and expire for real, at the provider and in
// the edge's expires_at) while the next ones live an hour: a storm then
// cannot outlast its own fresh token, however slow the machine.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { session } from './fixtures/edge_harness.mjs';
import {
  startWorld, connectOAuth, lastAccessToken, eventually,
} from './fixtures/demo_world.mjs';
import { startOddProvider } from '../../demo/odd-provider.mjs';

let ttl = 3600;
const world = await startWorld({ provider: { accessTokenTTL: () => ttl }, app: { refresh_buffer: 0 } });
const odd = await startOddProvider();
after(async () => {
  await world.stop();
  await odd.stop();
});
const { edge, provider, demoApi, admin, appId } = world;
const alice = await session('org-demo', 'alice', 'member');
const proxy = (token = alice, path = 'me', id = appId) => edge.api('GET', `/proxy/${id}/${path}`, { token });
const connection = async (token = alice, id = appId) => (await edge.api('GET', `/api/apps/${id}/connection`, { token })).data;
const liveRefreshTokens = () => provider.stored('RefreshToken').filter((t) => !t.consumed);

// Connects `token`'s user with an access token that lives `seconds`, and
// waits until it has expired (the edge's expires_at has passed; the
// provider's lifetime is the same).
async function connectWithExpiredToken(token, login, seconds = 1) {
  ttl = seconds;
  try {
    await connectOAuth(edge, appId, token, { login });
  } finally {
    ttl = 3600;
  }
  const { expires_at: expiresAt } = await connection(token);
  assert.ok(expiresAt <= Math.floor(Date.now() / 1000) + seconds);
  await new Promise((r) => setTimeout(r, Math.max(0, (expiresAt + 1) * 1000 - Date.now())));
}

describe('single flight and rotation', () => {
  test('200 concurrent requests with an expired token: exactly one token request, all succeed', async (t) => {
    await connectWithExpiredToken(alice, 'alice');
    provider.resetCounters();
    demoApi.resetCounters();
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 200 }, () => proxy()));
    const ms = Math.round(performance.now() - started);
    t.diagnostic(`storm: 200 proxied requests in ${ms} ms, ${provider.counters.refresh_token} token request(s)`);
    assert.deepEqual([...new Set(answers.map((r) => r.status))], [200]);
    assert.equal(answers.every((r) => r.data.id === 'alice'), true);
    assert.deepEqual(provider.counters, { refresh_token: 1 }, 'one token request for all of them');
    assert.equal(demoApi.counters.rejected, 0, 'refreshed before sending: no request went out with the expired token');
    assert.equal((await provider.introspect(lastAccessToken(demoApi))).active, true);
    const c = await connection();
    assert.equal(c.status, 'connected');
    assert.ok(c.expires_at > Math.floor(Date.now() / 1000) + 3000);
  });

  test('refresh on a 401 signal: 100 concurrent requests, one token request, the retry succeeds', async () => {
    world.rejectAtApi(lastAccessToken(demoApi)); // the API now answers 401 (refresh_on: [401])
    provider.resetCounters();
    demoApi.resetCounters();
    const answers = await Promise.all(Array.from({ length: 100 }, () => proxy()));
    assert.deepEqual([...new Set(answers.map((r) => r.status))], [200]);
    assert.deepEqual(provider.counters, { refresh_token: 1 });
    assert.ok(demoApi.counters.rejected >= 1 && demoApi.counters.rejected <= 100, 'each request was retried at most once');
    assert.equal(demoApi.counters.authorized, 100);
  });

  test('rotation: every refresh stores the newest refresh token (a stale one would revoke the grant)', async () => {
    provider.resetCounters();
    for (let i = 0; i < 3; i++) {
      world.rejectAtApi(lastAccessToken(demoApi));
      assert.equal((await proxy()).status, 200, `refresh ${i + 1}`);
    }
    assert.deepEqual(provider.tokenRequests.map((r) => [r.grant_type, r.status]),
      [['refresh_token', 200], ['refresh_token', 200], ['refresh_token', 200]]);
    // oidc-provider answers a rotated (older) refresh token with invalid_grant
    // and revokes the grant; it is alive, with exactly one live refresh token.
    assert.equal(liveRefreshTokens().filter((rt) => rt.accountId === 'alice').length, 1);
    assert.equal((await connection()).status, 'connected');
  });
});

describe('outage and recovery', () => {
  test('provider stopped: Check connection → degraded; restarted → the alarm recovers it, no user action', async () => {
    await provider.stop();
    try {
      const checked = await edge.api('POST', `/api/apps/${appId}/check`, { token: alice });
      assert.equal(checked.status, 200);
      assert.equal(checked.data.status, 'degraded');
      assert.equal(checked.data.lost.cause, 'provider_unavailable');
      assert.match(checked.data.lost.action, /recovers by itself/);
      assert.equal(typeof checked.data.next_retry_at, 'number');
    } finally {
      await provider.start();
    }
    // Nothing but reading the connection from here: the alarm retries it.
    const healed = await eventually(async () => (await connection()).status === 'connected', { ms: 20_000 });
    assert.ok(healed, 'recovered in the background');
    const c = await connection();
    assert.deepEqual(c.history.slice(-2).map((h) => [h.from, h.to]), [['connected', 'degraded'], ['degraded', 'connected']]);
    assert.equal(c.lost, null);
  });

  test('token expired during an outage: 503 connection_degraded with the diagnosis; heals when the provider is back', async () => {
    const bob = await session('org-demo', 'bob', 'member');
    await connectWithExpiredToken(bob, 'bob');
    await provider.stop();
    let down;
    try {
      down = await proxy(bob);
    } finally {
      await provider.start();
    }
    assert.equal(down.status, 503);
    assert.equal(down.data.error, 'connection_degraded');
    assert.equal(down.data.lost.cause, 'provider_unavailable');
    assert.ok(Number(down.headers.get('retry-after')) >= 1);
    assert.ok(await eventually(async () => (await connection(bob)).status === 'connected', { ms: 20_000 }), 'healed by the alarm');
    const back = await proxy(bob);
    assert.equal(back.status, 200);
    assert.equal(back.data.id, 'bob');
  });
});

describe('backoff (odd provider: every token request is recorded)', () => {
  // custom_auth with client credentials: refreshing means acquiring again.
  const connector = {
    name: 'odd_cc',
    connection: { base_uri: `${odd.url}/api/` },
    authorization: {
      type: 'custom_auth',
      acquire: {
        request: { method: 'POST', url: `${odd.url}/token`, form: { grant_type: 'client_credentials' } },
        // Explicit, as in demo/connectors: with the default mapping the engine
        // takes a 2xx without an access token for a successful refresh (reported).
        tokens: { access_token: '{{response.access_token}}', expires_in: '{{response.expires_in}}' },
      },
      apply: [{ headers: { Authorization: 'Bearer {{access_token}}' } }],
      refresh_on: [401],
    },
    test: { method: 'GET', url: 'current' },
  };

  test('while backing off, no token request is sent; Check connection retries at once', async () => {
    assert.equal((await edge.api('PUT', '/api/connectors/odd_cc', { token: admin, json: connector })).status, 201);
    const created = await edge.api('POST', '/api/apps', { token: admin, json: { name: 'Odd', prompt: 'p', connector: 'odd_cc' } });
    const id = created.data.id;
    const connected = await edge.api('POST', `/api/apps/${id}/connect`, { token: alice, json: {} });
    assert.equal(connected.status, 200, connected.text);
    assert.equal((await proxy(alice, 'current', id)).status, 200);

    // The token endpoint goes down, and the stored token goes stale.
    odd.setDefault('token', 'unavailable');
    odd.next('token', 'ok');
    await fetch(`${odd.url}/token`, { method: 'POST' });
    const attempts = () => odd.requestsTo('token').length;
    const before = attempts();
    const first = await proxy(alice, 'current', id);
    assert.equal(first.status, 503);
    assert.equal(first.data.error, 'connection_degraded');
    assert.equal(first.data.lost.cause, 'provider_unavailable');
    assert.ok(attempts() > before);

    // The engine's backoff has full jitter (and the alarm retries at each
    // next_retry_at in the background); wait for a window of 3 s or more,
    // then ask within it.
    let c;
    for (let i = 0; i < 12; i++) {
      c = await connection(alice, id);
      if (c.next_retry_at - Date.now() / 1000 >= 3) break;
      await new Promise((r) => setTimeout(r, Math.max(0, c.next_retry_at * 1000 - Date.now()) + 100));
      await proxy(alice, 'current', id);
    }
    assert.ok(c.next_retry_at - Date.now() / 1000 >= 3, 'a backoff window came');
    const during = attempts();
    const waiting = await Promise.all(Array.from({ length: 10 }, () => proxy(alice, 'current', id)));
    assert.deepEqual([...new Set(waiting.map((r) => r.status))], [503]);
    assert.ok(Number(waiting[0].headers.get('retry-after')) >= 1);
    assert.equal(attempts(), during, 'no token request while backing off');

    odd.setDefault('token', null); // the provider is back
    const checked = await edge.api('POST', `/api/apps/${id}/check`, { token: alice });
    assert.equal(checked.data.status, 'connected', 'Check connection did not wait for the backoff');
    assert.equal(attempts(), during + 1);
    assert.equal((await proxy(alice, 'current', id)).status, 200);
  });

  test('a malformed token response: lost/connector_error, naming the connector version that last worked', async () => {
    const created = await edge.api('POST', '/api/apps', { token: admin, json: { name: 'Odd 2', prompt: 'p', connector: 'odd_cc' } });
    const id = created.data.id;
    assert.equal((await edge.api('POST', `/api/apps/${id}/connect`, { token: alice, json: {} })).status, 200);
    const { version } = (await edge.api('GET', '/api/connectors/odd_cc', { token: admin })).data;
    odd.next('token', 'ok'); // someone else's token: the stored one goes stale
    await fetch(`${odd.url}/token`, { method: 'POST' });
    odd.next('token', 'not_json');
    const r = await proxy(alice, 'current', id);
    assert.equal(r.status, 409);
    assert.equal(r.data.lost.cause, 'connector_error');
    assert.match(r.data.lost.action, new RegExp(`version ${version}\\b`));
    const c = await connection(alice, id);
    assert.equal(c.status, 'lost');
    assert.equal(c.history.at(-1).cause, 'connector_error');
  });
});
