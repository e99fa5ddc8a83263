// edge/src/upstream.mjs in Node against a local HTTP server: the wait for
// response headers is bounded (with and without aborting the request), the
// body may stream past that bound, and the egress check comes first.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { fetchUpstream } from '../../edge/src/upstream.mjs';
import { configureEgressAddresses } from '../../edge/src/egress_address.mjs';

describe('fetchUpstream', () => {
  let server;
  let origin;
  const hanging = new Set();
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/never') {
        hanging.add(res); // headers never come
        return;
      }
      if (req.url === '/late') {
        setTimeout(() => res.end('late'), 400); // headers after the bound the flows use here
        return;
      }
      if (req.url === '/slow-body') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first;');
        setTimeout(() => res.end('last'), 400); // longer than the header timeout
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${server.address().port}`;
    configureEgressAddresses({ EGRESS_ALLOW_PRIVATE: '1' }); // the test server is on loopback
  });
  after(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const egress = () => ({ hosts: [new URL(origin).host], derived: false, unresolved: [] });

  test('a loopback address is refused unless the operator allows private addresses', async () => {
    configureEgressAddresses({});
    try {
      const r = await fetchUpstream(`${origin}/x`, { method: 'GET' }, egress(), { timeoutMs: 2000 });
      assert.equal(r.error?.code, 'egress_denied');
      assert.match(r.error.message, /127\.0\.0\.1 is a loopback, link-local or private address.*EGRESS_ALLOW_PRIVATE/);
    } finally {
      configureEgressAddresses({ EGRESS_ALLOW_PRIVATE: '1' });
    }
    const allowed = await fetchUpstream(`${origin}/x`, { method: 'GET' }, egress(), { timeoutMs: 2000 });
    assert.ok(allowed.ok, JSON.stringify(allowed.error));
    await allowed.value.text();
  });

  test('no headers within the bound → upstream_timeout', async () => {
    const started = Date.now();
    const r = await fetchUpstream(`${origin}/never`, { method: 'GET' }, egress(), { timeoutMs: 150 });
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'upstream_timeout');
    assert.ok(Date.now() - started < 2000, 'answers at the bound, not later');
  });

  test('a body may stream longer than the bound', async () => {
    const r = await fetchUpstream(`${origin}/slow-body`, { method: 'GET' }, egress(), { timeoutMs: 150 });
    assert.ok(r.ok, JSON.stringify(r.error));
    assert.equal(await r.value.text(), 'first;last');
  });

  test('with no bound (the proxy), late headers are waited for', async () => {
    const bounded = await fetchUpstream(`${origin}/late`, { method: 'GET' }, egress(), { timeoutMs: 150 });
    assert.equal(bounded.error?.code, 'upstream_timeout');
    const r = await fetchUpstream(`${origin}/late`, { method: 'GET' }, egress(), { timeoutMs: null });
    assert.ok(r.ok, JSON.stringify(r.error));
    assert.equal(await r.value.text(), 'late');
  });

  test('a host outside the egress list is never contacted', async () => {
    const r = await fetchUpstream('http://127.0.0.2:1/x', { method: 'GET' }, egress(), { timeoutMs: 150 });
    assert.equal(r.error.code, 'egress_denied');
  });

  test('a refused connection → upstream_unreachable', async () => {
    const closed = http.createServer();
    await new Promise((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address();
    await new Promise((r) => closed.close(r));
    const r = await fetchUpstream(`http://127.0.0.1:${port}/x`, { method: 'GET' }, { hosts: [`127.0.0.1:${port}`] }, { timeoutMs: 2000 });
    assert.equal(r.error.code, 'upstream_unreachable');
  });
});
