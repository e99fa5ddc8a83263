// Proxied request bodies in real workerd (edge/src/request_body.mjs): held
// in memory only for a payload rule or a retry, streamed otherwise, and
// bounded per isolate: past the budget a request answers 503 with
// Retry-After instead of taking the memory every tenant's requests share.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';
import { LIMITS } from '../../edge/src/limits.mjs';

const edge = await startEdge();
after(() => edge.dispose());
const { api, upstream } = edge;

const admin = await session('org-b', 'admin-b', 'admin');
const member = await session('org-b', 'member-b', 'member');

async function connectedApp(connector) {
  const created = await api('POST', '/api/apps', { token: admin, json: { name: 'B', prompt: 'p', connector } });
  assert.equal(created.status, 201, created.text);
  upstream.reset();
  const connected = await api('POST', `/api/apps/${created.data.id}/connect`, { token: member, json: { fields: { api_key: 'k-1' } } });
  assert.equal(connected.status, 200, connected.text);
  upstream.reset();
  return created.data.id;
}

let plain;
let payload;
before(async () => {
  assert.equal((await api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector() })).status, 201);
  const withPayload = apiKeyConnector({ name: 'acme_payload' });
  withPayload.authorization = { ...withPayload.authorization, apply: [{ payload: { auth: '{{connection.api_key}}' } }] };
  assert.equal((await api('PUT', '/api/connectors/acme_payload', { token: admin, json: withPayload })).status, 201);
  plain = await connectedApp('acme');
  payload = await connectedApp('acme_payload');
});

// Answers every upstream request only when released: the proxied requests
// stay in flight together.
function gatedUpstream() {
  let release;
  const gate = new Promise((r) => (release = r));
  upstream.reset();
  upstream.handler = async () => {
    await gate;
    return new Response('ok');
  };
  return release;
}

// A request with Content-Length, straight to workerd (miniflare's
// dispatchFetch forwards bodies chunked), each on a connection of its own: a
// pooled keep-alive connection that workerd closes just as it is reused
// would fail the request at the socket before workerd sees it.
function post(path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const bytes = Buffer.from(body);
    const req = http.request({
      host: edge.url.hostname, port: edge.url.port, method: 'POST', path, agent: false,
      headers: { authorization: `Bearer ${member}`, 'content-length': bytes.length, ...headers },
    }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

const bigJson = (bytes, mark) => JSON.stringify({ mark, data: 'x'.repeat(bytes) });

describe('request bodies', () => {
  test('a large body without payload rules arrives byte for byte (declared length and chunked)', async () => {
    upstream.reset();
    const body = 'a'.repeat(3 * 1024 * 1024) + 'é-end';
    const declared = await post(`/proxy/${plain}/upload`, body, { 'content-type': 'text/plain' });
    assert.equal(declared.status, 200, declared.text);
    const chunks = [new TextEncoder().encode(body.slice(0, 100_000)), new TextEncoder().encode(body.slice(100_000))];
    const stream = new ReadableStream({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(next); else c.close(); } });
    const chunked = await edge.mf.dispatchFetch(`${edge.base}/proxy/${plain}/upload`, {
      method: 'PUT', body: stream, duplex: 'half', headers: { authorization: `Bearer ${member}`, 'content-type': 'text/plain' },
    });
    assert.equal(chunked.status, 200, await chunked.text());
    assert.equal(upstream.requests.length, 2);
    for (const seen of upstream.requests) assert.equal(seen.body, body);
  });

  test('a chunked body past the limit: 413, and the upstream gets nothing', async () => {
    upstream.reset();
    const piece = new Uint8Array(1024 * 1024).fill(98);
    let sent = 0;
    const stream = new ReadableStream({ pull(c) { if (sent++ < 12) c.enqueue(piece); else c.close(); } });
    const r = await edge.mf.dispatchFetch(`${edge.base}/proxy/${plain}/upload`, {
      method: 'POST', body: stream, duplex: 'half', headers: { authorization: `Bearer ${member}`, 'content-type': 'application/octet-stream' },
    });
    assert.equal(r.status, 413, await r.text());
    assert.equal(upstream.requests.length, 0);
  });

  test('payload rules still see and rewrite the body', async () => {
    upstream.reset();
    const r = await api('POST', `/proxy/${payload}/items`, { token: member, json: { name: 'n' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(JSON.parse(upstream.requests[0].body), { name: 'n', auth: 'k-1' });
  });

  test('held bodies past the isolate budget: 503 server_busy with Retry-After, the others go through', async () => {
    const each = 6 * 1024 * 1024;
    const count = Math.ceil(LIMITS.isolateBufferedBytes / each) + 2;
    const release = gatedUpstream();
    const sending = Array.from({ length: count }, (_, i) => api('POST', `/proxy/${payload}/bulk`, {
      token: member, body: bigJson(each, i), headers: { 'content-type': 'application/json' },
    }));
    // The first ones are read and wait at the upstream; then the rest come.
    for (let i = 0; i < 200 && upstream.requests.length < Math.floor(LIMITS.isolateBufferedBytes / each); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    setTimeout(release, 1500);
    const answers = await Promise.all(sending);
    const busy = answers.filter((r) => r.status === 503);
    assert.ok(busy.length >= 1, answers.map((r) => r.status).join(','));
    for (const r of busy) {
      assert.equal(r.data.error, 'server_busy');
      assert.equal(r.headers.get('retry-after'), '1');
    }
    assert.ok(answers.some((r) => r.status === 200));
    // Nothing is left held once the requests are done: the next one is served.
    upstream.reset();
    const next = await api('POST', `/proxy/${payload}/bulk`, { token: member, body: bigJson(each, 'next'), headers: { 'content-type': 'application/json' } });
    assert.equal(next.status, 200, next.text);
  });

  test('streamed bodies are not held: as many large uploads at once as the budget would refuse held', async () => {
    const each = 6 * 1024 * 1024;
    const count = Math.ceil(LIMITS.isolateBufferedBytes / each) + 2;
    const release = gatedUpstream();
    const sending = Array.from({ length: count }, () => post(`/proxy/${plain}/bulk`, 'y'.repeat(each),
      { 'content-type': 'application/octet-stream' }));
    setTimeout(release, 1500);
    const answers = await Promise.all(sending);
    assert.deepEqual(answers.map((r) => r.status), Array(count).fill(200), answers.map((r) => r.text.slice(0, 200)).join('\n'));
  });
});
