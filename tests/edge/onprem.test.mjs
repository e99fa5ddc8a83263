// An OAuth server in a private network (docs/on-premise.md), all real: the
// edge in workerd, oidc-provider (demo/provider.mjs) whose authorization page
// the user's browser opens directly, and a tunnel in front of its token
// endpoint that the edge reaches only by the tunnel's host name
// (oauth-token.corp.test, mapped to the tunnel's loopback port) and that
// refuses, as Cloudflare Access does, a request without the Access service
// token. The app sets the service token in secret settings; the example
// connector connectors/examples/onprem_oauth.json sends it with
// token_headers on the code exchange, every refresh and the revocation.
// Private addresses stay refused (no EGRESS_ALLOW_PRIVATE), and the service
// token's values appear in no answer and no log line of the worker.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startEdge, session } from './fixtures/edge_harness.mjs';
import { connectOAuth, startConnect, finishConnect, lastAccessToken, eventually } from './fixtures/demo_world.mjs';
import { startProvider } from '../../demo/provider.mjs';
import { startDemoApi } from '../../demo/api.mjs';
import { serve } from '../../demo/http-server.mjs';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../demo/provider-config.mjs';

const ACCESS_ID = `${randomBytes(8).toString('hex')}.access`;
const ACCESS_SECRET = randomBytes(24).toString('hex');
const TUNNEL_HOST = 'oauth-token.corp.test';
const API_HOST = 'api.corp.test';

const provider = await startProvider();
const rejected = new Set(); // access tokens the API refuses from now on (refresh_on: [401])
const demoApi = await startDemoApi({ introspect: async (t) => (rejected.has(t) ? { active: false } : provider.introspect(t)) });

// The tunnel: only requests with the service token pass, without it
// (the OAuth server never sees it); everything else is 403, as from Access.
const tunnelRequests = [];
const tunnel = await serve(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const admitted = req.headers['cf-access-client-id'] === ACCESS_ID && req.headers['cf-access-client-secret'] === ACCESS_SECRET;
  tunnelRequests.push({ path: req.url, admitted, grant: new URLSearchParams(body.toString()).get('grant_type') });
  if (!admitted) {
    res.writeHead(403, { 'content-type': 'text/html' }).end('<html><body>Forbidden: Access denied</body></html>');
    return;
  }
  const headers = {};
  for (const name of ['content-type', 'accept', 'authorization']) if (req.headers[name]) headers[name] = req.headers[name];
  const answer = await fetch(`${provider.issuer}${req.url}`, { method: req.method, headers, body: body.length ? body : undefined });
  res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
  res.end(Buffer.from(await answer.arrayBuffer()));
});
await tunnel.start();

const logs = [];
const edge = await startEdge({
  network: true,
  allowPrivate: false,
  hosts: { [TUNNEL_HOST]: tunnel.url, [API_HOST]: demoApi.url },
  onLog: (text) => logs.push(text),
});
after(async () => {
  await edge.dispose();
  await tunnel.stop();
  await demoApi.stop();
  await provider.stop();
});

// Every answer of the worker, to check that none quotes the service token.
const answers = [];
const api = async (...args) => {
  const answer = await edge.api(...args);
  answers.push(answer.text);
  return answer;
};

const admin = await session('org-corp', 'admin-1', 'admin');
const alice = await session('org-corp', 'alice', 'member');
const connector = JSON.parse(readFileSync(new URL('../../connectors/examples/onprem_oauth.json', import.meta.url), 'utf8'));
const settings = {
  authorization_endpoint: provider.endpoints.authorization,
  token_endpoint: `https://${TUNNEL_HOST}/token`,
  revocation_endpoint: `https://${TUNNEL_HOST}/token/revocation`,
  api_url: `https://${API_HOST}`,
};
const appBody = {
  name: 'Corp CRM', prompt: 'Connect your corp account.', connector: 'onprem_oauth',
  client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET, issuer: provider.issuer,
  scopes: ['openid', 'email', 'offline_access', 'contacts:read'],
  settings: { ...settings, access_client_id: ACCESS_ID, access_client_secret: ACCESS_SECRET },
  egress: [TUNNEL_HOST, API_HOST],
};

const put = await api('PUT', '/api/connectors/onprem_oauth', { token: admin, json: connector });
assert.equal(put.status, 201, put.text);
const created = await api('POST', '/api/apps', { token: admin, json: appBody });
assert.equal(created.status, 201, created.text);
const appId = created.data.id;

const proxy = (token = alice) => api('GET', `/proxy/${appId}/me`, { token });
const connection = async (token = alice) => (await api('GET', `/api/apps/${appId}/connection`, { token })).data;
const setServiceToken = (values) => api('PATCH', `/api/apps/${appId}`, { token: admin, json: { settings: { ...settings, ...values } } });
const throughTunnel = (grant) => tunnelRequests.filter((r) => r.grant === grant);

describe('the supported path', () => {
  test('the app keeps the service token write-only: named in secret_settings, never shown', async () => {
    assert.deepEqual(created.data.secret_settings, ['access_client_id', 'access_client_secret']);
    assert.deepEqual(created.data.settings, settings);
    const read = await api('GET', `/api/apps/${appId}`, { token: admin });
    assert.deepEqual(read.data.secret_settings, ['access_client_id', 'access_client_secret']);
    // Users are asked for nothing: the app sets every field.
    assert.deepEqual(read.data.auth.fields, []);
  });

  test('a user connects: the public authorization page, the code exchange through the tunnel with the service token', async () => {
    const started = await startConnect(edge, appId, alice);
    assert.ok(started.begun.data.authorization_url.startsWith(`${provider.endpoints.authorization}?`),
      'the browser is sent to the public authorization page, not the tunnel');
    const { completion } = await finishConnect(edge, started, { login: 'alice' });
    answers.push(completion.text);
    assert.equal(completion.status, 200, completion.text);
    assert.equal(completion.data.connected, true);
    assert.equal(completion.data.identity, 'alice@example.com');
    assert.deepEqual(throughTunnel('authorization_code').map((r) => [r.path, r.admitted]), [['/token', true]]);
    assert.deepEqual(provider.tokenRequests.map((r) => [r.grant_type, r.status]), [['authorization_code', 200]]);
  });

  test('a proxied call reaches the API with the token', async () => {
    const answer = await proxy();
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.data.id, 'alice');
  });

  test('a refresh goes through the tunnel with the service token', async () => {
    rejected.add(lastAccessToken(demoApi));
    provider.resetCounters();
    const answer = await proxy();
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(provider.counters, { refresh_token: 1 });
    assert.deepEqual(throughTunnel('refresh_token').map((r) => r.admitted), [true]);
    assert.equal((await connection()).status, 'connected');
  });
});

describe('a wrong or missing service token', () => {
  test('a wrong secret: the refresh is refused by the tunnel → lost, client_misconfigured, for an admin to fix', async () => {
    assert.equal((await setServiceToken({ access_client_secret: 'not-the-secret' })).status, 200);
    rejected.add(lastAccessToken(demoApi));
    provider.resetCounters();
    const answer = await proxy();
    assert.equal(answer.status, 409, answer.text);
    assert.equal(answer.data.error, 'connection_lost');
    assert.equal(answer.data.lost.cause, 'client_misconfigured');
    assert.match(answer.data.lost.action, /administrator/);
    assert.match(answer.data.lost.detail, /gateway in front of the token endpoint refused the request.*token_headers/);
    assert.deepEqual(provider.counters, {}, 'the OAuth server never saw the refresh');
    assert.equal(throughTunnel('refresh_token').at(-1).admitted, false);
    const c = await connection();
    assert.equal(c.status, 'lost');
    assert.equal(c.lost.cause, 'client_misconfigured');
  });

  test('a wrong secret at connect: 422 connect_failed with the same diagnosis', async () => {
    const { completion } = await connectOAuth(edge, appId, alice, { login: 'alice' });
    answers.push(completion.text);
    assert.equal(completion.status, 422, completion.text);
    assert.equal(completion.data.error, 'connect_failed');
    assert.equal(completion.data.message, "The provider rejected the application's client credentials.");
    assert.match(completion.data.action, /administrator must fix .* the app settings its token requests send \(a gateway's service token\)/);
    assert.equal(throughTunnel('authorization_code').at(-1).admitted, false);
  });

  test('a service token the app does not set is a field each user is asked for, like any other', async () => {
    assert.equal((await setServiceToken({ access_client_id: null, access_client_secret: ACCESS_SECRET })).status, 200);
    const read = await api('GET', `/api/apps/${appId}`, { token: alice });
    assert.deepEqual(read.data.secret_settings, ['access_client_secret']);
    assert.deepEqual(read.data.auth.fields.map((f) => [f.name, f.secret]), [['access_client_id', true]]);
    const before = tunnelRequests.length;
    const begun = await api('POST', `/api/apps/${appId}/connect`, { token: alice, json: {} });
    assert.equal(begun.status, 400);
    assert.deepEqual(begun.data.details, [{ path: '/fields/access_client_id', message: 'is required' }]);
    assert.equal(tunnelRequests.length, before, 'nothing was sent');
  });

  test('a connector without token_headers: the tunnel refuses the exchange → 422 connect_failed, connector_error', async () => {
    const bare = structuredClone(connector);
    bare.name = 'onprem_bare';
    delete bare.authorization.token_headers;
    assert.equal((await api('PUT', '/api/connectors/onprem_bare', { token: admin, json: bare })).status, 201);
    const app = await api('POST', '/api/apps', { token: admin, json: { ...appBody, name: 'Corp CRM (bare)', connector: 'onprem_bare' } });
    assert.equal(app.status, 201, app.text);
    const { completion } = await connectOAuth(edge, app.data.id, alice, { login: 'alice' });
    answers.push(completion.text);
    assert.equal(completion.status, 422, completion.text);
    assert.equal(completion.data.error, 'connect_failed');
    assert.match(completion.data.message, /connector definition is at fault/);
    assert.equal(throughTunnel('authorization_code').at(-1).admitted, false);
  });

  test('the right token again: the user reconnects, and disconnecting revokes through the tunnel', async () => {
    assert.equal((await setServiceToken({ access_client_id: ACCESS_ID, access_client_secret: ACCESS_SECRET })).status, 200);
    const { completion } = await connectOAuth(edge, appId, alice, { login: 'alice' });
    answers.push(completion.text);
    assert.equal(completion.status, 200, completion.text);
    assert.equal((await proxy()).status, 200);
    provider.resetCounters();
    assert.equal((await api('DELETE', `/api/apps/${appId}/connection`, { token: alice })).status, 200);
    assert.ok(await eventually(() => provider.revocations.length > 0), 'revoked at the provider');
    assert.deepEqual(provider.revocations.map((r) => [r.token_type_hint, r.status]), [['refresh_token', 200]]);
    assert.deepEqual(tunnelRequests.filter((r) => r.path === '/token/revocation').map((r) => r.admitted), [true]);
  });

  test('a setting cleared after users connected: the refresh is not sent; the diagnosis names the template', async () => {
    const { completion } = await connectOAuth(edge, appId, alice, { login: 'alice' });
    answers.push(completion.text);
    assert.equal(completion.status, 200, completion.text);
    assert.equal((await proxy()).status, 200);
    assert.equal((await setServiceToken({ access_client_id: null })).status, 200);
    rejected.add(lastAccessToken(demoApi));
    const before = tunnelRequests.length;
    const answer = await proxy();
    assert.equal(answer.status, 409, answer.text);
    assert.equal(answer.data.lost.cause, 'connector_error');
    assert.match(answer.data.lost.detail, /\/authorization\/token_headers\/CF-Access-Client-Id/);
    assert.equal(tunnelRequests.length, before, 'nothing was sent');
    assert.equal((await setServiceToken({ access_client_id: ACCESS_ID })).status, 200);
  });
});

describe('private addresses', () => {
  test('a token endpoint on a loopback address is refused (egress_denied) without EGRESS_ALLOW_PRIVATE', async () => {
    const direct = await api('POST', '/api/apps', { token: admin, json: {
      ...appBody, name: 'Corp CRM (direct)',
      settings: { ...appBody.settings, token_endpoint: provider.endpoints.token },
      egress: [new URL(provider.issuer).host, API_HOST],
    } });
    assert.equal(direct.status, 201, direct.text);
    const before = provider.tokenRequests.length;
    const started = await startConnect(edge, direct.data.id, alice);
    const { completion } = await finishConnect(edge, started, { login: 'alice' });
    answers.push(completion.text);
    // The completion's refusals are 422 connect_failed with a `reason` (http-api.md).
    assert.equal(completion.status, 422, completion.text);
    assert.equal(completion.data.error, 'connect_failed');
    assert.equal(completion.data.reason, 'egress_denied');
    assert.match(completion.data.message, /127\.0\.0\.1 is a loopback, link-local or private address.*EGRESS_ALLOW_PRIVATE/);
    assert.equal(provider.tokenRequests.length, before, 'nothing reached the token endpoint');
  });
});

test('the service token appears in no answer and no log line of the worker', async () => {
  assert.ok(answers.length > 15 && logs.length > 0, `${answers.length} answers, ${logs.length} log chunks`);
  for (const value of [ACCESS_ID, ACCESS_SECRET]) {
    assert.equal(answers.filter((text) => text.includes(value)).length, 0);
    assert.equal(logs.filter((text) => text.includes(value)).length, 0);
  }
});
