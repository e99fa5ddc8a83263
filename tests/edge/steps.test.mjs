// An acquire of two steps (a nonce, then a login signed with it) through the
// edge in real workerd: connect with fields, proxied calls with the token, a
// renewal through the ConnectionStore that runs the steps again, a login
// answer without a token (lost: connector_error), and a definition reading a
// step that is not an earlier one (400 at its pointer). The provider checks
// the signature with node:crypto (tests/scenarios/two_step_login.mjs).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, session } from './fixtures/edge_harness.mjs';
import { twoStepLogin, twoStepConnector, USER, PASSWORD } from '../scenarios/two_step_login.mjs';

const edge = await startEdge();
after(() => edge.dispose());
const { api, upstream } = edge;
const admin = await session('org-steps', 'alice', 'admin');
const member = await session('org-steps', 'user-steps', 'member');

const provider = twoStepLogin();
const answering = () => {
  upstream.handler = (seen) => {
    const answer = provider.answer({ method: seen.method, path: new URL(seen.url).pathname, headers: seen.headers, body: seen.body });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
};

const connector = twoStepConnector('https://login.steps.test/');
assert.equal((await api('PUT', `/api/connectors/${connector.name}`, { token: admin, json: connector })).status, 201);
const created = await api('POST', '/api/apps', { token: admin, json: { name: 'Two steps', prompt: 'Connect', connector: connector.name } });
assert.equal(created.status, 201, created.text);
const app = created.data.id;

test('connect runs the nonce and the signed login, then the test', async () => {
  upstream.reset();
  answering();
  const r = await api('POST', `/api/apps/${app}/connect`, { token: member, json: { fields: { user: USER, password: PASSWORD } } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.status, 'connected');
  assert.deepEqual(provider.seen, ['GET /nonce', 'POST /login', 'GET /me']);
  assert.equal(provider.refused, 0);
  const login = upstream.requests[1];
  assert.match(login.headers['x-signature'], /^[0-9a-f]{64}$/);
  assert.equal(JSON.parse(login.body).user, USER);
  assert.ok(!r.text.includes('tok-1') && !r.text.includes(PASSWORD));
});

test('the proxy applies the token; a 401 renews through the steps and retries once', async () => {
  upstream.reset();
  answering();
  provider.seen = [];
  const ok = await api('GET', `/proxy/${app}/me`, { token: member });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.data.token, 'tok-1');

  provider.expire();
  provider.seen = [];
  const renewed = await api('GET', `/proxy/${app}/me`, { token: member });
  assert.equal(renewed.status, 200, renewed.text);
  assert.equal(renewed.data.token, 'tok-2');
  assert.deepEqual(provider.seen, ['GET /me', 'GET /nonce', 'POST /login', 'GET /me']);
  assert.equal(provider.refused, 0);
  const c = await api('GET', `/api/apps/${app}/connection`, { token: member });
  assert.equal(c.data.status, 'connected');
});

test('a login answer without a token loses the connection as connector_error', async () => {
  upstream.reset();
  answering();
  provider.tokenless = true;
  provider.expire();
  try {
    const r = await api('GET', `/proxy/${app}/me`, { token: member });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.data.error, 'connection_lost');
    assert.equal(r.data.lost.cause, 'connector_error');
    const c = await api('GET', `/api/apps/${app}/connection`, { token: member });
    assert.equal(c.data.status, 'lost');
    assert.equal(c.data.lost.cause, 'connector_error');
    assert.match(c.data.lost.detail, /missing_access_token \(HTTP 200\): the answer to \/authorization\/acquire\/1 has no response\.access_token/);
    assert.equal(typeof c.data.lost.action, 'string');
    assert.ok(!c.text.includes(PASSWORD) && !c.text.includes('"nonce"'));
  } finally {
    provider.tokenless = false;
  }
});

test('a connector reading a step that is not an earlier one: 400 at the pointer', async () => {
  const bad = twoStepConnector('https://login.steps.test/', 'two_step_bad');
  bad.authorization.acquire.reverse();
  const r = await api('PUT', `/api/connectors/${bad.name}`, { token: admin, json: bad });
  assert.equal(r.status, 400);
  assert.equal(r.data.error, 'invalid_connector');
  assert.deepEqual(r.data.details.map((d) => `${d.path}: ${d.message}`).sort(), [
    '/authorization/acquire/0/request/headers/X-Signature: reads steps.nonce, which is not an earlier step',
    '/authorization/acquire/0/request/json/nonce: reads steps.nonce, which is not an earlier step',
  ]);
});
