// The CLI's conventions (docs/cli.md "JSON output", "Version"), run as a
// script runs them: --version, --json on every command (one JSON document on
// stdout, the same exit codes, failures too), validate of many files, and
// unknown options. The flows run against the real demo provider
// (oidc-provider), the odd provider and a local API on loopback.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProvider } from '../../demo/provider.mjs';
import { startDemoApi } from '../../demo/api.mjs';
import { startOddProvider } from '../../demo/odd-provider.mjs';
import { completeConsent } from '../../demo/consent.mjs';
import { demoApps } from '../../demo/catalog.mjs';
import { verifySession } from '../../edge/src/session.mjs';
import { createOutput } from '../../scripts/cli/output.mjs';
import { startCli, runCli, scratchDir } from './fixtures/cli_process.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'scripts/connauth');
const examples = join(root, 'connectors/examples');
const demoOauth = join(root, 'demo/connectors/demo_oauth.json');
const demoClientCredentials = join(root, 'demo/connectors/demo_client_credentials.json');
const packageVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

const { dir, path, file, readJson, remove } = scratchDir('connauth-cli-json-');
after(remove);

const start = (args, options) => startCli(dir, args, options);
const run = (args, options) => runCli(dir, args, options);

/** Runs with --json; stdout must be exactly one JSON document with `ok` matching the exit code. */
async function runJson(args, options) {
  const r = await run([...args, '--json'], options);
  let doc;
  assert.doesNotThrow(() => { doc = JSON.parse(r.stdout); }, `stdout is one JSON document: ${r.stdout}`);
  assert.equal(typeof doc.ok, 'boolean');
  assert.equal(doc.ok, r.code === 0, `ok matches exit code ${r.code}: ${r.stdout}`);
  if (!doc.ok) {
    assert.equal(typeof doc.error.code, 'string');
    assert.equal(typeof doc.error.message, 'string');
    assert.ok(doc.error.message.length > 0);
  }
  return { ...r, doc };
}

const connector = file('acme.json', {
  name: 'acme',
  connection: { fields: [{ name: 'subdomain' }], base_uri: 'https://{{connection.subdomain}}.acme.example/api/' },
  authorization: {
    type: 'oauth2',
    authorization_url: 'https://acme.example/oauth/authorize',
    token_url: 'https://acme.example/oauth/token',
    refresh_on: [401],
  },
});
const bad = file('bad.json', { name: '9lives', authorization: { type: 'oauth', apply: 'x' }, extra: 1 });

test('--version, -V and version print the version in package.json', async () => {
  for (const args of [['--version'], ['-V'], ['version']]) {
    const r = await run(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${packageVersion}\n`);
  }
  for (const args of [['--version'], ['--json', '-V'], ['version']]) {
    const { code, doc } = await runJson(args);
    assert.equal(code, 0);
    assert.deepEqual(doc, { ok: true, value: { name: 'connauth', version: packageVersion } });
  }
  const extra = await run(['version', 'x']);
  assert.equal(extra.code, 2);
});

test('validate: many files, one invalid and one missing: a line for each, all checked, exit 1', async () => {
  const good = [join(examples, 'autodesk.json'), join(examples, 'basic_auth.json')];
  const missing = path('missing.json');
  const r = await run(['validate', good[0], bad, missing, good[1]]);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], `${good[0]}: ok: autodesk (oauth2)`);
  assert.ok(lines.includes(`${bad}: /name: must match ^[a-z][a-z0-9_-]{0,63}$`), r.stdout);
  assert.ok(lines.some((l) => l.startsWith(`${bad}: /extra: `)), r.stdout);
  assert.ok(lines.includes(`${missing}: cannot read connector ${missing}: no such file`), r.stdout);
  assert.match(lines.at(-1), new RegExp(`^${good[1].replace(/[.]/g, '\\.')}: ok: [a-z_]+ \\(basic_auth\\)$`));
  for (const line of lines) assert.ok([...good, bad, missing].some((f) => line.startsWith(`${f}: `)), line);

  const all = await run(['validate', ...good]);
  assert.equal(all.code, 0, all.stdout + all.stderr);
  assert.equal(all.stdout.trim().split('\n').length, 2);
});

test('validate --json: one document with a result per file, in order', async () => {
  const good = join(examples, 'autodesk.json');
  const missing = path('missing.json');
  const broken = file('broken.json', '{"name":');
  const { code, doc } = await runJson(['validate', good, bad, missing, broken]);
  assert.equal(code, 1);
  assert.equal(doc.error.code, 'invalid_connector');
  assert.match(doc.error.message, /^3 of 4 /);
  const [ok, invalid, unreadable, malformed] = doc.value.files;
  assert.deepEqual(doc.value.files.map((f) => [f.file, f.ok]), [[good, true], [bad, false], [missing, false], [broken, false]]);
  assert.equal(ok.value.name, 'autodesk');
  assert.equal(ok.value.type, 'oauth2');
  assert.equal(invalid.error.code, 'invalid_input');
  assert.equal(invalid.error.path, invalid.error.problems[0].path);
  const paths = invalid.error.problems.map((p) => p.path);
  for (const p of ['/name', '/authorization/type', '/extra']) assert.ok(paths.includes(p), paths.join(' '));
  assert.deepEqual(unreadable.error, { code: 'file', message: `cannot read connector ${missing}: no such file` });
  assert.match(malformed.error.message, /invalid JSON/);
  assert.equal(malformed.error.path, '', 'the whole document (RFC 6901)');

  const one = await runJson(['validate', good]);
  assert.equal(one.code, 0);
  assert.deepEqual(one.doc.value.files.map((f) => f.ok), [true]);
});

test('apply and classify --json: the result as value; an engine error with its JSON pointer', async () => {
  const conn = file('conn.json', { subdomain: 'eu', access_token: 'tok' });
  const applied = await runJson(['apply', connector, '--connection', conn, '--method', 'get', '--url', 'deals']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.deepEqual(applied.doc.value, {
    method: 'GET', url: 'https://eu.acme.example/api/deals', headers: { Authorization: 'Bearer tok' }, body: '',
  });
  const missingValue = await runJson(['apply', connector, '--connection', file('empty.json', {}), '--method', 'GET', '--url', 'me']);
  assert.equal(missingValue.code, 1);
  assert.equal(typeof missingValue.doc.error.path, 'string');
  assert.match(JSON.stringify(missingValue.doc.error), /connection\.subdomain/);

  const classified = await runJson(['classify', connector, '--status', '401']);
  assert.equal(classified.code, 0);
  assert.equal(classified.doc.value.action, 'refresh');
  const invalid = await runJson(['classify', bad, '--status', '200']);
  assert.equal(invalid.code, 1);
  assert.equal(invalid.doc.error.code, 'invalid_input');
  assert.ok(invalid.doc.error.problems.some((p) => p.path === '/name'));
});

test('--json failures keep their exit codes: usage 2, unreadable file 1, unknown command and option 2', async () => {
  const usage = await runJson(['classify', connector]);
  assert.equal(usage.code, 2);
  assert.equal(usage.doc.error.code, 'usage');
  assert.equal(usage.doc.error.message, '--status is required');
  assert.match(usage.doc.error.usage, /^connauth classify CONNECTOR\.json --status N/);

  const unreadable = await runJson(['classify', path('none.json'), '--status', '200']);
  assert.equal(unreadable.code, 1);
  assert.equal(unreadable.doc.error.code, 'file');
  assert.match(unreadable.doc.error.message, /cannot read connector .*none\.json: no such file/);

  const command = await runJson(['frobnicate']);
  assert.equal(command.code, 2);
  assert.deepEqual(command.doc.error, { code: 'usage', message: 'unknown command "frobnicate"' });

  const option = await runJson(['apply', connector, '--connektion', 'x']);
  assert.equal(option.code, 2);
  assert.equal(option.doc.error.message, 'unknown option --connektion');

  // --json after "--" is an argument, not the option.
  const literal = await run(['validate', '--', '--json']);
  assert.equal(literal.code, 1);
  assert.match(literal.stderr, /cannot read connector --json/);
});

test('unknown options, missing values and stray arguments exit 2 with the usage', async () => {
  const cases = [
    [['apply', connector, '--connektion', 'x'], /unknown option --connektion/],
    [['classify', connector, '-s', '200'], /unknown option -s/],
    [['classify', connector, '--status'], /--status needs a value/],
    [['authorize', connector, '--app', 'a.json', '--out', 'c.json', '--no-open=yes'], /--no-open takes no value/],
    [['classify', connector, 'extra.json', '--status', '200'], /expected CONNECTOR, got 2 argument\(s\)/],
    [['validate'], /expected CONNECTOR\.\.\., got 0 argument\(s\)/],
    [['token', 'acme', '--org', 'o', '--user', 'u', '--role', 'admin'], /unexpected argument "acme"/],
    [['--frobnicate'], /unknown option --frobnicate/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /^usage: connauth /m);
    assert.equal(r.stdout, '', 'a usage error prints nothing on stdout');
  }
  // A value that starts with "-" is still a value.
  const r = await run(['apply', connector, '--connection', file('c2.json', { subdomain: 'eu', access_token: 't' }),
    '--method', 'POST', '--url', 'x', '--body', '-1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).body, '-1');
});

test('token --json: the token and its claims; an unusable secret is an error document', async () => {
  const secret = 'a-test-session-secret-of-at-least-32-chars';
  const { code, doc } = await runJson(['token', '--org', 'acme', '--user', 'u1', '--role', 'member'], { env: { SESSION_SECRET: secret } });
  assert.equal(code, 0);
  assert.deepEqual(Object.keys(doc.value).sort(), ['exp', 'org', 'role', 'sub', 'token']);
  const bearer = new Request('http://x/', { headers: { authorization: `Bearer ${doc.value.token}` } });
  assert.deepEqual(await verifySession(bearer, secret), { ok: true, value: { sub: 'u1', org: 'acme', role: 'member' } });
  const short = await runJson(['token', '--org', 'acme', '--user', 'u', '--role', 'admin'], { env: { SESSION_SECRET: 'short' } });
  assert.equal(short.code, 1);
  assert.equal(short.doc.error.code, 'invalid_secret');
  assert.equal(short.stdout.includes('short'), false);
  const role = await runJson(['token', '--org', 'acme', '--user', 'u', '--role', 'owner']);
  assert.equal(role.code, 2);
  assert.equal(role.doc.error.code, 'usage');
});

test('--help --json lists every command; COMMAND --help --json its usage', async () => {
  const all = await runJson(['--help']);
  assert.equal(all.code, 0);
  for (const name of ['validate', 'apply', 'classify', 'authorize', 'connect', 'request', 'token', 'version']) {
    assert.match(all.doc.value.commands[name], new RegExp(`^connauth ${name}\\b`));
  }
  const one = await runJson(['request', '--help']);
  assert.match(one.doc.value.usage, /^connauth request CONNECTOR\.json --app APP\.json/);
});

test('a command that records no document still gives one: its stdout as value, or a failure', () => {
  const run = (code, lines) => {
    const written = [];
    const out = createOutput({ json: true, write: { stdout: (l) => written.push(l), stderr: () => {} } });
    for (const line of lines) out.stdout(line);
    out.finish(code);
    assert.equal(written.length, 1, 'one document, nothing else');
    return JSON.parse(written[0]);
  };
  assert.deepEqual(run(0, ['{"name":', '"x"}']), { ok: true, value: { name: 'x' } });
  assert.deepEqual(run(0, ['converted 2 connectors']), { ok: true, value: { output: 'converted 2 connectors' } });
  assert.deepEqual(run(1, ['partial']), { ok: false, error: { code: 'failed', message: 'exit code 1' } });
});

describe('--json on the flows (demo provider, odd provider, local API)', () => {
  let op;
  let api;
  let odd;

  before(async () => {
    op = await startProvider({ accessTokenTTL: 60 });
    api = await startDemoApi({ provider: op });
    const apps = demoApps({ providerUrl: op.issuer, apiUrl: api.url });
    file('app.json', apps.demo_oauth);
    file('app-cc.json', apps.demo_client_credentials);
    odd = await startOddProvider();
    file('odd.json', {
      name: 'odd',
      connection: { base_uri: `${odd.url}/` },
      authorization: { type: 'oauth2', authorization_url: `${odd.url}/authorize`, token_url: `${odd.url}/token`, refresh_on: [401] },
      test: { method: 'GET', url: 'api/current' },
    });
    file('odd-app.json', { name: 'Odd', prompt: 'Connect', client_id: 'c', client_secret: 's', refresh_buffer: 0 });
  });
  after(async () => {
    await odd.stop();
    await api.stop();
    await op.stop();
  });

  test('authorize --json: open: goes to stderr; the summary holds no token', async () => {
    const running = start(['authorize', demoOauth, '--app', 'app.json', '--out', 'conn.json', '--no-open', '--json']);
    while (!/^open: /m.test(running.result.stderr)) {
      if (running.child.exitCode !== null) throw new Error(`authorize exited: ${running.result.stderr}`);
      await sleep(20);
    }
    assert.equal(running.result.stdout, '', 'nothing on stdout before the document');
    const url = /^open: (.*)$/m.exec(running.result.stderr)[1];
    await fetch(await completeConsent(url, { login: 'alice' }));
    const r = await running.done;
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const conn = readJson('conn.json');
    assert.deepEqual(doc, {
      ok: true,
      value: {
        status: 'connected', identity: 'demo account', scope: doc.value.scope, connection_file: 'conn.json',
        access_token: true, expires_at: conn.expires_at, refresh_token: true, warnings: [],
      },
    });
    for (const secret of [conn.access_token, conn.refresh_token, 'demo-secret']) {
      assert.equal(r.stdout.includes(secret) || r.stderr.includes(secret), false, 'no token or secret is printed');
    }
  });

  test('authorize --json: a timeout is an error document, exit 1', async () => {
    const { code, doc } = await runJson(['authorize', demoOauth, '--app', 'app.json', '--out', 'late.json', '--no-open', '--timeout', '1']);
    assert.equal(code, 1);
    assert.equal(doc.error.code, 'timeout');
    assert.equal(existsSync(path('late.json')), false);
  });

  test('request --json: the answer, its classification and the refreshes; an error answer keeps its status', async () => {
    file('conn.json', { ...readJson('conn.json'), expires_at: Math.floor(Date.now() / 1000) - 5 });
    const args = ['request', demoOauth, '--app', 'app.json', '--connection', 'conn.json', '--method', 'GET'];
    const me = await runJson([...args, '--url', 'me']);
    assert.equal(me.code, 0, me.stderr);
    assert.equal(me.doc.value.status, 200);
    assert.equal(JSON.parse(me.doc.value.body).id, 'alice');
    assert.equal(me.doc.value.classification.action, 'ok');
    assert.equal(me.doc.value.attempt, 1);
    assert.equal(me.doc.value.refreshed.length, 1);
    assert.equal(me.doc.value.refreshed[0].by, 'this process');
    assert.match(me.stderr, /refreshed the credentials/, 'notes stay on stderr');

    const missing = await runJson([...args, '--url', 'nothing-here']);
    assert.equal(missing.code, 1);
    assert.equal(missing.doc.error.code, 'error_answer');
    assert.equal(missing.doc.value.status, 404);
    assert.equal(missing.doc.value.body, '{"error":"not_found"}');
  });

  test('connect --json: the summary; a refused or wrong connection is an error document', async () => {
    file('none.json', {});
    const { code, doc, stderr } = await runJson(['connect', demoClientCredentials, '--app', 'app-cc.json', '--fields', 'none.json', '--out', 'cc.json']);
    assert.equal(code, 0, stderr);
    assert.equal(doc.value.status, 'connected');
    assert.equal(doc.value.connection_file, 'cc.json');
    assert.equal(doc.value.access_token, true);
    assert.equal(JSON.stringify(doc).includes(readJson('cc.json').access_token), false);

    const oauth = await runJson(['connect', demoOauth, '--app', 'app.json', '--fields', 'none.json', '--out', 'x.json']);
    assert.equal(oauth.code, 1);
    assert.equal(oauth.doc.error.code, 'wrong_command');

    const server = http.createServer((req, res) => { res.writeHead(401).end('{"message":"invalid api key"}'); });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      file('key.json', {
        name: 'local_key',
        connection: { fields: [{ name: 'api_key', secret: true }], base_uri: `http://127.0.0.1:${server.address().port}/` },
        authorization: { type: 'api_key', apply: [{ headers: { 'X-API-Key': '{{connection.api_key}}' } }] },
        test: { method: 'GET', url: 'account' },
      });
      file('key-fields.json', { api_key: 'k-wrong-123' });
      const refused = await runJson(['connect', 'key.json', '--app', 'none.json', '--fields', 'key-fields.json', '--out', 'k.json']);
      assert.equal(refused.code, 1);
      assert.equal(refused.doc.error.cause, 'credentials_rejected');
      assert.equal(typeof refused.doc.error.action, 'string');
      assert.equal(refused.stdout.includes('k-wrong-123'), false);
      assert.equal(existsSync(path('k.json')), false);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  test('request --json: a lost and a degraded connection say so with cause and action, exit 1', async () => {
    odd.setDefault('/api/always-401', { status: 401, body: { error: 'invalid_token' } });
    const args = ['request', 'odd.json', '--app', 'odd-app.json', '--connection', 'odd-conn.json', '--method', 'GET', '--url', 'api/always-401'];

    file('odd-conn.json', { access_token: 'old', refresh_token: 'r0' });
    odd.next('token', 'invalid_grant');
    const lost = await runJson(args);
    assert.equal(lost.code, 1);
    assert.equal(lost.doc.error.code, 'connection_lost');
    assert.equal(lost.doc.error.status, 'lost');
    assert.equal(lost.doc.error.cause, 'authorization_revoked');
    assert.match(lost.doc.error.action, /^Reconnect/);

    file('odd-conn.json', { access_token: 'old', refresh_token: 'r0' });
    odd.next('token', 'unavailable');
    const degraded = await runJson(args);
    assert.equal(degraded.code, 1);
    assert.equal(degraded.doc.error.code, 'connection_degraded');
    assert.equal(degraded.doc.error.cause, 'provider_unavailable');

    file('odd-conn.json', { access_token: 'old', refresh_token: 'r0' });
    const refused = await runJson(args);
    assert.equal(refused.code, 1);
    assert.equal(refused.doc.error.code, 'refused_after_refresh');
    assert.equal(refused.doc.value.status, 401);
    assert.equal(refused.doc.value.attempt, 2);
  });
});
