// An outcome is recorded on the state its operation saw (connection_store.mjs
// #record): a check whose test was answered 503 after a concurrent check had
// already recorded a success does not degrade the connection, nor send a
// degraded event — the newer state stands.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';

// GET /v1/me: 200, except that a request while `holdNext` is set is held
// until release() and then answered 503.
let holdNext = false;
let release;
const held = new Promise((resolve) => { release = resolve; });
let heldArrived;
const arrived = new Promise((resolve) => { heldArrived = resolve; });
let api;
before(async () => {
  api = http.createServer(async (req, res) => {
    if (holdNext) {
      holdNext = false;
      heldArrived();
      await held;
      res.writeHead(503).end('{}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve));
});
after(() => api?.close());

const edge = await startEdge({ network: true });
after(() => edge.dispose());
const admin = await session('org-stale', 'root', 'admin');
const alice = await session('org-stale', 'alice', 'member');

test('a failure seen before a concurrent success is older news: the connection stays connected', { timeout: 30_000 }, async () => {
  const put = await edge.api('PUT', '/api/connectors/acme', {
    token: admin, json: apiKeyConnector({ connection: { ...apiKeyConnector().connection, base_uri: `http://127.0.0.1:${api.address().port}/v1/` } }),
  });
  assert.equal(put.status, 201, put.text);
  const app = (await edge.api('POST', '/api/apps', { token: admin, json: { name: 'Acme', prompt: 'Connect', connector: 'acme' } })).data;
  assert.equal((await edge.api('POST', `/api/apps/${app.id}/connect`, { token: alice, json: { fields: { api_key: 'k' } } })).status, 200);

  holdNext = true;
  const first = edge.api('POST', `/api/apps/${app.id}/check`, { token: alice }); // its test is held, then 503
  await arrived;
  const second = await edge.api('POST', `/api/apps/${app.id}/check`, { token: alice }); // answered 200 at once
  assert.equal(second.data.status, 'connected');
  release();
  const late = await first;
  assert.equal(late.status, 200, late.text);
  assert.equal(late.data.status, 'connected', 'the older failure did not degrade the connection');
  const view = await edge.api('GET', `/api/apps/${app.id}/connection`, { token: alice });
  assert.equal(view.data.status, 'connected');
  assert.ok(!view.data.history.some((h) => h.to === 'degraded'), 'no degraded entry in the history');
});
