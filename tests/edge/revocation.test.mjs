// Token revocation at the provider (SPEC §9, RFC 7009), all real: the edge in
// workerd, the demo oidc-provider with its revocation endpoint. Disconnect,
// app reset and app delete delete the tokens and then revoke them: the
// refresh token stops working at the provider. The deletion never waits for
// the provider: one that hangs or is down changes nothing for the caller.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { session } from './fixtures/edge_harness.mjs';
import {
  startWorld, createApp, connectOAuth, eventually, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
} from './fixtures/demo_world.mjs';
import { loadConnector } from '../../demo/catalog.mjs';
import { serve } from '../../demo/http-server.mjs';

const world = await startWorld();
// A revocation endpoint that accepts the request and never answers.
const held = [];
const hanging = await serve((req) => held.push(req));
after(async () => {
  await hanging.stop();
  await world.stop();
});
const { edge, provider, demoApi, admin, appId } = world;
const alice = await session('org-demo', 'alice', 'member');
const bob = await session('org-demo', 'bob', 'member');
const connection = async (token, id = appId) => (await edge.api('GET', `/api/apps/${id}/connection`, { token })).data;

// The account's one live refresh token at the provider (its value: the opaque token's jti).
function liveRefreshToken(account) {
  const live = provider.stored('RefreshToken').filter((t) => t.accountId === account && !t.consumed);
  assert.equal(live.length, 1, `${account} has one live refresh token`);
  return live[0].jti;
}

// RFC 6749 §6 at the provider, as the demo client: the status and error code.
async function refreshGrant(refreshToken) {
  const res = await fetch(provider.endpoints.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET }),
  });
  return { status: res.status, error: (await res.json()).error };
}

async function revokedAtProvider(count) {
  return eventually(() => provider.revocations.length >= count, { ms: 10_000 });
}

describe('revocation after the tokens are deleted', () => {
  test('disconnect: the refresh token is revoked at the provider and no longer works', async () => {
    await connectOAuth(edge, appId, alice, { login: 'alice' });
    const refreshToken = liveRefreshToken('alice');
    provider.resetCounters();
    const gone = await edge.api('DELETE', `/api/apps/${appId}/connection`, { token: alice });
    assert.equal(gone.status, 200);
    assert.equal(gone.data.status, 'not_connected');
    assert.ok(await revokedAtProvider(1), 'the provider was asked to revoke');
    assert.deepEqual(provider.revocations, [{ client_id: DEMO_CLIENT_ID, token_type_hint: 'refresh_token', status: 200 }]);
    assert.deepEqual(await refreshGrant(refreshToken), { status: 400, error: 'invalid_grant' });
    assert.equal(provider.stored('RefreshToken').filter((t) => t.accountId === 'alice').length, 0);
  });

  test('app reset: every user\'s refresh token is revoked; the app stays', async () => {
    const id = await createApp(edge, admin, { providerUrl: provider.issuer, apiUrl: demoApi.url, name: 'Reset me' });
    await connectOAuth(edge, id, alice, { login: 'alice' });
    await connectOAuth(edge, id, bob, { login: 'bob' });
    const tokens = [liveRefreshToken('alice'), liveRefreshToken('bob')];
    provider.resetCounters();
    const reset = await edge.api('POST', `/api/apps/${id}/reset`, { token: admin });
    assert.equal(reset.status, 200);
    assert.equal((await connection(alice, id)).status, 'not_connected');
    assert.ok(await revokedAtProvider(2), 'both revoked');
    assert.deepEqual(provider.revocations.map((r) => [r.token_type_hint, r.status]), [['refresh_token', 200], ['refresh_token', 200]]);
    for (const token of tokens) assert.deepEqual(await refreshGrant(token), { status: 400, error: 'invalid_grant' });
  });

  test('app delete: revoked with the client the app had, although the app is gone', async () => {
    const id = await createApp(edge, admin, { providerUrl: provider.issuer, apiUrl: demoApi.url, name: 'Delete me' });
    await connectOAuth(edge, id, bob, { login: 'bob' });
    const refreshToken = liveRefreshToken('bob');
    provider.resetCounters();
    const deleted = await edge.api('DELETE', `/api/apps/${id}`, { token: admin });
    assert.equal(deleted.status, 204);
    assert.equal((await edge.api('GET', `/api/apps/${id}`, { token: admin })).status, 404);
    assert.ok(await revokedAtProvider(1));
    assert.deepEqual(provider.revocations, [{ client_id: DEMO_CLIENT_ID, token_type_hint: 'refresh_token', status: 200 }]);
    assert.deepEqual(await refreshGrant(refreshToken), { status: 400, error: 'invalid_grant' });
  });
});

describe('the deletion never waits for the provider', () => {
  test('a revocation endpoint that never answers: disconnect answers at once, the tokens are gone', async () => {
    const slow = { ...loadConnector('demo_oauth'), name: 'demo_oauth_slow' };
    slow.authorization = { ...slow.authorization, revocation_url: `${hanging.url}/revoke` };
    assert.equal((await edge.api('PUT', '/api/connectors/demo_oauth_slow', { token: admin, json: slow })).status, 201);
    const id = await createApp(edge, admin, { providerUrl: provider.issuer, apiUrl: demoApi.url, connector: 'demo_oauth_slow', name: 'Slow' });
    await connectOAuth(edge, id, alice, { login: 'alice' });
    const started = performance.now();
    const gone = await edge.api('DELETE', `/api/apps/${id}/connection`, { token: alice });
    const ms = performance.now() - started;
    assert.equal(gone.status, 200);
    assert.equal(gone.data.status, 'not_connected');
    assert.ok(await eventually(() => held.length === 1, { ms: 10_000 }), 'the revocation request reached the endpoint');
    assert.ok(held.length === 1 && ms < 5_000, `answered in ${Math.round(ms)} ms while the revocation is still held`);
    assert.equal((await connection(alice, id)).status, 'not_connected');
    assert.equal((await edge.api('GET', `/proxy/${id}/me`, { token: alice })).status, 409);
  });

  test('provider down: disconnect answers, the connection is gone, and the failure does not come back', async () => {
    await connectOAuth(edge, appId, bob, { login: 'bob' });
    await provider.stop();
    try {
      const gone = await edge.api('DELETE', `/api/apps/${appId}/connection`, { token: bob });
      assert.equal(gone.status, 200);
      assert.equal(gone.data.status, 'not_connected');
      assert.equal((await connection(bob)).status, 'not_connected');
    } finally {
      await provider.start();
    }
    // The revocation failed (logged as revocation_failed): nothing is retried or reported to the user.
    assert.equal((await connection(bob)).status, 'not_connected');
    assert.equal((await edge.api('GET', `/proxy/${appId}/me`, { token: bob })).status, 409);
  });
});
