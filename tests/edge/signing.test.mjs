// Request signers (SPEC §10) through the edge proxy in real workerd: one
// proxied request signed with each signer, checked by independent
// implementations (`oauth-1.0a`, `aws4`) against the request the upstream
// received.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import aws4 from 'aws4';
import { startEdge, session } from './fixtures/edge_harness.mjs';

const edge = await startEdge();
after(() => edge.dispose());
const { api, upstream } = edge;
const admin = await session('org-s', 'alice', 'admin');
const member = await session('org-s', 'user-s', 'member');

const CLIENT = { client_id: 'consumer-key', client_secret: 'consumer-secret' };
const signed = (name, fields, sign) => ({
  name,
  connection: { fields: fields.map((f) => ({ name: f, secret: true, optional: f === 'session_token' })), base_uri: 'https://api.signed.test/v1/' },
  authorization: { type: 'api_key', apply: [{ sign }] },
});

// Registers the connector, creates its app and connects the member (the
// connect runs no test: the connectors have none).
async function connected(connector, fields) {
  assert.equal((await api('PUT', `/api/connectors/${connector.name}`, { token: admin, json: connector })).status, 201);
  const created = await api('POST', '/api/apps', { token: admin, json: { name: connector.name, prompt: 'Connect', connector: connector.name, ...CLIENT } });
  assert.equal(created.status, 201, created.text);
  const r = await api('POST', `/api/apps/${created.data.id}/connect`, { token: member, json: { fields } });
  assert.equal(r.status, 200, r.text);
  return created.data.id;
}

test('oauth1: a proxied form POST carries a signature oauth-1.0a accepts', async () => {
  const token = { oauth_token: 'tok-1', oauth_token_secret: 'tok-secret' };
  const app = await connected(signed('oauthsig', ['oauth_token', 'oauth_token_secret'], 'oauth1'), token);
  upstream.reset();
  const body = 'status=Hello+Ladies+%2B+Gentlemen&x=1';
  const r = await api('POST', `/proxy/${app}/statuses/update.json?include_entities=true`, {
    token: member, body, headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(upstream.requests.length, 1);
  const seen = upstream.requests[0];
  assert.equal(seen.body, body);
  const params = Object.fromEntries([...seen.headers.authorization.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)]
    .map(([, k, v]) => [k, decodeURIComponent(v)]));
  const oauth = OAuth({
    consumer: { key: CLIENT.client_id, secret: CLIENT.client_secret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  oauth.getNonce = () => params.oauth_nonce;
  oauth.getTimeStamp = () => Number(params.oauth_timestamp);
  const expected = oauth.authorize({ url: seen.url, method: 'POST', data: Object.fromEntries(new URLSearchParams(body)) },
    { key: token.oauth_token, secret: token.oauth_token_secret });
  assert.equal(params.oauth_signature, expected.oauth_signature);
  assert.ok(Math.abs(Number(params.oauth_timestamp) - Date.now() / 1000) < 60);
});

test('aws_sigv4: a proxied PUT with a binary body carries a signature aws4 accepts', async () => {
  const keys = { access_key_id: 'AKIDEXAMPLE', secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', session_token: 'sess' };
  const app = await connected(signed('awssig', ['access_key_id', 'secret_access_key', 'session_token'],
    { aws_sigv4: { service: 'execute-api', region: 'eu-west-1' } }), keys);
  upstream.reset();
  // Over the replay size, so held whole only because it is signed; ASCII so
  // the harness's text of the upstream body is the bytes.
  const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 127);
  const r = await api('PUT', `/proxy/${app}/objects/a%20b?b=2&a=1`, {
    token: member, body: bytes, headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(r.status, 200, r.text);
  const seen = upstream.requests[0];
  const url = new URL(seen.url);
  assert.equal(seen.body, Buffer.from(bytes).toString('latin1'));
  assert.equal(seen.headers['x-amz-content-sha256'], createHash('sha256').update(bytes).digest('hex'));
  const opts = {
    host: url.host, method: 'PUT', path: url.pathname + url.search, service: 'execute-api', region: 'eu-west-1',
    headers: {
      'X-Amz-Date': seen.headers['x-amz-date'],
      'X-Amz-Content-Sha256': seen.headers['x-amz-content-sha256'],
      'X-Amz-Security-Token': seen.headers['x-amz-security-token'],
    },
  };
  aws4.sign(opts, { accessKeyId: keys.access_key_id, secretAccessKey: keys.secret_access_key, sessionToken: keys.session_token });
  assert.equal(seen.headers.authorization, opts.headers.Authorization);
});
