// SPEC §10 at the edge, all real: workerd with the engine and oidc-provider on
// loopback. The account a connection is for comes from the token response's
// id_token claims or from the provider's userinfo endpoint called with the
// new token; the granted scope is kept and shown; a reconnect that lands on
// another account is reported to the user, in the connected event's audit
// entry, and a failing identity request still connects. A refresh that
// grants a narrower scope narrows the scope shown.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { session, apiKeyConnector } from './fixtures/edge_harness.mjs';
import { startWorld, createApp, connectOAuth, eventually, lastAccessToken } from './fixtures/demo_world.mjs';
import { loadConnector } from '../../demo/catalog.mjs';

const world = await startWorld();
after(() => world.stop());
const { edge, provider, demoApi, admin, rejectAtApi } = world;
const alice = await session('org-demo', 'alice', 'member');
const carol = await session('org-demo', 'carol', 'member');

const demo = loadConnector('demo_oauth');
const SCOPES = ['openid', 'email', 'offline_access', 'contacts:read'];
// The demo connector with another identity and the email scope.
async function connectorApp(name, identity) {
  const definition = { ...demo, name, authorization: { ...demo.authorization, scopes: SCOPES, identity } };
  const put = await edge.api('PUT', `/api/connectors/${name}`, { token: admin, json: definition });
  assert.equal(put.status, 201, put.text);
  return createApp(edge, admin, { providerUrl: provider.issuer, apiUrl: demoApi.url, issuer: provider.issuer, connector: name, name });
}

const connection = async (appId, token) => (await edge.api('GET', `/api/apps/${appId}/connection`, { token })).data;

describe('the account from the provider', () => {
  test('{{id_token.email}}: the identity from the ID token\'s claims, and the granted scope', async () => {
    const appId = await connectorApp('demo_oidc', '{{id_token.email}}');
    const { completion } = await connectOAuth(edge, appId, alice, { login: 'alice' });
    assert.equal(completion.status, 200, completion.text);
    assert.equal(completion.data.connected, true);
    assert.equal(completion.data.identity, 'alice@example.com');
    assert.equal(completion.data.account_changed, undefined, 'a first connect changes no account');
    // The scope is the token response's: oidc-provider grants offline_access
    // only with prompt=consent (OIDC Core §11), so it is not in it.
    const granted = completion.data.scope.split(' ');
    assert.deepEqual([...granted].sort(), ['contacts:read', 'email', 'openid']);

    const c = await connection(appId, alice);
    assert.equal(c.status, 'connected');
    assert.equal(c.identity, 'alice@example.com');
    assert.equal(c.scope, completion.data.scope);
    const listed = await eventually(async () => (await edge.api('GET', `/api/connections?app=${appId}`, { token: admin }))
      .data.items.find((i) => i.user === 'alice' && i.scope));
    assert.equal(listed.identity, 'alice@example.com');
    assert.equal(listed.scope, completion.data.scope);
  });

  test('a /me-style request: the provider\'s userinfo endpoint called with the new token', async () => {
    const appId = await connectorApp('demo_userinfo', { request: { url: '{{connection.provider_url}}/me' }, value: '{{response.email}}' });
    const { completion } = await connectOAuth(edge, appId, carol, { login: 'carol' });
    assert.equal(completion.status, 200, completion.text);
    assert.equal(completion.data.identity, 'carol@example.com');
    assert.equal((await connection(appId, carol)).identity, 'carol@example.com');
  });

  test('an identity request that fails still connects; the answer says why the account is unknown', async () => {
    const appId = await connectorApp('demo_noidentity', { request: { url: '{{connection.provider_url}}/no-such-endpoint' }, value: '{{response.email}}' });
    const { completion } = await connectOAuth(edge, appId, alice, { login: 'alice' });
    assert.equal(completion.status, 200, completion.text);
    assert.equal(completion.data.connected, true);
    assert.equal(completion.data.identity, null);
    assert.equal(completion.data.identity_problem, 'the identity request answered HTTP 404');
    const c = await connection(appId, alice);
    assert.equal(c.status, 'connected');
    assert.equal(c.identity, null);
    assert.equal((await edge.api('GET', `/proxy/${appId}/me`, { token: alice })).data.id, 'alice', 'the connection works');
  });
});

describe('the granted scope after a refresh', () => {
  test('a refresh that grants less (RFC 6749 §6) narrows the scope shown with the connection and in the list', async () => {
    const appId = await connectorApp('demo_narrowed', '{{id_token.email}}');
    const kim = await session('org-demo', 'kim', 'member');
    const { completion } = await connectOAuth(edge, appId, kim, { login: 'kim' });
    assert.equal(completion.status, 200, completion.text);
    assert.deepEqual(completion.data.scope.split(' ').sort(), ['contacts:read', 'email', 'openid']);

    // At the provider, kim takes contacts:read back; the grant and its refresh token stay.
    assert.equal(provider.withdrawScopes('kim', ['contacts:read']), 1);
    assert.equal((await edge.api('GET', `/proxy/${appId}/me`, { token: kim })).status, 200);
    rejectAtApi(lastAccessToken(demoApi)); // the API refuses the token: refresh and retry (SPEC §2.5)
    const refreshes = provider.counters.refresh_token ?? 0;
    const retried = await edge.api('GET', `/proxy/${appId}/me`, { token: kim });
    assert.equal(retried.status, 200, retried.text);
    assert.equal(provider.counters.refresh_token, refreshes + 1, 'one refresh');

    const c = await connection(appId, kim);
    assert.equal(c.status, 'connected');
    assert.deepEqual(c.scope.split(' ').sort(), ['email', 'openid'], 'the refresh response\'s scope');
    assert.equal(c.identity, 'kim@example.com', 'a refresh keeps the account');
    const listed = await eventually(async () => (await edge.api('GET', `/api/connections?app=${appId}`, { token: admin }))
      .data.items.find((i) => i.user === 'kim' && i.scope && !i.scope.includes('contacts:read')));
    assert.ok(listed, 'the org\'s list shows the narrower scope');
  });
});

describe('a reconnect to another account', () => {
  test('is reported in the completion and the audit log; the same account again is not', async () => {
    const appId = await connectorApp('demo_switch', '{{id_token.email}}');
    const dana = await session('org-demo', 'dana', 'member');
    assert.equal((await connectOAuth(edge, appId, dana, { login: 'dana' })).completion.status, 200);

    const again = (await connectOAuth(edge, appId, dana, { login: 'dana' })).completion;
    assert.equal(again.status, 200, again.text);
    assert.equal(again.data.account_changed, undefined);

    // Signed in at the provider as someone else (the popup's login page).
    const switched = (await connectOAuth(edge, appId, dana, { login: 'erin' })).completion;
    assert.equal(switched.status, 200, switched.text);
    assert.equal(switched.data.identity, 'erin@example.com');
    assert.deepEqual(switched.data.account_changed, { from: 'dana@example.com', to: 'erin@example.com' });
    const c = await connection(appId, dana);
    assert.equal(c.identity, 'erin@example.com');
    assert.equal((await edge.api('GET', `/proxy/${appId}/me`, { token: dana })).data.id, 'erin', 'the proxy acts as the new account');

    const entries = await eventually(async () => {
      const items = (await edge.api('GET', '/api/audit?limit=50', { token: admin })).data.items
        .filter((e) => e.action === 'connection.connected' && e.target.id === `${appId}:dana`);
      return items.length === 3 ? items : null;
    });
    assert.ok(entries, 'three connects of dana\'s are audited');
    assert.deepEqual(entries.map((e) => e.changed ?? null), [['account'], null, null], 'newest first: only the switch changed the account');
    assert.doesNotMatch(JSON.stringify(entries), /example\.com/, 'the audit log names what changed, never the value');
  });

  test('after a disconnect there is nothing to compare with', async () => {
    const appId = await connectorApp('demo_fresh', '{{id_token.email}}');
    const fred = await session('org-demo', 'fred', 'member');
    assert.equal((await connectOAuth(edge, appId, fred, { login: 'fred' })).completion.status, 200);
    assert.equal((await edge.api('DELETE', `/api/apps/${appId}/connection`, { token: fred })).status, 200);
    const c = await connection(appId, fred);
    assert.equal(c.identity, null);
    assert.equal(c.scope, null);
    const next = (await connectOAuth(edge, appId, fred, { login: 'gina' })).completion;
    assert.equal(next.status, 200, next.text);
    assert.equal(next.data.identity, 'gina@example.com');
    assert.equal(next.data.account_changed, undefined);
  });
});

describe('a connection made with fields', () => {
  test('the identity request runs after the test; another account\'s key is reported', async () => {
    // The provider's API: /v1/me accepts the keys, /v1/whoami names the account of one.
    const keys = new Map([['key-a', 'owner-a'], ['key-b', 'owner-b'], ['key-c', 'owner-c']]);
    const nameless = new Set(['key-c']); // whoami does not know it: 404
    const api = http.createServer((req, res) => {
      const key = req.headers['x-api-key'];
      const owner = keys.get(key);
      const known = owner && (req.url === '/v1/me' || (req.url === '/v1/whoami' && !nameless.has(key)));
      const body = known && req.url === '/v1/whoami' ? { login: owner } : {};
      res.writeHead(known ? 200 : owner ? 404 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve));
    after(() => api.close());
    const base = apiKeyConnector({ connection: { ...apiKeyConnector().connection, base_uri: `http://127.0.0.1:${api.address().port}/v1/` } });
    const definition = { ...base, name: 'acme_who', authorization: { ...base.authorization, identity: { request: { url: 'whoami' }, value: '{{response.login}}' } } };
    assert.equal((await edge.api('PUT', '/api/connectors/acme_who', { token: admin, json: definition })).status, 201);
    const app = await edge.api('POST', '/api/apps', { token: admin, json: { name: 'Acme Who', prompt: 'Connect', connector: 'acme_who' } });
    assert.equal(app.status, 201, app.text);
    const olga = await session('org-demo', 'olga', 'member');

    const first = await edge.api('POST', `/api/apps/${app.data.id}/connect`, { token: olga, json: { fields: { api_key: 'key-a' } } });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.data.identity, 'owner-a');
    assert.equal(first.data.scope, null, 'no granted scope without oauth2');
    assert.equal(first.data.account_changed, undefined);
    const second = await edge.api('POST', `/api/apps/${app.data.id}/connect`, { token: olga, json: { fields: { api_key: 'key-b' } } });
    assert.equal(second.status, 200, second.text);
    assert.equal(second.data.status, 'connected');
    assert.equal(second.data.identity, 'owner-b');
    assert.deepEqual(second.data.account_changed, { from: 'owner-a', to: 'owner-b' });

    // A key the API accepts but cannot name: connected, the account unknown and not compared.
    const unnamed = await edge.api('POST', `/api/apps/${app.data.id}/connect`, { token: olga, json: { fields: { api_key: 'key-c' } } });
    assert.equal(unnamed.status, 200, unnamed.text);
    assert.equal(unnamed.data.status, 'connected');
    assert.equal(unnamed.data.identity, null);
    assert.equal(unnamed.data.identity_problem, 'the identity request answered HTTP 404');
    assert.equal(unnamed.data.account_changed, undefined);
    assert.equal((await connection(app.data.id, olga)).identity, null);
  });
});
