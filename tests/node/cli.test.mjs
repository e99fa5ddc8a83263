// scripts/connauth validate / apply / classify (SPEC §6), run as a user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'scripts/connauth');
const examples = join(root, 'connectors/examples');
const dir = mkdtempSync(join(tmpdir(), 'connauth-cli-'));

function run(...args) {
  const r = spawnSync(cli, args, { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function file(name, value) {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const connector = file('acme.json', {
  name: 'acme',
  connection: { fields: [{ name: 'subdomain' }], base_uri: 'https://{{connection.subdomain}}.acme.example/api/' },
  authorization: {
    type: 'oauth2',
    authorization_url: 'https://acme.example/oauth/authorize',
    token_url: 'https://acme.example/oauth/token',
    refresh_on: [401],
    detect_on: [{ regex: 'invalid session', flags: 'i' }],
  },
});

test('validate: ok line for each example connector', () => {
  for (const name of readdirSync(examples).filter((f) => f.endsWith('.json'))) {
    const r = run('validate', join(examples, name));
    assert.equal(r.code, 0, `${name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^ok: [a-z][a-z0-9_-]* \((basic_auth|api_key|oauth2|custom_auth|multi)\)\n$/);
  }
});

test('validate: one "<pointer>: <message>" line per problem and exit 1', () => {
  const bad = file('bad.json', { name: '9lives', authorization: { type: 'oauth', apply: 'x' }, extra: 1 });
  const r = run('validate', bad);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.length >= 3, r.stdout);
  for (const line of lines) assert.match(line, /^\/[^:]*: .+/);
  assert.ok(lines.some((l) => l.startsWith('/name: ')));
  assert.ok(lines.some((l) => l.startsWith('/authorization/type: ')));
  assert.ok(lines.some((l) => l.startsWith('/extra: ')));
});

test('validate: unreadable and malformed files are clear errors', () => {
  const missing = run('validate', join(dir, 'nope.json'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read connector .*nope\.json: no such file/);
  const broken = run('validate', file('broken.json', '{"name":'));
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /JSON/);
});

test('apply prints the authorized request as JSON', () => {
  const conn = file('conn.json', { subdomain: 'eu', access_token: 'tok' });
  const r = run('apply', connector, '--connection', conn, '--method', 'post', '--url', 'deals',
    '--header', 'Content-Type: application/json', '--body', '{"a":1}');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    method: 'POST',
    url: 'https://eu.acme.example/api/deals',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok' },
    body: '{"a":1}',
  });
});

test('apply fails with a message when a value is missing', () => {
  const conn = file('empty.json', {});
  const r = run('apply', connector, '--connection', conn, '--method', 'GET', '--url', 'me');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /connection\.subdomain/);
  assert.equal(r.stdout, '');
});

test('classify prints the action', () => {
  const body = file('body.txt', 'Invalid Session');
  assert.equal(JSON.parse(run('classify', connector, '--status', '401').stdout).action, 'refresh');
  assert.equal(JSON.parse(run('classify', connector, '--status', '404').stdout).action, 'error');
  assert.equal(JSON.parse(run('classify', connector, '--status', '200', '--body-file', body).stdout).action, 'error');
  assert.equal(JSON.parse(run('classify', connector, '--status', '200').stdout).action, 'ok');
});

test('usage errors exit 2 and say what is wrong', () => {
  assert.equal(run().code, 2);
  const unknown = run('frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const noStatus = run('classify', connector);
  assert.equal(noStatus.code, 2);
  assert.match(noStatus.stderr, /--status is required/);
  const badStatus = run('classify', connector, '--status', 'abc');
  assert.equal(badStatus.code, 2);
  const badFlag = run('apply', connector, '--connektion', 'x');
  assert.match(badFlag.stderr, /unknown option --connektion/);
});

test('help lists every command of SPEC §6; COMMAND --help prints its usage', () => {
  const help = run('--help');
  assert.equal(help.code, 0);
  for (const name of ['validate', 'apply', 'classify', 'authorize', 'connect', 'request', 'token']) {
    assert.match(help.stdout, new RegExp(`^  connauth ${name} `, 'm'));
  }
  const one = run('request', '--help');
  assert.equal(one.code, 0);
  assert.match(one.stdout, /^usage: connauth request CONNECTOR\.json --app APP\.json --connection CONN\.json --method M --url URL_OR_PATH/);
});

test('request, connect and authorize name what is missing (exit 2) and unreadable files (exit 1)', () => {
  const noConn = run('request', connector, '--app', connector, '--method', 'GET', '--url', 'me');
  assert.equal(noConn.code, 2);
  assert.match(noConn.stderr, /--connection is required/);
  const noFields = run('connect', connector, '--app', connector, '--out', join(dir, 'x.json'));
  assert.equal(noFields.code, 2);
  assert.match(noFields.stderr, /--fields is required/);
  const missing = run('request', connector, '--app', join(dir, 'no-app.json'), '--connection', join(dir, 'none.json'),
    '--method', 'GET', '--url', 'me');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read app .*no-app\.json: no such file/);
  const notObject = run('authorize', connector, '--app', file('list.json', '[1]'), '--out', join(dir, 'x.json'), '--no-open');
  assert.equal(notObject.code, 1);
  assert.match(notObject.stderr, /app .*list\.json must hold a JSON object/);
});
