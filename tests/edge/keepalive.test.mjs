// Keep-alive in real workerd against the real OAuth server (SPEC §9): a
// connection nobody uses is refreshed once its app's keepalive_seconds have
// passed, so a grant revoked at the provider shows as lost — with its cause
// and action — before anyone needs it, and the org's webhook is told
// (connection.lost, verified with the `standardwebhooks` package); an app
// with keep-alive off leaves its idle connections alone.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { startWorld, createApp, connectOAuth, eventually } from './fixtures/demo_world.mjs';
import { session } from './fixtures/edge_harness.mjs';

const world = await startWorld({ app: { keepalive_seconds: 10 }, bindings: { CONNAUTH_DEV: '1' } });
after(() => world.stop());
const { edge, admin, provider } = world;

// The org's webhook receiver: every delivery as received.
const received = [];
let receiver;
before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
after(() => receiver?.close());

test('a revoked grant on an idle connection is found by the keep-alive: lost, authorization_revoked', { timeout: 60_000 }, async () => {
  const off = await createApp(edge, admin, {
    providerUrl: provider.issuer, apiUrl: world.demoApi.url, issuer: provider.issuer, name: 'No keep-alive', keepalive_seconds: 0,
  });
  const hook = await edge.api('POST', '/api/webhooks', {
    token: admin, json: { url: `http://127.0.0.1:${receiver.address().port}/hook`, events: ['connection.lost'] },
  });
  assert.equal(hook.status, 201, hook.text);
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

  // The org's webhook is told, signed as Standard Webhooks specifies.
  const delivery = await eventually(() => received[0], { ms: 10_000, every: 100 });
  assert.ok(delivery, 'connection.lost delivered');
  const event = new Webhook(hook.data.secret).verify(delivery.body, delivery.headers);
  assert.equal(event.type, 'connection.lost');
  assert.equal(event.data.cause, 'authorization_revoked');
  assert.equal(event.data.user, 'alice');
  assert.deepEqual(event.data.app, { id: world.appId, name: lost.app.name });
  assert.match(event.data.action, /reconnect/i);
  assert.equal(received.length, 1, 'one event: the other app\'s connection did not change');

  // The app with keep-alive off still shows its connection as it last knew it.
  const other = await edge.api('GET', `/api/connections?app=${off}`, { token: admin });
  assert.equal(other.data.items[0].status, 'connected');
  // What the user sees: lost, with the same diagnosis.
  const mine = await edge.api('GET', `/api/apps/${world.appId}/connection`, { token: alice });
  assert.equal(mine.data.status, 'lost');
  assert.equal(mine.data.lost.cause, 'authorization_revoked');
});
