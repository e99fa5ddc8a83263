// What an admin sees of the org (SPEC §9) in real workerd: every connection
// with its status and diagnosis (filters, cursor pages), the audit log of
// admin and user changes (never a secret's value), and the structured log
// lines the worker writes.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';

// An API that accepts the keys in `accepted` (X-Api-Key) at GET /v1/me.
const accepted = new Set();
let server;
let port;
before(async () => {
  server = http.createServer((req, res) => {
    const ok = req.url === '/v1/me' && accepted.has(req.headers['x-api-key']);
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { id: 'me' } : { error: 'bad key' }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
});
after(() => server?.close());

const logLines = [];
const edge = await startEdge({ network: true, onLog: (line) => logLines.push(line) });
after(() => edge.dispose());
const { api } = edge;

const ORG = 'org-ops';
const admin = await session(ORG, 'root', 'admin');
const member = await session(ORG, 'mia', 'member');
const users = ['alice', 'bob', 'carol', 'dave@example.com'];
const tokens = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await session(ORG, u, 'member')])));
const CLIENT_SECRET = 'ops-client-secret-never-shown-5c1d';

async function ok(r, status = 200) {
  assert.equal(r.status, status, r.text);
  return r.data;
}

let appA;
let appB;

describe('the org\'s connections and audit log', () => {
  before(async () => {
    await ok(await api('PUT', '/api/connectors/acme', {
      token: admin, json: apiKeyConnector({ connection: { ...apiKeyConnector().connection, base_uri: `http://127.0.0.1:${port}/v1/` } }),
    }), 201);
    const body = (name) => ({ name, prompt: 'Connect', connector: 'acme', client_secret: CLIENT_SECRET });
    appA = (await ok(await api('POST', '/api/apps', { token: admin, json: body('Acme A') }), 201)).id;
    appB = (await ok(await api('POST', '/api/apps', { token: admin, json: body('Acme B') }), 201)).id;
    for (const user of users) {
      accepted.add(`key-${user}`);
      await ok(await api('POST', `/api/apps/${appA}/connect`, { token: tokens[user], json: { fields: { api_key: `key-${user}` } } }));
    }
    accepted.add('key-b');
    await ok(await api('POST', `/api/apps/${appB}/connect`, { token: tokens.alice, json: { fields: { api_key: 'key-b' } } }));
    // bob's key is revoked at the provider: his check loses the connection.
    accepted.delete('key-bob');
    const checked = await ok(await api('POST', `/api/apps/${appA}/check`, { token: tokens.bob }));
    assert.equal(checked.status, 'lost');
    // carol disconnects.
    await ok(await api('DELETE', `/api/apps/${appA}/connection`, { token: tokens.carol }));
  });

  test('every connection, with status, diagnosis and identity; filters by app and status', async () => {
    const all = await ok(await api('GET', '/api/connections', { token: admin }));
    assert.equal(all.items.length, 5);
    assert.equal(all.next_cursor, null);
    const bob = all.items.find((c) => c.user === 'bob');
    assert.deepEqual(bob.app, { id: appA, name: 'Acme A' });
    assert.equal(bob.status, 'lost');
    assert.equal(bob.lost.cause, 'credentials_rejected');
    assert.match(bob.lost.action, /credentials/);
    assert.equal(typeof bob.last_success_at, 'number');
    assert.equal(bob.connector_version, 1);
    assert.equal(all.items.find((c) => c.user === 'carol').status, 'not_connected');
    for (const c of all.items) {
      for (const key of ['app', 'user', 'status', 'identity', 'lost', 'expires_at', 'last_success_at', 'last_used_at']) {
        assert.ok(Object.hasOwn(c, key), `${c.user} has ${key}`);
      }
    }

    const lost = await ok(await api('GET', '/api/connections?status=lost', { token: admin }));
    assert.deepEqual(lost.items.map((c) => c.user), ['bob']);
    const inB = await ok(await api('GET', `/api/connections?app=${appB}`, { token: admin }));
    assert.deepEqual(inB.items.map((c) => [c.user, c.status]), [['alice', 'connected']]);
    const dave = await ok(await api('GET', `/api/connections?user=${encodeURIComponent('dave@example.com')}`, { token: admin }));
    assert.deepEqual(dave.items.map((c) => [c.app.id, c.user]), [[appA, 'dave@example.com']]);
    const aliceLost = await ok(await api('GET', '/api/connections?user=alice&status=lost', { token: admin }));
    assert.deepEqual(aliceLost.items, []);
    const connectedA = await ok(await api('GET', `/api/connections?app=${appA}&status=connected`, { token: admin }));
    assert.deepEqual(connectedA.items.map((c) => c.user).sort(), ['alice', 'dave@example.com']);
  });

  test('a proxied request shows as the connection\'s last use', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await api('GET', `/proxy/${appA}/me`, { token: tokens.alice });
    assert.equal(r.status, 200, r.text);
    let alice;
    for (let i = 0; i < 50 && !alice?.last_used_at; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      alice = (await ok(await api('GET', `/api/connections?app=${appA}`, { token: admin }))).items.find((c) => c.user === 'alice');
    }
    assert.ok(alice.last_used_at >= before && alice.last_used_at <= Date.now() / 1000 + 1, `last_used_at ${alice.last_used_at}`);
    assert.equal((await ok(await api('GET', `/api/connections?app=${appA}`, { token: admin }))).items.find((c) => c.user === 'bob').last_used_at, null);
  });

  test('pages by cursor: every connection once, in a stable order', async () => {
    const seen = [];
    let cursor = null;
    for (let pages = 0; pages < 10; pages++) {
      const r = await ok(await api('GET', `/api/connections?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin }));
      assert.ok(r.items.length <= 2);
      seen.push(...r.items.map((c) => `${c.app.id}/${c.user}`));
      cursor = r.next_cursor;
      if (!cursor) break;
    }
    assert.equal(cursor, null);
    assert.equal(seen.length, 5);
    assert.equal(new Set(seen).size, 5);
    // A filtered list pages too.
    const first = await ok(await api('GET', `/api/connections?app=${appA}&limit=1`, { token: admin }));
    const second = await ok(await api('GET', `/api/connections?app=${appA}&limit=1&cursor=${first.next_cursor}`, { token: admin }));
    assert.notEqual(first.items[0].user, second.items[0].user);
  });

  test('a disabled app\'s connections show as disabled', async () => {
    await ok(await api('POST', `/api/apps/${appB}/disable`, { token: admin }));
    const inB = await ok(await api('GET', `/api/connections?status=disabled`, { token: admin }));
    assert.deepEqual(inB.items.map((c) => [c.app.id, c.user]), [[appB, 'alice']]);
    await ok(await api('POST', `/api/apps/${appB}/enable`, { token: admin }));
  });

  test('bad queries get a clear 400; members and connect-scope sessions get 403', async () => {
    for (const [query, path] of [['limit=0', '/limit'], ['limit=5000', '/limit'], ['limit=x', '/limit'],
      ['status=broken', '/status'], ['user=', '/user'], ['app=../x', '/app'], ['cursor=%00', '/cursor'], [`cursor=${Buffer.from('conn:zzz').toString('base64url')}&app=${appA}`, '/cursor']]) {
      const r = await api('GET', `/api/connections?${query}`, { token: admin });
      assert.equal(r.status, 400, query);
      assert.equal(r.data.details?.[0]?.path, path, query);
    }
    for (const path of ['/api/connections', '/api/audit', '/api/webhooks']) {
      assert.equal((await api('GET', path, { token: member })).status, 403, path);
      assert.equal((await api('GET', path, { token: await session(ORG, 'x', 'admin', { scope: 'connect' }) })).status, 403, path);
    }
  });

  test('after a reset, the app\'s connections are gone from the list', async () => {
    await ok(await api('POST', `/api/apps/${appB}/reset`, { token: admin }));
    const inB = await ok(await api('GET', `/api/connections?app=${appB}`, { token: admin }));
    assert.deepEqual(inB.items, []);
  });

  test('the audit log: who did what to which app, connector or connection, and which fields changed — never a value', async () => {
    const NEW_SECRET = 'rotated-client-secret-8e2f';
    await ok(await api('PATCH', `/api/apps/${appA}`, { token: admin, json: { description: 'changed', client_secret: NEW_SECRET } }));
    await ok(await api('POST', `/api/apps/${appA}/disable`, { token: admin }));
    await ok(await api('POST', `/api/apps/${appA}/enable`, { token: admin }));
    assert.equal((await api('DELETE', `/api/apps/${appB}`, { token: admin })).status, 204);
    const seen = [];
    let cursor = null;
    do {
      const r = await ok(await api('GET', `/api/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: admin }));
      seen.push(...r.items);
      cursor = r.next_cursor;
    } while (cursor);
    const text = JSON.stringify(seen);
    assert.ok(!text.includes(NEW_SECRET) && !text.includes(CLIENT_SECRET), 'no secret value');
    assert.ok(!text.includes('key-'), 'no connection field value');
    const actions = seen.map((e) => e.action);
    // Newest first.
    assert.deepEqual(actions.slice(0, 5), ['app.deleted', 'app.enabled', 'app.disabled', 'app.updated', 'app.reset']);
    assert.deepEqual(seen[0].target, { type: 'app', id: appB, name: 'Acme B' });
    const patch = seen[3];
    assert.equal(patch.actor, 'root');
    assert.deepEqual(patch.target, { type: 'app', id: appA, name: 'Acme A' });
    assert.deepEqual(patch.changed, ['client_secret', 'description']);
    assert.match(patch.at, /^\d{4}-\d\d-\d\dT/);
    assert.ok(actions.includes('connector.updated'));
    assert.equal(actions.filter((a) => a === 'app.created').length, 2);
    const disconnect = seen.find((e) => e.action === 'connection.disconnected');
    assert.equal(disconnect.actor, 'carol');
    assert.deepEqual(disconnect.target, { type: 'connection', id: `${appA}:carol`, name: 'Acme A' });
    assert.equal(seen.filter((e) => e.action === 'connection.connected').length, 5);
    // A status change nobody made (bob's check found the key revoked) is an event, not an audit entry.
    assert.ok(!actions.includes('connection.lost'));
  });

  test('structured logs: one JSON line per status change and admin change, without secrets', async () => {
    const lines = logLines.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const lost = lines.find((l) => l.event === 'connection_status' && l.type === 'connection.lost');
    assert.ok(lost, 'the lost connection is logged');
    assert.equal(lost.user, 'bob');
    assert.equal(lost.cause, 'credentials_rejected');
    assert.ok(lines.some((l) => l.event === 'admin_change' && l.type === 'app.updated'));
    const all = logLines.join('\n');
    for (const secret of [CLIENT_SECRET, 'rotated-client-secret-8e2f', 'key-bob', 'key-alice']) assert.ok(!all.includes(secret), secret);
  });
});
