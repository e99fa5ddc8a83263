// Every failure the service answers itself is an RFC 9457 problem (type,
// title, status, detail) that keeps SPEC §7's `error` and `message`, and
// carries the `connauth-error` header — which a provider's answer through
// the proxy never does, so a caller can tell the two apart.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';

const edge = await startEdge();
after(() => edge.dispose());
const { api, upstream } = edge;
const admin = await session('org-p', 'alice', 'admin');
const member = await session('org-p', 'bob', 'member');
let app;

before(async () => {
  assert.equal((await api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector() })).status, 201);
  const r = await api('POST', '/api/apps', { token: admin, json: { name: 'Acme', prompt: 'Connect Acme', connector: 'acme' } });
  assert.equal(r.status, 201, r.text);
  app = r.data.id;
});

function assertProblem(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  assert.equal(r.headers.get('connauth-error'), code);
  assert.equal(r.data.type, `connauth:problem:${code}`);
  assert.equal(r.data.status, status);
  assert.equal(typeof r.data.title, 'string');
  assert.ok(r.data.title.length > 0);
  assert.equal(r.data.error, code);
  assert.equal(r.data.detail, r.data.message);
}

test('API failures are problem details with the SPEC members kept', async () => {
  assertProblem(await api('GET', '/api/apps'), 401, 'unauthorized');
  assertProblem(await api('GET', '/api/apps/nope', { token: admin }), 404, 'not_found');
  const invalid = await api('POST', '/api/apps', { token: admin, json: { name: '' } });
  assertProblem(invalid, 400, 'invalid_app');
  assert.ok(Array.isArray(invalid.data.details) && invalid.data.details.length > 0);
  assertProblem(await api('DELETE', '/api/connectors/acme/x', { token: admin }), 404, 'not_found');
  // One title per type, whatever the occurrence.
  const again = await api('GET', '/api/apps/other', { token: admin });
  assert.equal(again.data.title, (await api('GET', '/api/apps/nope', { token: admin })).data.title);
});

test('the proxy marks its own refusals; a provider\'s answer, even one claiming the header, is not marked', async () => {
  upstream.reset();
  const refused = await api('GET', `/proxy/${app}/me`, { token: member });
  assertProblem(refused, 409, 'not_connected');
  assert.equal(upstream.requests.length, 0);

  assert.equal((await api('POST', `/api/apps/${app}/connect`, { token: member, json: { fields: { api_key: 'k-1' } } })).status, 200);
  upstream.handler = () => new Response('{"error":"invalid_token"}', {
    status: 403, headers: { 'content-type': 'application/json', 'connauth-error': 'not_connected' },
  });
  const provider = await api('GET', `/proxy/${app}/me`, { token: member });
  assert.equal(provider.status, 403);
  assert.equal(provider.headers.get('connauth-error'), null);
  assert.equal(provider.headers.get('content-type'), 'application/json');
  assert.deepEqual(provider.data, { error: 'invalid_token' });
  upstream.reset();
});
