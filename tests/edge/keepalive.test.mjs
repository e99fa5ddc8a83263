// Keep-alive in real workerd against the real OAuth server (SPEC §9): a
// connection nobody uses is refreshed once its app's keepalive_seconds have
// passed, so a grant revoked at the provider shows as lost — with its cause
// and action — before anyone needs it; an app with keep-alive off leaves
// its idle connections alone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, createApp, connectOAuth, eventually } from './fixtures/demo_world.mjs';
import { session } from './fixtures/edge_harness.mjs';

const world = await startWorld({ app: { keepalive_seconds: 10 } });
after(() => world.stop());
const { edge, admin, provider } = world;

test('a revoked grant on an idle connection is found by the keep-alive: lost, authorization_revoked', { timeout: 60_000 }, async () => {
  const off = await createApp(edge, admin, {
    providerUrl: provider.issuer, apiUrl: world.demoApi.url, issuer: provider.issuer, name: 'No keep-alive', keepalive_seconds: 0,
  });
  const alice = await session('org-demo', 'alice', 'member');
  for (const app of [world.appId, off]) {
    const { completion } = await connectOAuth(edge, app, alice, { login: 'alice' });
    assert.equal(completion.status, 200, completion.text);
  }
  const connected = await edge.api('GET', '/api/connections', { token: admin });
  assert.deepEqual(connected.data.items.map((c) => c.status), ['connected', 'connected']);
  provider.resetCounters();
  const revokedAt = Date.now();
  assert.ok(provider.revokeGrant('alice') >= 2, 'the provider revoked both grants');

  // Nobody sends a request; within the 10 s window (and the alarm's slack) the keep-alive refreshes.
  const lost = await eventually(async () => {
    const r = await edge.api('GET', '/api/connections?status=lost', { token: admin });
    return r.data.items[0];
  }, { ms: 30_000, every: 500 });
  assert.ok(lost, 'the keep-alive found the revoked grant');
  assert.equal(lost.app.id, world.appId);
  assert.equal(lost.user, 'alice');
  assert.equal(lost.lost.cause, 'authorization_revoked');
  assert.match(lost.lost.action, /reconnect/i);
  assert.ok(Date.now() - revokedAt < 25_000);
  assert.deepEqual(provider.tokenRequests.map((r) => [r.grant_type, r.error]), [['refresh_token', 'invalid_grant']],
    'one refresh: the keep-alive');

  // The app with keep-alive off still shows its connection as it last knew it.
  const other = await edge.api('GET', `/api/connections?app=${off}`, { token: admin });
  assert.equal(other.data.items[0].status, 'connected');
  // What the user sees: lost, with the same diagnosis.
  const mine = await edge.api('GET', `/api/apps/${world.appId}/connection`, { token: alice });
  assert.equal(mine.data.status, 'lost');
  assert.equal(mine.data.lost.cause, 'authorization_revoked');
});
