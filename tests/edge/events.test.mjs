// A connection's events reach the org's webhook in real workerd (SPEC §9):
// connected, degraded while the provider is down, recovered when it is back,
// lost when the key is revoked, disconnected — in that order, each signed as
// Standard Webhooks specifies (verified with the `standardwebhooks` package,
// not connauth's code), with the diagnosis and without any secret.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';

// The provider's API: GET /v1/me accepts the keys in `accepted`; `down` answers 503.
const accepted = new Set(['key-1']);
let down = false;
// The webhook receiver: every delivery, as received.
const received = [];
let api;
let receiver;
before(async () => {
  api = http.createServer((req, res) => {
    const key = req.headers['x-api-key'];
    const known = ['/v1/me', '/v1/whoami'].includes(req.url) && accepted.has(key);
    const status = down ? 503 : known ? 200 : 401;
    // whoami: the account a key belongs to (SPEC §10 identity request).
    const body = known && req.url === '/v1/whoami' ? { login: `owner-of-${key}` } : {};
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await Promise.all([api, receiver].map((s) => new Promise((resolve) => s.listen(0, '127.0.0.1', resolve))));
});
after(() => {
  api?.close();
  receiver?.close();
});

const edge = await startEdge({ network: true, bindings: { CONNAUTH_DEV: '1' } });
after(() => edge.dispose());
const ORG = 'org-events';
const admin = await session(ORG, 'root', 'admin');
const alice = await session(ORG, 'alice', 'member');

async function call(method, path, token, json) {
  const r = await edge.api(method, path, { token, json });
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
  return r.data;
}

// The connection events received, each once (delivery is at least once: a
// repeated attempt carries the same webhook-id), in the order first received.
async function eventsOf(types, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    const seen = new Set();
    const events = [];
    for (const d of received) {
      const event = JSON.parse(d.body);
      if (!event.type.startsWith('connection.') || seen.has(d.headers['webhook-id'])) continue;
      seen.add(d.headers['webhook-id']);
      events.push(event);
    }
    if (events.length >= types.length || Date.now() > until) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('connected, degraded, recovered, lost, disconnected: delivered in order, signed, with the diagnosis', { timeout: 60_000 }, async () => {
  const hook = await call('POST', '/api/webhooks', admin, { url: `http://127.0.0.1:${receiver.address().port}/hooks` });
  assert.match(hook.secret, /^whsec_/);
  await call('PUT', '/api/connectors/acme', admin,
    apiKeyConnector({ connection: { ...apiKeyConnector().connection, base_uri: `http://127.0.0.1:${api.address().port}/v1/` } }));
  const app = await call('POST', '/api/apps', admin, {
    name: 'Acme', prompt: 'Connect', connector: 'acme', lost_after_failures: 3,
    // No background retry during the test: the checks below decide each status.
    backoff_base_seconds: 120,
  });

  await call('POST', `/api/apps/${app.id}/connect`, alice, { fields: { api_key: 'key-1' } });
  down = true;
  assert.equal((await call('POST', `/api/apps/${app.id}/check`, alice)).status, 'degraded');
  down = false;
  assert.equal((await call('POST', `/api/apps/${app.id}/check`, alice)).status, 'connected');
  accepted.delete('key-1');
  assert.equal((await call('POST', `/api/apps/${app.id}/check`, alice)).status, 'lost');
  await call('DELETE', `/api/apps/${app.id}/connection`, alice);

  const expected = ['connection.connected', 'connection.degraded', 'connection.recovered', 'connection.lost', 'connection.disconnected'];
  const events = await eventsOf(expected);
  assert.deepEqual(events.map((e) => e.type), expected);

  const verifier = new Webhook(hook.secret);
  for (const delivery of received) {
    const verified = verifier.verify(delivery.body, delivery.headers);
    assert.equal(verified.type, JSON.parse(delivery.body).type);
    assert.match(delivery.headers['webhook-signature'], /^v1,/);
  }
  const [connected, degraded, recovered, lost, disconnected] = events;
  for (const e of events) {
    assert.equal(e.data.org, ORG);
    assert.deepEqual(e.data.app, { id: app.id, name: 'Acme' });
    assert.equal(e.data.user, 'alice');
    assert.equal(e.data.connector_version, 1);
    assert.match(e.timestamp, /^\d{4}-\d\d-\d\dT/);
  }
  assert.equal(connected.data.status, 'connected');
  assert.equal(degraded.data.cause, 'provider_unavailable');
  assert.ok(degraded.data.message && degraded.data.action, 'the diagnosis');
  assert.equal(recovered.data.status, 'connected');
  assert.equal(lost.data.cause, 'credentials_rejected');
  assert.match(lost.data.action, /credentials/);
  assert.equal(disconnected.data.status, 'not_connected');
  assert.ok(!received.some((d) => d.body.includes('key-1')), 'no field value in any event');
});

test('a reconnect with another account\'s key: the connected event says which accounts (SPEC §10)', { timeout: 60_000 }, async () => {
  accepted.add('key-a');
  accepted.add('key-b');
  const base = apiKeyConnector({ connection: { ...apiKeyConnector().connection, base_uri: `http://127.0.0.1:${api.address().port}/v1/` } });
  await call('PUT', '/api/connectors/acme_who', admin, { ...base, name: 'acme_who',
    authorization: { ...base.authorization, identity: { request: { url: 'whoami' }, value: '{{response.login}}' } } });
  const app = await call('POST', '/api/apps', admin, { name: 'Acme Who', prompt: 'Connect', connector: 'acme_who' });

  const first = await call('POST', `/api/apps/${app.id}/connect`, alice, { fields: { api_key: 'key-a' } });
  assert.equal(first.identity, 'owner-of-key-a');
  assert.equal(first.account_changed, undefined);
  const second = await call('POST', `/api/apps/${app.id}/connect`, alice, { fields: { api_key: 'key-b' } });
  assert.equal(second.identity, 'owner-of-key-b');
  assert.deepEqual(second.account_changed, { from: 'owner-of-key-a', to: 'owner-of-key-b' });

  const until = Date.now() + 15_000;
  let connected = [];
  while (connected.length < 2 && Date.now() < until) {
    connected = received.map((d) => JSON.parse(d.body)).filter((e) => e.type === 'connection.connected' && e.data.app.id === app.id);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(connected.length, 2);
  assert.equal(connected[0].data.account_changed, undefined);
  assert.deepEqual(connected[1].data.account_changed, { from: 'owner-of-key-a', to: 'owner-of-key-b' });
  assert.ok(!received.some((d) => d.body.includes('"key-a"') || d.body.includes('"key-b"')), 'no key in any event');
});
