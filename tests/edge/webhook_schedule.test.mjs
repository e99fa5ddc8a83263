// The webhook outbox over its whole retry schedule, in real workerd storage
// with real HTTP to a loopback receiver: the outbox runs in a Durable Object
// of a test worker (fixtures/outbox_worker.mjs) whose clock the test moves,
// so 27.5 hours of retries take seconds. What the HTTP API shows of the same
// deliveries, with the wall clock, is in webhooks.test.mjs.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { Webhook } from 'standardwebhooks';
import { root, ENCRYPTION_KEY } from './fixtures/edge_harness.mjs';
import { MODULES_RULES } from '../../edge/dev/worker_options.mjs';
import { RETRY_DELAYS_MS, FINISHED_KEPT } from '../../edge/src/webhook_outbox.mjs';

let status = () => 204; // the receiver's answer
let logText = ''; // the worker's log lines
const received = []; // {path, id, timestamp, type, n}
let server;
let port;
before(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => {
      const body = JSON.parse(text);
      const d = { path: req.url, id: req.headers['webhook-id'], timestamp: Number(req.headers['webhook-timestamp']), headers: req.headers, text, type: body.type, n: body.data.n };
      received.push(d);
      if (req.url === '/slow') return; // never answers
      res.writeHead(status(d)).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
});
after(() => server?.close());

const mf = new Miniflare({
  modules: true,
  modulesRoot: root,
  scriptPath: fileURLToPath(new URL('./fixtures/outbox_worker.mjs', import.meta.url)),
  modulesRules: MODULES_RULES,
  compatibilityDate: '2024-09-23',
  durableObjects: { HOST: { className: 'OutboxHost', useSQLite: true } },
  bindings: { ENCRYPTION_KEY, EGRESS_ALLOW_PRIVATE: '1', CONNAUTH_DEV: '1' },
  handleRuntimeStdio: (stdout, stderr) => {
    for (const stream of [stdout, stderr]) stream.on('data', (chunk) => { logText += chunk; });
  },
});
after(() => mf.dispose());

async function run(op, args = {}) {
  const res = await mf.dispatchFetch('http://outbox.test/', { method: 'POST', body: JSON.stringify({ op, ...args }) });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

let clock = Date.UTC(2026, 0, 1);
const setClock = (ms) => run('clock', { ms: (clock = ms) });

// Runs the alarm's work until nothing is due at the clock's time.
async function drain() {
  for (let i = 0; i < 100; i++) {
    const next = await run('nextDue');
    if (next === null || next > clock) return next;
    await run('deliverDue');
  }
  assert.fail('the outbox never settled');
}

async function hook(path, events) {
  const created = await run('create', { input: { url: `http://127.0.0.1:${port}${path}`, ...(events ? { events } : {}) } });
  assert.equal(created.ok, true, JSON.stringify(created));
  return created.value;
}

test('a receiver that never answers 2xx gets 8 attempts over 27.5 hours, then the delivery fails and its lane moves on', async () => {
  await setClock(clock);
  const h = await hook('/down');
  status = (d) => (d.path === '/down' ? 503 : 204);
  const id1 = await run('enqueue', { type: 'app.updated', key: 'admin', n: 1 });
  await run('enqueue', { type: 'app.disabled', key: 'admin', n: 2 });
  const start = clock;
  const waits = [];
  const attempts = RETRY_DELAYS_MS.length + 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const next = await drain();
    const count = received.filter((d) => d.path === '/down').length;
    if (attempt === attempts) {
      assert.equal(count, attempts + 1, 'the last attempt failed: the next event of the lane goes at once');
    } else {
      assert.equal(count, attempt);
      waits.push(next - clock);
      await setClock(next);
    }
  }
  // Each wait is the schedule's, plus at most 10%.
  waits.forEach((w, i) => assert.ok(w >= RETRY_DELAYS_MS[i] && w <= RETRY_DELAYS_MS[i] * 1.1, `wait ${i + 1}: ${w} ms`));
  assert.ok(clock - start >= 24 * 3600_000, 'retried for at least 24 hours');
  const down = received.filter((d) => d.path === '/down');
  // Every attempt of the first event, then the second (its lane is free again).
  assert.deepEqual(down.map((d) => d.n), [1, 1, 1, 1, 1, 1, 1, 1, 2]);
  assert.ok(down.slice(0, 8).every((d) => d.id === id1), 'the same webhook-id on every attempt');
  assert.deepEqual(down.slice(0, 8).map((d) => d.timestamp), [...new Set(down.slice(0, 8).map((d) => d.timestamp))], 'a new timestamp per attempt');
  const last = down[7];
  assert.equal(last.timestamp, Math.floor(clock / 1000));
  assert.equal(new Webhook(h.secret).sign(last.id, new Date(last.timestamp * 1000), last.text), last.headers['webhook-signature']);

  const items = (await run('deliveries', { id: h.id })).value.items;
  assert.deepEqual(items.map((d) => [d.type, d.status, d.attempts, d.last_status, d.last_error, d.next_attempt_at]), [
    ['app.disabled', 'pending', 1, 503, 'HTTP 503', new Date(await run('nextDue')).toISOString()],
    ['app.updated', 'failed', 8, 503, 'HTTP 503', null],
  ]);
  const logged = logText.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
    .filter((l) => l.event === 'webhook_attempt_failed' && l.webhook === h.id);
  assert.deepEqual(logged.map((l) => [l.delivery, l.attempt, l.http_status, l.status, l.level]), [
    ...[1, 2, 3, 4, 5, 6, 7].map((a) => [items[1].id, a, 503, 'pending', 'info']), [items[1].id, 8, 503, 'failed', 'error'],
    [items[0].id, 1, 503, 'pending', 'info'],
  ]);
  assert.equal(logged[7].next_attempt_at, undefined);
  assert.ok(!logText.includes(h.secret.slice(6)) && !logText.includes('"timestamp":'), 'neither the secret nor a body is logged');

  await run('remove', { id: h.id });
  assert.equal(await run('nextDue'), null, 'the removed webhook\'s pending delivery is gone');
  assert.deepEqual(await run('keys', { prefix: 'wh' }), ['whseq'], 'nothing of the webhook is left');
});

test('deliveries are claimed a batch at a time; other lanes proceed while one waits; the newest 100 finished are kept', async () => {
  status = (d) => (d.n === 0 ? 500 : 204);
  const h = await hook('/many', ['connection.lost']);
  await run('enqueue', { type: 'app.created', key: 'admin', n: -1 }); // not subscribed
  await run('enqueue', { type: 'connection.lost', key: 'connection:a:stuck', n: 0 });
  await run('enqueue', { type: 'connection.lost', key: 'connection:a:stuck', n: 0.5 });
  for (let n = 1; n <= 120; n++) await run('enqueue', { type: 'connection.lost', key: `connection:a:user${n}`, n });
  const before = received.length;
  await run('deliverDue');
  assert.equal(received.length - before, 32, 'one batch per alarm');
  assert.ok((await run('nextDue')) <= clock, 'the rest is due at once');
  await drain();
  const got = received.slice(before);
  assert.equal(got.length, 121, 'every lane but the waiting one, and that one\'s first attempt');
  assert.ok(!got.some((d) => d.n === 0.5 || d.n === -1));
  const items = (await run('deliveries', { id: h.id })).value.items;
  const finished = items.filter((d) => d.status !== 'pending');
  assert.equal(finished.length, FINISHED_KEPT);
  assert.deepEqual(items.filter((d) => d.status === 'pending').map((d) => d.attempts).sort(), [0, 1], 'the waiting lane stays, whatever was pruned');
  assert.equal((await run('keys', { prefix: `whdone:${h.id}:` })).length, FINISHED_KEPT);
});

test('a receiver that cannot be reached is retried like one that fails', async () => {
  const closed = http.createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));
  const created = await run('create', { input: { url: `http://127.0.0.1:${closedPort}/gone`, events: ['app.reset'] } });
  await run('enqueue', { type: 'app.reset', key: 'admin', n: 9 });
  await drain();
  const [d] = (await run('deliveries', { id: created.value.id })).value.items;
  assert.deepEqual([d.status, d.attempts, d.last_status, d.last_error], ['pending', 1, null, 'the receiver could not be reached']);
  assert.ok(Date.parse(d.next_attempt_at) - clock >= RETRY_DELAYS_MS[0]);
});

test('a receiver that does not answer within 10 s fails the attempt', { timeout: 30_000 }, async () => {
  const created = await run('create', { input: { url: `http://127.0.0.1:${port}/slow`, events: ['app.deleted'] } });
  await run('enqueue', { type: 'app.deleted', key: 'admin', n: 10 });
  const started = Date.now();
  await drain();
  const waited = Date.now() - started;
  assert.ok(waited >= 9_500 && waited < 20_000, `${waited} ms`);
  const [d] = (await run('deliveries', { id: created.value.id })).value.items;
  assert.deepEqual([d.status, d.attempts, d.last_status, d.last_error], ['pending', 1, null, 'no response within 10 s']);
});
