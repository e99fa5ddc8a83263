// Apply rules that sign (SPEC §10), checked by independent implementations:
// a local server receives what connauth sent and `oauth-1.0a` / `aws4`
// recompute the signature from the request as received. Through
// engine.apply, engine.bind(...).apply and the CLI's apply and request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { createHash, createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OAuth from 'oauth-1.0a';
import aws4 from 'aws4';
import { load } from '../../wasm/connauth.mjs';

const engine = await load();
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'scripts/connauth');
const dir = mkdtempSync(join(tmpdir(), 'connauth-signing-'));
const file = (name, value) => {
  writeFileSync(join(dir, name), JSON.stringify(value));
  return join(dir, name);
};

// The requests as the server received them.
let server;
let origin;
const received = [];
before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${server.address().port}`;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const app = { client_id: 'consumer-key', client_secret: 'consumer s3cret&' };
const oauthConnection = { oauth_token: 'token-1', oauth_token_secret: 'token secret/2' };
const awsConnection = {
  access_key_id: 'AKIDEXAMPLE', secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', session_token: 'sess/ion+token',
};
const connector = (sign, extra = []) => ({
  name: 'signed',
  connection: { base_uri: `${origin}/api/` },
  authorization: { type: 'api_key', apply: [...extra, { sign }] },
});
const oauth1 = () => connector('oauth1', [{ params: { page: '2' } }]);
const sigv4 = () => connector({ aws_sigv4: { service: 'execute-api', region: 'eu-west-1' } },
  [{ when: { verb: 'POST' }, payload: { added: true } }]);

const header = (request, name) => new Headers(request.headers).get(name);

async function send(request) {
  const headers = new Headers(request.headers);
  const response = await fetch(request.url, { method: request.method, headers, body: request.body || undefined });
  assert.equal(response.status, 200);
  return received.at(-1);
}

// OAuth 1.0a as `oauth-1.0a` computes it for the received request, with the
// nonce and timestamp connauth chose.
function verifyOAuth1(req) {
  const header = req.headers.authorization;
  assert.match(header, /^OAuth /);
  const params = Object.fromEntries([...header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)]
    .map(([, k, v]) => [k, decodeURIComponent(v)]));
  assert.equal(params.oauth_consumer_key, app.client_id);
  assert.equal(params.oauth_token, oauthConnection.oauth_token);
  assert.match(params.oauth_nonce, /^[0-9a-f]{32}$/);
  const oauth = OAuth({
    consumer: { key: app.client_id, secret: app.client_secret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  oauth.getNonce = () => params.oauth_nonce;
  oauth.getTimeStamp = () => Number(params.oauth_timestamp);
  const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    ? Object.fromEntries(new URLSearchParams(req.body.toString())) : {};
  const expected = oauth.authorize({ url: `${origin}${req.url}`, method: req.method, data: form },
    { key: oauthConnection.oauth_token, secret: oauthConnection.oauth_token_secret });
  assert.equal(params.oauth_signature, expected.oauth_signature);
  return params;
}

// SigV4 as `aws4` computes it for the received request; the body hash is
// checked against the bytes received.
function verifySigV4(req) {
  assert.equal(req.headers['x-amz-content-sha256'], createHash('sha256').update(req.body).digest('hex'));
  assert.equal(req.headers['x-amz-security-token'], awsConnection.session_token);
  const opts = {
    host: '127.0.0.1', port: server.address().port, method: req.method, path: req.url,
    service: 'execute-api', region: 'eu-west-1',
    headers: {
      'X-Amz-Date': req.headers['x-amz-date'],
      'X-Amz-Content-Sha256': req.headers['x-amz-content-sha256'],
      'X-Amz-Security-Token': req.headers['x-amz-security-token'],
    },
  };
  aws4.sign(opts, {
    accessKeyId: awsConnection.access_key_id, secretAccessKey: awsConnection.secret_access_key,
    sessionToken: awsConnection.session_token,
  });
  assert.equal(req.headers.authorization, opts.headers.Authorization);
}

test('engine.apply: oauth1 over the query, the rule params and a form body', async () => {
  const applied = engine.apply(oauth1(), { connection: oauthConnection, app }, {
    method: 'POST', url: 'statuses/update.json?include_entities=true&x=a%20b',
    headers: [['content-type', 'application/x-www-form-urlencoded']],
    body: 'status=Hello+Ladies+%2B+Gentlemen%2C+a+signed+OAuth+request%21',
  });
  assert.ok(applied.ok, JSON.stringify(applied));
  const req = await send(applied.value);
  assert.match(req.url, /page=2/);
  const params = verifyOAuth1(req);
  assert.ok(Math.abs(Number(params.oauth_timestamp) - Date.now() / 1000) < 60);
});

test('engine.apply: oauth1 GET, and a pinned stamp gives a pinned signature', async () => {
  const pinned = { now: 1318622958, random: '00'.repeat(16) + 'ab'.repeat(16) };
  const one = engine.apply(oauth1(), { connection: oauthConnection, app }, { method: 'GET', url: 'me?q=%E2%9C%93' }, pinned);
  const two = engine.apply(oauth1(), { connection: oauthConnection, app }, { method: 'GET', url: 'me?q=%E2%9C%93' }, pinned);
  assert.deepEqual(one, two);
  const params = verifyOAuth1(await send(one.value));
  assert.equal(params.oauth_nonce, 'ab'.repeat(16));
  assert.equal(params.oauth_timestamp, '1318622958');
  // Fresh stamps differ from request to request.
  const fresh = [1, 2].map(() => engine.apply(oauth1(), { connection: oauthConnection, app }, { method: 'GET', url: 'me' }));
  assert.notEqual(header(fresh[0].value, 'authorization'), header(fresh[1].value, 'authorization'));
});

test('engine.apply: aws_sigv4 over the body after a payload merge, with a session token', async () => {
  const applied = engine.apply(sigv4(), { connection: awsConnection, app }, {
    method: 'POST', url: 'things/a%20b/?b=2&a=1&a=0',
    headers: [['content-type', 'application/json']], body: '{"name":"x"}',
  });
  assert.ok(applied.ok, JSON.stringify(applied));
  const req = await send(applied.value);
  assert.equal(req.body.toString(), '{"name":"x","added":true}');
  verifySigV4(req);
  assert.match(req.headers['x-amz-date'], /^\d{8}T\d{6}Z$/);
});

test('engine.bind(...).apply: both signers, a fresh nonce per request, binary bodies', async () => {
  const bound = engine.bind(oauth1(), { connection: oauthConnection, app });
  assert.ok(bound.ok);
  assert.equal(bound.value.signs, true);
  assert.equal(bound.value.readsRequestBody, true);
  const nonces = new Set();
  for (const body of ['a=1&b=%20', 'c=3']) {
    const edits = bound.value.apply({ method: 'POST', url: 'form', contentType: 'application/x-www-form-urlencoded', body });
    assert.ok(edits.ok, JSON.stringify(edits));
    const req = await send({ method: 'POST', url: edits.value.url, headers: [['content-type', 'application/x-www-form-urlencoded'], ...edits.value.headers], body });
    nonces.add(verifyOAuth1(req).oauth_nonce);
  }
  assert.equal(nonces.size, 2);
  bound.value.dispose();

  const aws = engine.bind(connector({ aws_sigv4: { service: 'execute-api', region: 'eu-west-1' } }), { connection: awsConnection, app });
  const bytes = new Uint8Array([0, 255, 1, 254, 10, 13]);
  const edits = aws.value.apply({ method: 'PUT', url: 'blob', contentType: 'application/octet-stream', body: bytes });
  assert.ok(edits.ok, JSON.stringify(edits));
  assert.equal(edits.value.body, undefined);
  verifySigV4(await send({ method: 'PUT', url: edits.value.url, headers: [['content-type', 'application/octet-stream'], ...edits.value.headers], body: bytes }));
  // Missing keys: the request is refused, naming what is missing and where.
  const keyless = engine.bind(connector({ aws_sigv4: { service: 'execute-api', region: 'eu-west-1' } }), { connection: {}, app });
  const refused = keyless.value.apply({ method: 'GET', url: 'x' });
  assert.equal(refused.ok, false);
  assert.equal(refused.errors[0].path, '/authorization/apply/0/sign');
  assert.match(refused.errors[0].message, /access_key_id/);
  aws.value.dispose();
  keyless.value.dispose();
});

test('templates: now, now_iso, uuid and the digest filters, per request in a bound connection', () => {
  const definition = {
    name: 'stamped',
    connection: { base_uri: 'https://api.example/' },
    authorization: {
      type: 'api_key',
      apply: [{ headers: { 'X-Time': '{{now}}|{{now_iso}}', 'X-Id': '{{uuid}}', 'X-Sig': '{{now | hmac_sha256: connection.key | base64url}}' } }],
    },
  };
  const context = { connection: { key: 'k' } };
  const applied = engine.apply(definition, context, { url: 'x' }, { now: 1700000000, random: '11'.repeat(32) });
  assert.ok(applied.ok, JSON.stringify(applied));
  assert.equal(header(applied.value, 'x-time'), '1700000000|2023-11-14T22:13:20Z');
  assert.equal(header(applied.value, 'x-id'), '11111111-1111-4111-9111-111111111111');
  assert.equal(header(applied.value, 'x-sig'), createHmac('sha256', 'k').update('1700000000').digest('base64url'));
  const bound = engine.bind(definition, context).value;
  const first = bound.apply({ url: 'x', now: 1, random: '22'.repeat(32) });
  const second = bound.apply({ url: 'x' });
  assert.equal(Object.fromEntries(first.value.headers)['X-Time'], '1|1970-01-01T00:00:01Z');
  const id = Object.fromEntries(second.value.headers)['X-Id'];
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  bound.dispose();
  const invalid = engine.validate({ ...definition, authorization: { type: 'api_key', apply: [{ headers: { 'X-Sig': '{{now | sha512}}' } }] } });
  assert.equal(invalid.ok, false);
  assert.equal(invalid.errors[0].path, '/authorization/apply/0/headers/X-Sig');
  assert.match(invalid.errors[0].message, /unknown filter "sha512"/);
});

function runCli(args) {
  const child = spawn(cli, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  return once(child, 'close').then(([code]) => ({ code, stdout, stderr }));
}

test('CLI apply: a signed request that verifies when sent', async () => {
  const connectorFile = file('oauth1.json', oauth1());
  const r = await runCli(['apply', connectorFile, '--connection', file('oauth-conn.json', oauthConnection),
    '--app', file('app.json', app), '--method', 'GET', '--url', 'search?q=x']);
  assert.equal(r.code, 0, r.stderr);
  verifyOAuth1(await send(JSON.parse(r.stdout)));
});

test('CLI request: both signers, sent to the server and verified there', async () => {
  const appFile = file('app.json', app);
  let r = await runCli(['request', file('oauth1.json', oauth1()), '--app', appFile, '--connection', file('oauth-conn.json', oauthConnection),
    '--method', 'POST', '--url', 'post', '--header', 'Content-Type: application/x-www-form-urlencoded', '--body', 'x=1&y=two+words']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /HTTP 200/);
  verifyOAuth1(received.at(-1));
  r = await runCli(['request', file('sigv4.json', sigv4()), '--app', appFile, '--connection', file('aws-conn.json', awsConnection),
    '--method', 'POST', '--url', 'items', '--header', 'Content-Type: application/json', '--body', '{"a":1}']);
  assert.equal(r.code, 0, r.stderr);
  const req = received.at(-1);
  assert.equal(req.body.toString(), '{"a":1,"added":true}');
  verifySigV4(req);
});
