// Webhooks (SPEC §9) in real workerd with the real engine: an admin
// registers a loopback receiver (dev mode: CONNAUTH_DEV=1, loopback allowed),
// the org's events reach it signed per Standard Webhooks (every delivery is
// verified by the reference library, npm `standardwebhooks`), failed
// attempts are retried on the schedule, deliveries with one event key stay
// in order while other keys proceed, and a deleted webhook gets nothing more.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';

// The receiver: POST /hooks/<name> is webhook <name>'s endpoint (its answer
// is plans[name](delivery), default 204); GET /v1/me is the connector's test
// endpoint for the api key "good".
const secrets = {}; // name -> whsec_ secret
const plans = {}; // name -> (delivery) => HTTP status
const received = {}; // name -> [{id, timestamp, type, body, status, verified}]
let server;
let port;
before(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/me') {
        res.writeHead(req.headers['x-api-key'] === 'good' ? 200 : 401, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const name = /^\/hooks\/([a-z]+)$/.exec(req.url)?.[1];
      if (req.method !== 'POST' || !name) {
        res.writeHead(404).end();
        return;
      }
      let verified;
      try {
        new Webhook(secrets[name]).verify(text, req.headers);
        verified = true;
      } catch (error) {
        verified = error.message;
      }
      const delivery = {
        id: req.headers['webhook-id'], timestamp: Number(req.headers['webhook-timestamp']), contentType: req.headers['content-type'],
        type: JSON.parse(text).type, body: JSON.parse(text), verified,
      };
      delivery.status = plans[name]?.(delivery) ?? 204;
      (received[name] ??= []).push(delivery);
      res.writeHead(delivery.status).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
});
after(() => server?.close());

const logLines = [];
const edge = await startEdge({ network: true, bindings: { CONNAUTH_DEV: '1' }, onLog: (line) => logLines.push(line) });
after(() => edge.dispose());
const { api } = edge;

const ORG = 'org-hooks';
const admin = await session(ORG, 'root', 'admin');
const member = await session(ORG, 'mia', 'member');
const hookUrl = (name) => `http://127.0.0.1:${port}/hooks/${name}`;
const ids = {}; // name -> webhook id
const responses = []; // every API answer, checked for secrets at the end

async function call(method, path, options) {
  const r = await api(method, path, options);
  responses.push(r.text);
  return r;
}

async function ok(r, status = 200) {
  assert.equal(r.status, status, r.text);
  return r.data;
}

async function waitFor(what, check, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const got = (name, type) => (received[name] ?? []).filter((d) => type === undefined || d.type === type);
const deliveries = async (name, query = '') => ok(await call('GET', `/api/webhooks/${ids[name]}/deliveries${query}`, { token: admin }));

async function createHook(name, events) {
  const created = await ok(await call('POST', '/api/webhooks', { token: admin, json: { url: hookUrl(name), ...(events ? { events } : {}) } }), 201);
  secrets[name] = created.secret;
  ids[name] = created.id;
  return created;
}

let appId;

describe('webhooks', () => {
  test('an admin registers a webhook; the secret is answered once, whsec_ + base64 of 32 bytes', async () => {
    const created = await createHook('all');
    assert.match(created.id, /^wh_/);
    assert.equal(created.url, hookUrl('all'));
    assert.equal(created.events, null);
    assert.match(created.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(created.secret.slice(6), 'base64').length, 32);
    await createHook('connectors', ['connector.updated']);

    const listed = await ok(await call('GET', '/api/webhooks', { token: admin }));
    assert.deepEqual(listed.webhooks.map((h) => [h.id, h.url, h.events, h.created_by]), [
      [ids.all, hookUrl('all'), null, 'root'],
      [ids.connectors, hookUrl('connectors'), ['connector.updated'], 'root'],
    ]);
    for (const h of listed.webhooks) assert.deepEqual(Object.keys(h).sort(), ['created_at', 'created_by', 'events', 'id', 'url']);
  });

  test('members get 403 on every webhook route', async () => {
    for (const [method, path] of [['POST', '/api/webhooks'], ['GET', '/api/webhooks'], ['DELETE', `/api/webhooks/${ids.all}`],
      ['GET', `/api/webhooks/${ids.all}/deliveries`]]) {
      const r = await call(method, path, { token: member, json: method === 'POST' ? { url: hookUrl('x') } : undefined });
      assert.equal(r.status, 403, `${method} ${path}`);
    }
    assert.equal((await call('GET', '/api/webhooks', {})).status, 401);
  });

  test('bad webhooks are refused with a pointer to each problem', async () => {
    const refused = async (json, paths, why) => {
      const r = await call('POST', '/api/webhooks', { token: admin, json });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.data.error, 'invalid_input');
      assert.deepEqual(r.data.details.map((d) => d.path), paths);
      if (why) assert.match(r.data.details[0].message, why);
    };
    await refused({ url: 'http://hooks.example.com/x' }, ['/url'], /https/); // plain http: loopback only, even in dev mode
    await refused({ url: 'ftp://hooks.example.com/x' }, ['/url'], /https/);
    await refused({ url: 'https://user:pw@hooks.example.com/' }, ['/url'], /user name/);
    await refused({}, ['/url'], /required/);
    await refused({ url: hookUrl('x'), events: ['app.created', 'app.exploded'] }, ['/events/1'], /not an event type/);
    await refused({ url: hookUrl('x'), events: [] }, ['/events']);
    await refused({ url: hookUrl('x'), secret: 'mine' }, ['/secret'], /unknown/);
    assert.equal((await call('POST', '/api/webhooks', { token: admin, body: 'nope', headers: { 'content-type': 'application/json' } })).status, 400);
    assert.equal((await call('DELETE', '/api/webhooks/wh_nope', { token: admin })).status, 404);
    assert.equal((await call('GET', '/api/webhooks/wh_nope/deliveries', { token: admin })).status, 404);
  });

  test('outside dev mode a loopback receiver needs https', async () => {
    const prod = await startEdge({ allowPrivate: true });
    try {
      const r = await prod.api('POST', '/api/webhooks', { token: admin, json: { url: hookUrl('x') } });
      assert.equal(r.status, 400);
      assert.match(r.data.details[0].message, /https.*scripts\/dev/);
      assert.equal((await prod.api('POST', '/api/webhooks', { token: admin, json: { url: `https://127.0.0.1:${port}/` } })).status, 201);
    } finally {
      await prod.dispose();
    }
    // Without EGRESS_ALLOW_PRIVATE, dev mode alone does not reach loopback.
    const closed = await startEdge({ bindings: { CONNAUTH_DEV: '1' } });
    try {
      const r = await closed.api('POST', '/api/webhooks', { token: admin, json: { url: hookUrl('x') } });
      assert.equal(r.status, 400);
      assert.match(r.data.details[0].message, /EGRESS_ALLOW_PRIVATE/);
    } finally {
      await closed.dispose();
    }
  });

  test('admin events are delivered, signed, to the webhooks subscribed to them', async () => {
    await ok(await call('PUT', '/api/connectors/acme', {
      token: admin, json: apiKeyConnector({ connection: { ...apiKeyConnector().connection, base_uri: `http://127.0.0.1:${port}/v1/` } }),
    }), 201);
    appId = (await ok(await call('POST', '/api/apps', { token: admin, json: { name: 'Acme', prompt: 'Connect', connector: 'acme' } }), 201)).id;
    await waitFor('app.created', () => got('all', 'app.created').length === 1 && got('connectors').length === 1);

    const [updated, created] = [got('all', 'connector.updated')[0], got('all', 'app.created')[0]];
    for (const d of [updated, created, got('connectors')[0]]) {
      assert.equal(d.verified, true, 'verified by standardwebhooks');
      assert.match(d.id, /^evt_/);
      assert.equal(d.contentType, 'application/json');
      assert.ok(Math.abs(d.timestamp - Date.now() / 1000) < 30);
    }
    assert.equal(got('connectors')[0].id, updated.id, 'one event has one webhook-id for every webhook');
    assert.deepEqual(created.body.data.app, { id: appId, name: 'Acme' });
    assert.equal(created.body.data.org, ORG);
    assert.equal(typeof created.body.timestamp, 'string');
    assert.equal(got('connectors', 'app.created').length, 0, 'not subscribed');

    await waitFor('delivered status', async () => (await deliveries('all')).items.every((d) => d.status === 'delivered'));
    const log = await deliveries('all');
    assert.deepEqual(log.items.map((d) => [d.type, d.event_id, d.status, d.attempts, d.last_status, d.last_error, d.next_attempt_at]), [
      ['app.created', created.id, 'delivered', 1, 204, null, null],
      ['connector.updated', updated.id, 'delivered', 1, 204, null, null],
    ]);
    assert.deepEqual(Object.keys(log.items[0]).sort(), ['attempts', 'created_at', 'event_id', 'id', 'last_attempt_at', 'last_error',
      'last_status', 'next_attempt_at', 'status', 'type']);
    // Pages, newest first.
    const first = await deliveries('all', '?limit=1');
    assert.deepEqual(first.items.map((d) => d.type), ['app.created']);
    const second = await deliveries('all', `?limit=1&cursor=${first.next_cursor}`);
    assert.deepEqual(second.items.map((d) => d.type), ['connector.updated']);
    assert.equal(second.next_cursor, null);
    assert.equal((await call('GET', `/api/webhooks/${ids.all}/deliveries?cursor=zz`, { token: admin })).status, 400);
  });

  test('a failed attempt is retried after 5 s; one key\'s deliveries wait in order while other keys proceed', async () => {
    // The receiver fails app.updated's first attempt.
    plans.all = (d) => (d.type === 'app.updated' && got('all', 'app.updated').length === 0 ? 503 : 204);
    await ok(await call('PATCH', `/api/apps/${appId}`, { token: admin, json: { description: 'v2' } }));
    await waitFor('the failed attempt', () => got('all', 'app.updated').length === 1);
    await ok(await call('POST', `/api/apps/${appId}/disable`, { token: admin })); // the same key (admin) as app.updated
    await ok(await call('POST', `/api/apps/${appId}/enable`, { token: admin }));
    await ok(await call('POST', `/api/apps/${appId}/connect`, { token: member, json: { fields: { api_key: 'good' } } })); // another key
    const connected = await waitFor('connection.connected', () => got('all', 'connection.connected')[0]);
    assert.equal(connected.verified, true);
    assert.equal(connected.body.data.user, 'mia');
    assert.equal(connected.body.data.status, 'connected');
    assert.deepEqual(got('all', 'app.disabled'), [], 'not before the earlier app.updated');

    const pending = (await deliveries('all')).items;
    const upd = pending.find((d) => d.type === 'app.updated');
    assert.equal(upd.status, 'pending');
    assert.equal(upd.attempts, 1);
    assert.equal(upd.last_status, 503);
    assert.equal(upd.last_error, 'HTTP 503');
    const wait = Date.parse(upd.next_attempt_at) - Date.parse(upd.last_attempt_at);
    // Counted from the attempt's end; last_attempt_at is its start, so the
    // attempt's own time (up to a second on a loaded machine) adds to it.
    assert.ok(wait >= 5000 && wait <= 6500, `retried 5 s (+ up to 10%) after the attempt: ${wait} ms`);
    const waiting = pending.find((d) => d.type === 'app.disabled');
    assert.deepEqual([waiting.status, waiting.attempts, waiting.next_attempt_at], ['pending', 0, null]);

    await waitFor('the retry and the events behind it', () => got('all', 'app.enabled').length === 1);
    const admins = got('all').filter((d) => d.type.startsWith('app.') && d.type !== 'app.created');
    assert.deepEqual(admins.map((d) => [d.type, d.status]), [['app.updated', 503], ['app.updated', 204], ['app.disabled', 204], ['app.enabled', 204]]);
    const [try1, try2] = got('all', 'app.updated');
    assert.equal(try2.id, try1.id, 'webhook-id is the same on every attempt');
    assert.ok(try2.timestamp - try1.timestamp >= 4, 'webhook-timestamp is the attempt\'s');
    assert.equal(try2.verified, true);
    const done = (await deliveries('all')).items.find((d) => d.type === 'app.updated');
    assert.deepEqual([done.status, done.attempts, done.last_status, done.last_error], ['delivered', 2, 204, null]);

    // One structured line for the failed attempt; never the body or the secret.
    const lines = logLines.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const failed = lines.filter((l) => l.event === 'webhook_attempt_failed');
    assert.equal(failed.length, 1);
    assert.deepEqual([failed[0].webhook, failed[0].delivery, failed[0].attempt, failed[0].http_status, failed[0].status, failed[0].next_attempt_at],
      [ids.all, upd.id, 1, 503, 'pending', upd.next_attempt_at]);
  });

  test('a deleted webhook gets nothing more, pending deliveries included', async () => {
    await createHook('doomed', ['app.reset']);
    plans.doomed = () => 503;
    await ok(await call('POST', `/api/apps/${appId}/reset`, { token: admin }));
    await waitFor('the first attempt', () => got('doomed').length === 1);
    assert.equal(got('doomed')[0].verified, true);
    assert.equal((await call('DELETE', `/api/webhooks/${ids.doomed}`, { token: admin })).status, 204);
    assert.equal((await call('GET', `/api/webhooks/${ids.doomed}/deliveries`, { token: admin })).status, 404);
    assert.equal((await call('DELETE', `/api/webhooks/${ids.doomed}`, { token: admin })).status, 404);
    assert.ok(!(await ok(await call('GET', '/api/webhooks', { token: admin }))).webhooks.some((h) => h.id === ids.doomed));
    await new Promise((resolve) => setTimeout(resolve, 7000)); // past the 5 s retry
    assert.equal(got('doomed').length, 1);
    assert.equal(got('all', 'app.reset').length, 1, 'the other webhook still got it');
  });

  test('an org has at most 20 webhooks', async () => {
    const existing = (await ok(await call('GET', '/api/webhooks', { token: admin }))).webhooks.length;
    for (let i = existing; i < 20; i++) {
      await ok(await call('POST', '/api/webhooks', { token: admin, json: { url: `https://hooks.example.com/${i}`, events: ['app.deleted'] } }), 201);
    }
    const r = await call('POST', '/api/webhooks', { token: admin, json: { url: 'https://hooks.example.com/21' } });
    assert.equal(r.status, 409);
    assert.match(r.data.message, /20 webhooks/);
  });

  test('no API answer, audit entry or log line holds a secret', async () => {
    const audit = await call('GET', '/api/audit', { token: admin });
    assert.ok(audit.data.items.some((e) => e.action === 'webhook.created'));
    const logs = logLines.join('\n');
    for (const [name, secret] of Object.entries(secrets)) {
      const created = responses.filter((t) => t.includes(secret));
      assert.equal(created.length, 1, `${name}'s secret is in its create answer only`);
      assert.ok(!logs.includes(secret));
      assert.ok(!logs.includes(secret.slice(6)));
    }
    assert.ok(!logs.includes('"timestamp":'), 'no event body in the logs');
  });
});
