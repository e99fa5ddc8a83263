// ENCRYPTION_KEY as a keyring (SPEC §11, docs/security.md "Key rotation")
// in real workerd, on Durable Object storage persisted to a folder that
// outlives each edge: everything is written under key A; the edge restarts
// with "B,A" and keeps working while every sealed record is re-sealed under
// B; then with "B" alone it still works; with "C" alone every use of a
// secret is a clear server_misconfigured error, nothing crashes and nothing
// is overwritten, so going back to "B" works again.
//
// The storage files are read raw: every byte of every file is searched for
// the secrets (never there in plain text), and the live key-value rows of
// every Durable Object's SQLite database (read with the sqlite3 command
// line, scripts/setup) for the key ids the sealed values name. Rows, not
// bytes, for key ids: SQLite's write-ahead log keeps the frames of pages
// that were rewritten since, until it wraps, and those are not records.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';
import { atRestKeyring } from '../../edge/src/crypto.mjs';

const KEY_A = 'key-a-0123456789abcdef0123456789abcdef';
const KEY_B = 'key-b-fedcba9876543210fedcba9876543210';
const KEY_C = 'key-c-00112233445566778899aabbccddeeff';
const keyId = async (key) => (await atRestKeyring(key)).value.sealing.id;
const [KID_A, KID_B, KID_C] = await Promise.all([KEY_A, KEY_B, KEY_C].map(keyId));

const CLIENT_SECRET = 'cs-rotation-5d1e-never-stored-plain';
const USER_KEYS = { ana: 'ana-key-7c2f-never-stored-plain', ben: 'ben-key-90ab-never-stored-plain' };

const dir = mkdtempSync(join(tmpdir(), 'connauth-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const files = (d) => readdirSync(d).flatMap((name) => {
  const path = join(d, name);
  return statSync(path).isDirectory() ? files(path) : [path];
});
// Whether `text` is anywhere in the stored bytes, in UTF-8 or UTF-16.
const inBytes = (text) => files(dir).map((file) => readFileSync(file))
  .some((bytes) => bytes.includes(Buffer.from(text, 'utf8')) || bytes.includes(Buffer.from(text, 'utf16le')));
// Every live stored value, as {object, key, bytes}, from each Durable Object's database.
function storedRows() {
  return files(dir).filter((file) => file.endsWith('.sqlite')).flatMap((file) => {
    let out;
    try {
      out = execFileSync('sqlite3', ['-separator', ' ', `file:${file}?mode=ro`, 'SELECT hex(key), hex(value) FROM _cf_KV'], { encoding: 'utf8' });
    } catch (error) {
      if (error.code === 'ENOENT') assert.fail('the sqlite3 command is missing: scripts/setup installs it (Debian package sqlite3)');
      throw error;
    }
    return out.split('\n').filter(Boolean).map((line) => {
      const [key, value] = line.split(' ');
      return { object: file, key: Buffer.from(key, 'hex').toString(), bytes: Buffer.from(value ?? '', 'hex') };
    });
  });
}
// The stored records naming key id `kid`, as "object key" strings (but the
// OrgStore's note of the key it last re-sealed under, which is no record).
const sealedUnder = (kid) => storedRows().filter((row) => row.key !== 'sealed_with' && row.bytes.includes(Buffer.from(kid)))
  .map((row) => `${row.object} ${row.key}`);

// One edge on the shared folder with `keys`, its log lines, and the webhook
// deliveries it made (verified with the secret the webhook was created with).
async function edgeWith(keys) {
  const logs = [];
  const edge = await startEdge({ persistDir: dir, bindings: { ENCRYPTION_KEY: keys }, onLog: (text) => logs.push(text) });
  edge.upstream.handler = (seen) => (seen.url.startsWith('https://hooks.example.test/')
    ? new Response(null, { status: 204 }) : new Response(JSON.stringify({ key: seen.headers['x-api-key'] ?? null })));
  edge.logs = logs;
  return edge;
}

const admin = await session('org-k', 'admin-1', 'admin');
const users = { ana: await session('org-k', 'ana', 'member'), ben: await session('org-k', 'ben', 'member') };
let appId;
let webhookSecret;
let webhookId;

// The user's key as the provider receives it through the proxy.
async function proxiedKey(edge, user) {
  const r = await edge.api('GET', `/proxy/${appId}/me`, { token: users[user] });
  return { status: r.status, key: r.data?.key, data: r.data };
}

async function eventually(check, what, ms = 20_000) {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// A signed delivery of an app.updated event reached the webhook: its secret opened.
const hookDeliveries = (edge) => edge.upstream.requests.filter((r) => r.url.startsWith('https://hooks.example.test/'));
async function assertWebhookSigned(edge, description) {
  const before = hookDeliveries(edge).length;
  assert.equal((await edge.api('PATCH', `/api/apps/${appId}`, { token: admin, json: { description } })).status, 200);
  await eventually(() => hookDeliveries(edge).length > before, `a webhook delivery after "${description}"`);
  const delivery = hookDeliveries(edge).at(-1);
  assert.match(delivery.body, /"app\.updated"/);
  assert.doesNotThrow(() => new Webhook(webhookSecret).verify(delivery.body, delivery.headers), 'signed with the webhook secret');
}

test('key ids are distinct and never the key', () => {
  assert.equal(new Set([KID_A, KID_B, KID_C]).size, 3);
  for (const [kid, key] of [[KID_A, KEY_A], [KID_B, KEY_B]]) assert.ok(!key.includes(kid) && kid.length === 16);
});

test('under key A: an app, a webhook and two users\' connections', async () => {
  const edge = await edgeWith(KEY_A);
  try {
    assert.equal((await edge.api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector() })).status, 201);
    const app = await edge.api('POST', '/api/apps', {
      token: admin, json: { name: 'Rotation app', prompt: 'p', connector: 'acme', client_id: 'cid', client_secret: CLIENT_SECRET },
    });
    assert.equal(app.status, 201, app.text);
    appId = app.data.id;
    const hook = await edge.api('POST', '/api/webhooks', { token: admin, json: { url: 'https://hooks.example.test/connauth', events: ['app.updated'] } });
    assert.equal(hook.status, 201, hook.text);
    webhookSecret = hook.data.secret;
    webhookId = hook.data.id;
    for (const [user, key] of Object.entries(USER_KEYS)) {
      const connected = await edge.api('POST', `/api/apps/${appId}/connect`, { token: users[user], json: { fields: { api_key: key } } });
      assert.equal(connected.status, 200, connected.text);
      assert.deepEqual(await proxiedKey(edge, user), { status: 200, key, data: { key } });
    }
    await assertWebhookSigned(edge, 'written under A');
  } finally {
    await edge.dispose();
  }
  // app (client secret), webhook, two connections; nothing under B yet.
  assert.deepEqual(sealedUnder(KID_A).map((row) => row.split(' ')[1]).sort(),
    ['app:' + appId, 'record', 'record', `webhook:${webhookId}`].sort());
  assert.deepEqual(sealedUnder(KID_B), []);
});

test('"B,A": everything works, and every record is re-sealed under B', async () => {
  const edge = await edgeWith(`${KEY_B},${KEY_A}`);
  try {
    // Only ana uses her connection: ben's is re-sealed by the org's sweep.
    assert.equal((await proxiedKey(edge, 'ana')).key, USER_KEYS.ana);
    const app = await edge.api('GET', `/api/apps/${appId}`, { token: admin });
    assert.equal(app.status, 200);
    assert.equal(app.data.client_secret_set, true);
    await eventually(() => edge.logs.some((line) => line.includes('"keys_resealed"') && line.includes('"org-k"')), 'the org\'s re-seal');
    const line = edge.logs.find((l) => l.includes('"keys_resealed"'));
    assert.match(line, new RegExp(`1 app, 1 webhook and 1 connection record\\(s\\) re-sealed under key id ${KID_B}`), line);
    assert.equal((await proxiedKey(edge, 'ana')).key, USER_KEYS.ana);
    await assertWebhookSigned(edge, 'during the rotation');
  } finally {
    await edge.dispose();
  }
  assert.deepEqual(sealedUnder(KID_A), [], 'no record is sealed under key A any more');
  assert.equal(sealedUnder(KID_B).length, 4, 'the app, the webhook and both connections are sealed under B');
  for (const secret of [CLIENT_SECRET, ...Object.values(USER_KEYS), webhookSecret]) {
    assert.ok(!inBytes(secret), 'no secret is stored in plain text');
  }
});

test('"B" alone: everything still works, the connection nobody used too', async () => {
  const edge = await edgeWith(KEY_B);
  try {
    for (const [user, key] of Object.entries(USER_KEYS)) assert.equal((await proxiedKey(edge, user)).key, key, user);
    await assertWebhookSigned(edge, 'after the rotation');
    assert.ok(!edge.logs.some((line) => line.includes('keys_reseal')), 'nothing left to re-seal');
  } finally {
    await edge.dispose();
  }
});

test('"C" alone: a clear error wherever a secret is needed, no crash, nothing overwritten', async () => {
  const before = sealedUnder(KID_B);
  const edge = await edgeWith(KEY_C);
  try {
    for (const user of Object.keys(USER_KEYS)) {
      const r = await proxiedKey(edge, user);
      assert.equal(r.status, 500, JSON.stringify(r.data));
      assert.equal(r.data.error, 'server_misconfigured');
      assert.ok(r.data.detail.includes(`key id ${KID_B}`), r.data.detail);
      for (const secret of Object.values(USER_KEYS)) assert.ok(!JSON.stringify(r.data).includes(secret));
    }
    // What needs no secret keeps working, and the service keeps answering.
    const listed = await edge.api('GET', '/api/apps', { token: admin });
    assert.equal(listed.status, 200);
    assert.equal(listed.data.apps[0].client_secret_set, true);
    const patch = await edge.api('PATCH', `/api/apps/${appId}`, { token: admin, json: { description: 'under C' } });
    assert.equal(patch.status, 500, 'a change that reseals the secret is refused, not written half');
    assert.equal(patch.data.error, 'server_misconfigured');
    await eventually(() => edge.logs.some((line) => line.includes('"keys_reseal_failed"')), 'the failed re-seal is logged');
    assert.equal((await edge.api('GET', `/api/apps/${appId}`, { token: admin })).data.description, 'after the rotation');
  } finally {
    await edge.dispose();
  }
  assert.ok(!inBytes(KID_C), 'nothing was sealed under C');
  assert.deepEqual(sealedUnder(KID_B), before, 'the records under B are all still there');

  const back = await edgeWith(KEY_B);
  try {
    for (const [user, key] of Object.entries(USER_KEYS)) assert.equal((await proxiedKey(back, user)).key, key, `${user} after C`);
  } finally {
    await back.dispose();
  }
});
