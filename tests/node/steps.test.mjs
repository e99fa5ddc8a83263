// An acquire of two steps (a nonce, then a login signed with it) through the
// CLI as a connector author runs it, against a loopback provider that checks
// the signature with node:crypto: connect, a request with the token, a
// refresh that runs the steps again, a login answer without a token
// (connector_error), and a definition reading a step that is not an earlier one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twoStepLogin, twoStepConnector, serve, USER, PASSWORD } from '../scenarios/two_step_login.mjs';
import { runCli } from './fixtures/cli_process.mjs';

const dir = mkdtempSync(join(tmpdir(), 'connauth-steps-'));
const path = (name) => join(dir, name);
const file = (name, value) => {
  writeFileSync(path(name), JSON.stringify(value, null, 2));
  return path(name);
};
const readJson = (name) => JSON.parse(readFileSync(path(name), 'utf8'));

const run = (args) => runCli(dir, args);

const provider = twoStepLogin();
let server;
before(async () => {
  server = await serve(provider);
  file('connector.json', twoStepConnector(server.url));
  file('app.json', { name: 'Two steps', prompt: 'Connect', refresh_buffer: 0 });
  file('fields.json', { user: USER, password: PASSWORD });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const request = () => run(['request', 'connector.json', '--app', 'app.json', '--connection', 'conn.json', '--method', 'GET', '--url', 'me']);

test('connect runs the nonce and the signed login, then the test', async () => {
  const r = await run(['connect', 'connector.json', '--app', 'app.json', '--fields', 'fields.json', '--out', 'conn.json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(provider.seen, ['GET /nonce', 'POST /login', 'GET /me']);
  assert.equal(provider.refused, 0);
  assert.equal((r.stderr.match(/^acquire: (GET|POST) http:\/\/127\.0\.0\.1:\d+ answered HTTP 200$/gm) ?? []).length, 2, r.stderr);
  const conn = readJson('conn.json');
  assert.equal(conn.access_token, 'tok-1');
  assert.equal(conn.user, USER);
  assert.equal(conn.steps, undefined);
  assert.doesNotMatch(r.stdout + r.stderr, /tok-1|correct horse/);
});

test('a request carries the token; a 401 runs both steps again and retries once', async () => {
  provider.seen = [];
  const ok = await request();
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout.split('\n')[1]).token, 'tok-1');

  provider.expire();
  provider.seen = [];
  const renewed = await request();
  assert.equal(renewed.code, 0, renewed.stderr);
  assert.deepEqual(provider.seen, ['GET /me', 'GET /nonce', 'POST /login', 'GET /me']);
  assert.match(renewed.stderr, /refreshed the credentials/);
  assert.equal(readJson('conn.json').access_token, 'tok-2');
  assert.equal(provider.refused, 0);
});

test('a login answer without a token loses the connection as connector_error', async () => {
  provider.tokenless = true;
  provider.expire();
  try {
    const r = await request();
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the connection is lost \(connector_error\)/);
    assert.match(r.stderr, /missing_access_token \(HTTP 200\): the answer to \/authorization\/acquire\/1 has no response\.access_token/);
    assert.match(r.stderr, /"tokens": false/);
    assert.doesNotMatch(r.stderr, /correct horse|nonce":/);
    // The stale token was not kept as if the login had worked.
    assert.equal(readJson('conn.json').access_token, 'tok-2');
  } finally {
    provider.tokenless = false;
  }
});

test('validate: a template reading a step that is not an earlier one, at its pointer', async () => {
  const connector = twoStepConnector(server.url);
  connector.authorization.acquire.reverse();
  file('bad.json', connector);
  const r = await run(['validate', 'bad.json']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^\/authorization\/acquire\/0\/request\/headers\/X-Signature: reads steps\.nonce, which is not an earlier step$/m);
  assert.match(r.stdout, /^\/authorization\/acquire\/0\/request\/json\/nonce: reads steps\.nonce, which is not an earlier step$/m);
});
