// A `multi` connector whose `selected` reads its own field (`mode`), in real
// workerd with the real engine (SPEC §2.2, §10): the app view offers the
// options through that field, connect checks and routes by the option the
// engine picks (fields → acquire/test; oauth2 → the authorization URL), and
// the proxy applies that option's credentials.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, session } from './fixtures/edge_harness.mjs';

const edge = await startEdge();
after(() => edge.dispose());
const { api, upstream } = edge;

const admin = await session('org-m', 'alice', 'admin');
const keyUser = await session('org-m', 'user-key', 'member');
const basicUser = await session('org-m', 'user-basic', 'member');

const modeConnector = {
  name: 'modes',
  connection: {
    fields: [{ name: 'region', optional: true }],
    base_uri: 'https://api.modes.test/v1/',
  },
  authorization: {
    type: 'multi',
    selected: '{{connection.mode}}',
    options: {
      key: { type: 'api_key', fields: [{ name: 'api_key', secret: true }],
        apply: [{ headers: { 'X-Api-Key': '{{connection.api_key}}' } }], identity: 'key user' },
      password: { type: 'basic_auth', fields: [{ name: 'username' }, { name: 'password', secret: true }],
        identity: '{{connection.username}}' },
      sso: { type: 'oauth2', authorization_url: 'https://login.modes.test/authorize', token_url: 'https://login.modes.test/token',
        noopener: true },
    },
  },
  test: { method: 'GET', url: 'me' },
};

let app;
before(async () => {
  assert.equal((await api('PUT', '/api/connectors/modes', { token: admin, json: modeConnector })).status, 201);
  const r = await api('POST', '/api/apps', { token: admin, json: { name: 'Modes', prompt: 'Connect Modes', connector: 'modes', client_id: 'cid' } });
  assert.equal(r.status, 201, r.text);
  app = r.data.id;
});

test('the app view tells a member which field chooses and what each option asks for', async () => {
  const r = await api('GET', `/api/apps/${app}`, { token: keyUser });
  assert.equal(r.status, 200, r.text);
  const { auth } = r.data;
  assert.equal(auth.choice_field, 'mode');
  assert.equal(auth.type, null, 'nothing chosen yet');
  assert.deepEqual(auth.options.map((o) => [o.key, o.type, o.fields.map((f) => f.name)]),
    [['key', 'api_key', ['region', 'api_key']], ['password', 'basic_auth', ['region', 'username', 'password']], ['sso', 'oauth2', ['region']]]);
  assert.equal(auth.options[2].noopener, true);
});

test('connect checks the fields of the option `mode` picks, at their pointers', async () => {
  const none = await api('POST', `/api/apps/${app}/connect`, { token: keyUser, json: { fields: { api_key: 'k' } } });
  assert.equal(none.status, 400);
  assert.equal(none.data.error, 'invalid_fields');
  assert.deepEqual(none.data.details, [{ path: '/fields/mode', message: 'must be one of key, password, sso' }]);
  const old = await api('POST', `/api/apps/${app}/connect`, { token: keyUser, json: { fields: { auth_type: 'key', api_key: 'k' } } });
  assert.deepEqual(old.data.details.map((d) => d.path), ['/fields/auth_type', '/fields/mode'], 'auth_type is not this connector\'s selector');
  const missing = await api('POST', `/api/apps/${app}/connect`, { token: basicUser, json: { fields: { mode: 'password', username: 'u' } } });
  assert.deepEqual(missing.data.details, [{ path: '/fields/password', message: 'is required' }]);
});

test('each user connects through their option and the proxy applies its credentials', async () => {
  upstream.reset();
  const key = await api('POST', `/api/apps/${app}/connect`, { token: keyUser, json: { fields: { mode: 'key', api_key: 'k-123' } } });
  assert.equal(key.status, 200, key.text);
  assert.equal(key.data.identity, 'key user');
  assert.equal(upstream.requests.at(-1).headers['x-api-key'], 'k-123', 'the test ran with the key');
  const basic = await api('POST', `/api/apps/${app}/connect`, { token: basicUser, json: { fields: { mode: 'password', username: 'u', password: 'p' } } });
  assert.equal(basic.status, 200, basic.text);
  assert.equal(basic.data.identity, 'u');

  upstream.reset();
  assert.equal((await api('GET', `/proxy/${app}/items`, { token: keyUser })).status, 200);
  assert.equal((await api('GET', `/proxy/${app}/items`, { token: basicUser })).status, 200);
  const [byKey, byBasic] = upstream.requests;
  assert.equal(byKey.url, 'https://api.modes.test/v1/items');
  assert.equal(byKey.headers['x-api-key'], 'k-123');
  assert.equal(byKey.headers.authorization, undefined);
  assert.equal(byBasic.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
  assert.equal(byBasic.headers['x-api-key'], undefined);
});

test('the oauth2 option starts the authorization; an app setting chooses for everyone', async () => {
  const sso = await api('POST', `/api/apps/${app}/connect`, { token: keyUser, json: { fields: { mode: 'sso' } } });
  assert.equal(sso.status, 200, sso.text);
  const url = new URL(sso.data.authorization_url);
  assert.equal(url.origin + url.pathname, 'https://login.modes.test/authorize');
  assert.equal(url.searchParams.get('client_id'), 'cid');
  assert.equal(sso.data.noopener, true);

  const r = await api('POST', '/api/apps', { token: admin, json: { name: 'Modes SSO', prompt: 'Connect', connector: 'modes', client_id: 'cid', settings: { mode: 'sso' } } });
  assert.equal(r.status, 201, r.text);
  const view = await api('GET', `/api/apps/${r.data.id}`, { token: keyUser });
  assert.deepEqual([view.data.auth.type, view.data.auth.option, view.data.auth.choice_field], ['oauth2', 'sso', null]);
  const chosen = await api('POST', `/api/apps/${r.data.id}/connect`, { token: keyUser, json: { fields: {} } });
  assert.equal(chosen.status, 200, chosen.text);
  assert.ok(chosen.data.authorization_url.startsWith('https://login.modes.test/authorize?'));
});
