// private_key_jwt (RFC 7523 §2.2, SPEC §10) through the edge worker (real
// workerd) against oidc-provider: the engine builds the client assertion,
// the worker signs it (wasm/jwt_sign.mjs) for the code exchange, the refresh
// and the revocation. The app's private_key is sealed like a secret field:
// it never appears in an API answer or a log line.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, exportPKCS8, exportJWK } from 'jose';
import { startProvider } from '../../demo/provider.mjs';
import { startDemoApi } from '../../demo/api.mjs';
import { demoApps, loadConnector } from '../../demo/catalog.mjs';
import { webClient } from '../../demo/provider-config.mjs';
import { startEdge, session } from './fixtures/edge_harness.mjs';
import { connectOAuth, eventually } from './fixtures/demo_world.mjs';

const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
const pem = await exportPKCS8(privateKey);
const keyLines = pem.split('\n').filter((line) => line && !line.startsWith('-----'));
const { client_secret: _none, ...client } = webClient('jwt-ec', { authMethod: 'private_key_jwt' });
const provider = await startProvider({
  accessTokenTTL: 600,
  clients: [{ ...client, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' }] },
    token_endpoint_auth_signing_alg: 'ES256' }],
});
const demoApi = await startDemoApi({ provider });
const logLines = [];
const edge = await startEdge({ network: true, onLog: (line) => logLines.push(line) });
after(async () => {
  await edge.dispose();
  await demoApi.stop();
  await provider.stop();
});

const admin = await session('org-demo', 'admin-1', 'admin');
const alice = await session('org-demo', 'alice', 'member');
const answers = [];
async function call(method, path, options) {
  const answer = await edge.api(method, path, options);
  answers.push(answer.text);
  return answer;
}
const noKey = (text) => keyLines.every((line) => !text.includes(line));

test('private_key_jwt: connect, refresh and revoke through the edge; the key stays sealed', async () => {
  const oauth = loadConnector('demo_oauth');
  const put = await call('PUT', '/api/connectors/demo_jwt', { token: admin,
    json: { ...oauth, name: 'demo_jwt', authorization: { ...oauth.authorization, client_auth: 'private_key_jwt' } } });
  assert.equal(put.status, 201, put.text);
  const base = demoApps({ providerUrl: provider.issuer, apiUrl: demoApi.url }).demo_oauth;
  const created = await call('POST', '/api/apps', { token: admin, json: {
    ...base, connector: 'demo_jwt', client_id: 'jwt-ec', client_secret: null, issuer: provider.issuer,
    refresh_buffer: 86400, // every proxied call renews first: the refresh grant is exercised too
    settings: { ...base.settings, private_key: pem, key_id: 'ec-1', client_assertion_alg: 'ES256' },
  } });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(created.data.secret_settings, ['private_key']);
  assert.equal(created.data.settings.private_key, undefined);
  const appId = created.data.id;

  const { completion } = await connectOAuth(edge, appId, alice, { login: 'alice' });
  assert.equal(completion.status, 200, completion.text);
  assert.deepEqual(provider.tokenRequests.at(-1), { grant_type: 'authorization_code', client_id: 'jwt-ec', status: 200, error: undefined });

  const me = await call('GET', `/proxy/${appId}/me`, { token: alice });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.data.id, 'alice');
  assert.deepEqual(provider.tokenRequests.at(-1), { grant_type: 'refresh_token', client_id: 'jwt-ec', status: 200, error: undefined });

  const gone = await call('DELETE', `/api/apps/${appId}/connection`, { token: alice });
  assert.ok(gone.status < 300, gone.text);
  assert.ok(await eventually(() => provider.revocations.length >= 1, { ms: 10_000 }));
  assert.deepEqual(provider.revocations, [{ client_id: 'jwt-ec', token_type_hint: 'refresh_token', status: 200 }]);

  for (const path of [`/api/apps/${appId}`, '/api/apps']) answers.push((await call('GET', path, { token: admin })).text);
  assert.ok(answers.every(noKey), 'no API answer carries the key');
  assert.ok(logLines.length > 0);
  assert.ok(logLines.every(noKey), 'no log line carries the key');
});

test('a key that cannot sign (an EC key with RS256) fails as client_misconfigured naming the setting', async () => {
  const base = demoApps({ providerUrl: provider.issuer, apiUrl: demoApi.url }).demo_oauth;
  const created = await call('POST', '/api/apps', { token: admin, json: {
    ...base, name: 'wrong alg', connector: 'demo_jwt', client_id: 'jwt-ec', client_secret: null, issuer: provider.issuer,
    settings: { ...base.settings, private_key: pem, key_id: 'ec-1' },
  } });
  assert.equal(created.status, 201, created.text);
  const before = provider.tokenRequests.length;
  const { completion } = await connectOAuth(edge, created.data.id, alice, { login: 'alice' });
  assert.notEqual(completion.status, 200);
  assert.match(completion.text, /client_misconfigured/);
  assert.match(completion.text, /\/app\/settings\/private_key/);
  assert.ok(noKey(completion.text));
  assert.equal(provider.tokenRequests.length, before, 'nothing was sent unsigned');
  assert.ok(logLines.every(noKey));
});
