// scripts/connauth authorize / request / connect / token (SPEC §6) run as a
// connector author runs them, against the real demo provider (oidc-provider)
// and API on loopback. The test plays the browser: it reads the `open:` line
// and drives the provider's login and consent pages over HTTP.
import { DEV_DEFAULTS } from '../../edge/dev/defaults.mjs';
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProvider } from '../../demo/provider.mjs';
import { startDemoApi } from '../../demo/api.mjs';
import { startOddProvider } from '../../demo/odd-provider.mjs';
import { completeConsent } from '../../demo/consent.mjs';
import { demoApps } from '../../demo/catalog.mjs';
import { verifySession } from '../../edge/src/session.mjs';
import { startCli, runCli, scratchDir } from './fixtures/cli_process.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'scripts/connauth');
const demoOauth = join(root, 'demo/connectors/demo_oauth.json');
const demoClientCredentials = join(root, 'demo/connectors/demo_client_credentials.json');
const ACCESS_TOKEN_TTL = 2; // seconds: the tests wait out a real expiry

const { dir, path, file, readJson, remove } = scratchDir('connauth-cli-flows-');
after(remove);

// Runs the CLI without blocking this process (the servers live here).
const start = (args, options) => startCli(dir, args, options);
const run = (args, options) => runCli(dir, args, options);

// The first stdout line of a running `authorize`.
async function firstLine(running) {
  while (!running.result.stdout.includes('\n')) {
    if (running.child.exitCode !== null) throw new Error(`authorize exited: ${running.result.stderr}`);
    await sleep(20);
  }
  return running.result.stdout.split('\n')[0];
}

describe('connauth CLI against the demo provider', () => {
  let op;
  let api;
  let app;

  before(async () => {
    op = await startProvider({ accessTokenTTL: ACCESS_TOKEN_TTL });
    api = await startDemoApi({ provider: op });
    app = demoApps({ providerUrl: op.issuer, apiUrl: api.url });
    file('app.json', app.demo_oauth);
    // No refresh buffer: the token is used until the provider refuses it.
    file('app-no-buffer.json', { ...app.demo_oauth, refresh_buffer: 0 });
    file('app-cc.json', app.demo_client_credentials);
  });
  after(async () => {
    await api.stop();
    await op.stop();
  });

  const request = (...extra) => run(['request', demoOauth, '--app', 'app.json', '--connection', 'conn.json', ...extra]);

  test('authorize: prints open: first, takes the redirect on its loopback port, writes CONN.json (0600)', async () => {
    const running = start(['authorize', demoOauth, '--app', 'app.json', '--out', 'conn.json', '--no-open']);
    const line = await firstLine(running);
    assert.match(line, /^open: http:\/\/127\.0\.0\.1:\d+\/auth\?/);
    const url = new URL(line.slice('open: '.length));
    const redirectUri = new URL(url.searchParams.get('redirect_uri'));
    assert.equal(redirectUri.hostname, '127.0.0.1');
    assert.equal(redirectUri.pathname, '/oauth/callback');
    assert.notEqual(redirectUri.port, '');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');

    // The browser: sign in, consent, follow the redirect to the CLI.
    const redirect = await completeConsent(url.href, { login: 'alice' });
    assert.ok(redirect.startsWith(redirectUri.href), redirect);
    const page = await fetch(redirect);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /connected/);

    const { code, stdout, stderr } = await running.done;
    assert.equal(code, 0, stderr);
    const conn = readJson('conn.json');
    assert.deepEqual(Object.keys(conn).sort(), ['$account', 'access_token', 'expires_at', 'refresh_token']);
    assert.equal(statSync(path('conn.json')).mode & 0o777, 0o600);
    assert.match(stdout, /^connected: demo account$/m);
    // Beside the hash, what the connection is for: a later authorize compares with it.
    assert.deepEqual(conn.$account, { identity: 'demo account', owner_id: null, scope: /^granted scope: (.*)$/m.exec(stdout)[1] });
    assert.match(stdout, /^refresh token: yes$/m);
    assert.match(stdout, /^access token: expires .* \(in [0-2] s\)$/m);
    for (const secret of [conn.access_token, conn.refresh_token, 'demo-secret']) {
      assert.equal(stdout.includes(secret) || stderr.includes(secret), false, 'no token or secret is printed');
    }
    assert.deepEqual(op.tokenRequests.at(-1), {
      grant_type: 'authorization_code', client_id: 'demo-client', status: 200, error: undefined,
    });
  });

  test('authorize: the identity from the ID token\'s claims and the granted scope (SPEC §10)', async () => {
    const oidc = JSON.parse(readFileSync(demoOauth, 'utf8'));
    oidc.authorization.scopes = ['openid', 'email', 'contacts:read'];
    oidc.authorization.identity = '{{id_token.email}}';
    file('demo_oidc.json', oidc);
    const running = start(['authorize', 'demo_oidc.json', '--app', 'app.json', '--out', 'oidc.json', '--no-open']);
    const url = (await firstLine(running)).slice('open: '.length);
    await fetch(await completeConsent(url, { login: 'hana' }));
    const { code, stdout, stderr } = await running.done;
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^connected: hana@example\.com$/m);
    const granted = /^granted scope: (.*)$/m.exec(stdout)?.[1];
    assert.deepEqual(granted?.split(' ').sort(), ['contacts:read', 'email', 'openid']);
    assert.deepEqual(Object.keys(readJson('oidc.json')).sort(), ['$account', 'access_token', 'expires_at', 'refresh_token'],
      'the claims are not kept in the connection');
    assert.deepEqual(readJson('oidc.json').$account, { identity: 'hana@example.com', owner_id: null, scope: granted });
  });

  test('authorize again: another account is reported, the same one is not (SPEC §10)', async () => {
    const authorizeAs = async (login) => {
      const running = start(['authorize', 'demo_oidc.json', '--app', 'app.json', '--out', 'oidc.json', '--no-open']);
      await fetch(await completeConsent((await firstLine(running)).slice('open: '.length), { login }));
      return running.done;
    };
    const other = await authorizeAs('ivan');
    assert.equal(other.code, 0, other.stderr);
    assert.match(other.stdout, /^connected: ivan@example\.com$/m);
    assert.match(other.stdout, /^account changed: from hana@example\.com to ivan@example\.com$/m);
    assert.match(other.stderr, /^warning: oidc\.json was a connection of hana@example\.com; it now acts as ivan@example\.com$/m);
    assert.equal(readJson('oidc.json').$account.identity, 'ivan@example.com');

    const same = await authorizeAs('ivan');
    assert.equal(same.code, 0, same.stderr);
    assert.doesNotMatch(same.stdout + same.stderr, /account changed|now acts as/);
  });

  test('request: a real expiry → 401 → one refresh → retry succeeds; new tokens written back', async () => {
    const before = readJson('conn.json');
    // Unknown expiry and no buffer: only the provider's 401 can tell.
    const { expires_at: _ignored, ...withoutExpiry } = before;
    file('conn.json', withoutExpiry);
    await sleep(ACCESS_TOKEN_TTL * 1000 + 300);
    api.resetCounters();
    const refreshes = op.counters.refresh_token ?? 0;

    const r = await run(['request', demoOauth, '--app', 'app-no-buffer.json', '--connection', 'conn.json',
      '--method', 'GET', '--url', 'me']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], 'HTTP 200');
    assert.equal(JSON.parse(r.stdout.split('\n')[1]).id, 'alice');
    assert.match(r.stderr, /refreshed the credentials \(the provider answered HTTP 401.*\); new tokens written to conn\.json/);
    assert.deepEqual(api.requests.map((q) => q.status), [401, 200]);
    assert.equal(op.counters.refresh_token, refreshes + 1);

    const after = readJson('conn.json');
    assert.notEqual(after.access_token, before.access_token);
    assert.notEqual(after.refresh_token, before.refresh_token, 'the rotated refresh token is stored');
    assert.equal(typeof after.expires_at, 'number');
    assert.equal(statSync(path('conn.json')).mode & 0o777, 0o600);
  });

  test('request: an expired token is refreshed before sending (proactive), POST with headers and body', async () => {
    file('conn.json', { ...readJson('conn.json'), expires_at: Math.floor(Date.now() / 1000) - 5 });
    api.resetCounters();
    const r = await request('--method', 'POST', '--url', 'contacts',
      '--header', 'Content-Type: application/json', '--body', '{"name":"Grace Hopper"}');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], 'HTTP 201');
    assert.equal(JSON.parse(r.stdout.split('\n')[1]).name, 'Grace Hopper');
    assert.match(r.stderr, /refreshed the credentials \(the token expires within the refresh buffer\)/);
    assert.deepEqual(api.requests.map((q) => q.status), [201], 'no 401 first: the refresh came before');
    assert.equal(api.lastRequest.headers['content-type'], 'application/json');
    assert.equal(api.lastAuthorization, `Bearer ${readJson('conn.json').access_token}`);
  });

  test('request: concurrent processes needing a refresh make one token request (rotation survives)', async () => {
    file('conn.json', { ...readJson('conn.json'), expires_at: Math.floor(Date.now() / 1000) - 5 });
    const refreshes = op.counters.refresh_token ?? 0;
    // No buffer: once one process has refreshed, the new token is not due again.
    const results = await Promise.all([1, 2, 3].map(() => run(['request', demoOauth, '--app', 'app-no-buffer.json',
      '--connection', 'conn.json', '--method', 'GET', '--url', 'contacts'])));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assert.equal(op.counters.refresh_token, refreshes + 1);
    assert.equal(results.filter((r) => /^refreshed the credentials/m.test(r.stderr)).length, 1);
    assert.equal(existsSync(path('conn.json.lock')), false);
  });

  test('request: an error the provider returns is printed as is, exit 1', async () => {
    const r = await request('--method', 'GET', '--url', 'nothing-here');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'HTTP 404\n{"error":"not_found"}\n');
    assert.match(r.stderr, /answered with an error/);
  });

  test('request: revoked grant → exit 1 with authorization_revoked and the recommended action', async () => {
    const before = readJson('conn.json');
    assert.ok(op.revokeGrant('alice') >= 1);
    const r = await request('--method', 'GET', '--url', 'me');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the connection is lost \(authorization_revoked\)/);
    assert.match(r.stderr, /^cause: authorization_revoked$/m);
    assert.match(r.stderr, /^detail: invalid_grant/m);
    assert.match(r.stderr, /^action: Reconnect with an account that has the needed permissions/m);
    assert.deepEqual(readJson('conn.json'), before, 'nothing is written on a failed refresh');
  });

  test('authorize: access denied exits 1 with the reason; a forged state is ignored until the timeout; nothing is written', async () => {
    const denied = start(['authorize', demoOauth, '--app', 'app.json', '--out', 'denied.json', '--no-open']);
    const redirect = await completeConsent((await firstLine(denied)).slice(6), { deny: true });
    const page = await fetch(redirect);
    assert.equal(page.status, 400);
    assert.match(await page.text(), /access_denied/);
    const d = await denied.done;
    assert.equal(d.code, 1);
    assert.match(d.stderr, /access_denied/);
    assert.match(d.stderr, /^action: /m);
    assert.equal(existsSync(path('denied.json')), false);

    const forged = start(['authorize', demoOauth, '--app', 'app.json', '--out', 'forged.json', '--no-open', '--timeout', '3']);
    const url = new URL((await firstLine(forged)).slice(6));
    const callback = new URL(url.searchParams.get('redirect_uri'));
    // Something else on the port first (a favicon): ignored, still waiting.
    assert.equal((await fetch(new URL('/favicon.ico', callback))).status, 404);
    callback.search = '?code=stolen&state=not-the-state';
    const refused = await fetch(callback);
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /does not belong to this sign-in/);
    // Not the pending state: the CLI keeps waiting (here until its timeout).
    const f = await forged.done;
    assert.equal(f.code, 1);
    assert.match(f.stderr, /did not redirect back within 3 s/);
    assert.equal(existsSync(path('forged.json')), false);
  });

  test('authorize: a timeout is a clear failure; usage errors exit 2', async () => {
    const r = await run(['authorize', demoOauth, '--app', 'app.json', '--out', 'late.json', '--no-open', '--timeout', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^open: /);
    assert.match(r.stderr, /did not redirect back within 1 s; nothing was written/);
    const usage = await run(['authorize', demoOauth, '--out', 'x.json']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--app is required/);
    const port = await run(['authorize', demoOauth, '--app', 'app.json', '--out', 'x.json', '--port', '70000']);
    assert.equal(port.code, 2);
  });

  test('connect: api_key checked by the connector test against a local server; rejected keys exit 1', async () => {
    const server = http.createServer((req, res) => {
      const ok = req.headers['x-api-key'] === 'k-123';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { account: 'acme' } : { message: 'invalid api key' }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      file('key.json', {
        name: 'local_key',
        connection: { fields: [{ name: 'api_key', secret: true }], base_uri: `http://127.0.0.1:${server.address().port}/v1/` },
        authorization: { type: 'api_key', apply: [{ headers: { 'X-API-Key': '{{connection.api_key}}' } }] },
        test: { method: 'GET', url: 'account' },
      });
      file('empty-app.json', { name: 'Local', prompt: 'Connect' });
      file('good-fields.json', { api_key: 'k-123' });
      file('bad-fields.json', { api_key: 'wrong' });

      const good = await run(['connect', 'key.json', '--app', 'empty-app.json', '--fields', 'good-fields.json', '--out', 'key-conn.json']);
      assert.equal(good.code, 0, good.stderr);
      assert.match(good.stdout, /^connected$/m);
      assert.match(good.stderr, /test: GET http:\/\/127\.0\.0\.1:\d+\/v1\/account answered HTTP 200/);
      assert.deepEqual(readJson('key-conn.json'), { api_key: 'k-123' });
      assert.equal(statSync(path('key-conn.json')).mode & 0o777, 0o600);
      assert.equal(good.stdout.includes('k-123'), false);

      const bad = await run(['connect', 'key.json', '--app', 'empty-app.json', '--fields', 'bad-fields.json', '--out', 'bad-conn.json']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^cause: credentials_rejected$/m);
      assert.match(bad.stderr, /^action: Enter new credentials/m);
      assert.equal(existsSync(path('bad-conn.json')), false);

      // multi: the option `selected` picks from a field left to its default.
      file('multi.json', {
        name: 'local_multi',
        connection: {
          fields: [{ name: 'auth_type', default: 'key' }],
          base_uri: `http://127.0.0.1:${server.address().port}/v1/`,
        },
        authorization: {
          type: 'multi',
          options: {
            key: { type: 'api_key', fields: [{ name: 'api_key', secret: true }],
              apply: [{ headers: { 'X-API-Key': '{{connection.api_key}}' } }] },
            password: { type: 'basic_auth', fields: [{ name: 'username' }, { name: 'password', secret: true }] },
          },
        },
        test: { method: 'GET', url: 'account' },
      });
      const multi = await run(['connect', 'multi.json', '--app', 'empty-app.json', '--fields', 'good-fields.json', '--out', 'multi-conn.json']);
      assert.equal(multi.code, 0, multi.stderr);
      assert.deepEqual(readJson('multi-conn.json'), { auth_type: 'key', api_key: 'k-123' });
      file('basic-fields.json', { auth_type: 'password', username: 'u', password: 'p' });
      const basic = await run(['connect', 'multi.json', '--app', 'empty-app.json', '--fields', 'basic-fields.json', '--out', 'x.json']);
      assert.equal(basic.code, 1, 'the basic_auth option sends no key');
      assert.match(basic.stderr, /^cause: credentials_rejected$/m);

      const oauth = await run(['connect', demoOauth, '--app', 'app.json', '--fields', 'good-fields.json', '--out', 'x.json']);
      assert.equal(oauth.code, 1);
      assert.match(oauth.stderr, /use `connauth authorize`/);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  test('connect: a reconnect to another account is reported; CONN.json keeps the account beside the hash (SPEC §10)', async () => {
    // /v1/me and /v1/whoami accept the keys; whoami names the key's account.
    const keys = new Map([['key-a', 'owner-a'], ['key-b', 'owner-b']]);
    const server = http.createServer((req, res) => {
      const owner = keys.get(req.headers['x-api-key']);
      res.writeHead(owner ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(owner ? { login: owner } : { message: 'invalid api key' }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      file('who.json', {
        name: 'local_who',
        connection: { fields: [{ name: 'api_key', secret: true }], base_uri: `http://127.0.0.1:${server.address().port}/v1/` },
        authorization: {
          type: 'api_key', apply: [{ headers: { 'X-API-Key': '{{connection.api_key}}' } }],
          identity: { request: { url: 'whoami' }, value: '{{response.login}}' },
        },
        test: { method: 'GET', url: 'me' },
      });
      file('who-app.json', { name: 'Who', prompt: 'Connect' });
      file('key-a.json', { api_key: 'key-a' });
      file('key-b.json', { api_key: 'key-b' });
      const connect = (fields) => run(['connect', 'who.json', '--app', 'who-app.json', '--fields', fields, '--out', 'who-conn.json']);
      const quiet = (r) => assert.doesNotMatch(r.stdout + r.stderr, /account changed|now acts as/);

      const first = await connect('key-a.json');
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^connected: owner-a$/m);
      quiet(first);
      assert.deepEqual(readJson('who-conn.json'), { api_key: 'key-a', $account: { identity: 'owner-a', owner_id: null, scope: null } });
      const same = await connect('key-a.json');
      assert.equal(same.code, 0, same.stderr);
      quiet(same);

      const other = await connect('key-b.json');
      assert.equal(other.code, 0, other.stderr);
      assert.match(other.stdout, /^connected: owner-b$/m);
      assert.match(other.stdout, /^account changed: from owner-a to owner-b$/m);
      assert.match(other.stderr, /^warning: who-conn\.json was a connection of owner-a; it now acts as owner-b$/m);
      assert.equal(readJson('who-conn.json').$account.identity, 'owner-b');

      // request and apply read the hash; the account is not a connection value.
      const me = await run(['request', 'who.json', '--app', 'who-app.json', '--connection', 'who-conn.json', '--method', 'GET', '--url', 'me']);
      assert.equal(me.code, 0, me.stderr);
      assert.equal(JSON.parse(me.stdout.split('\n')[1]).login, 'owner-b');
      assert.equal(readJson('who-conn.json').$account.identity, 'owner-b', 'a request keeps the account');
      const applied = await run(['apply', 'who.json', '--connection', 'who-conn.json', '--method', 'GET', '--url', 'me']);
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal(JSON.parse(applied.stdout).headers['X-API-Key'], 'key-b');

      // A bare hash (a file from before accounts were kept): nothing to compare with.
      file('who-conn.json', { api_key: 'key-a' });
      const bare = await connect('key-b.json');
      assert.equal(bare.code, 0, bare.stderr);
      quiet(bare);
      assert.equal(readJson('who-conn.json').$account.identity, 'owner-b');

      // A file that is no connection is written over, as before, and said.
      file('who-conn.json', 'not json');
      const junk = await connect('key-a.json');
      assert.equal(junk.code, 0, junk.stderr);
      assert.match(junk.stderr, /^warning: no account to compare with: connection who-conn\.json is not valid JSON/m);
      assert.equal(readJson('who-conn.json').api_key, 'key-a');
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  test('connect and authorize: a multi connector whose `selected` reads its own field (mode)', async () => {
    // Accepts the key in X-API-Key or Basic u:p, and says which it saw.
    const server = http.createServer((req, res) => {
      const by = req.headers['x-api-key'] === 'k-123' ? 'key'
        : req.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}` ? 'basic' : null;
      res.writeHead(by ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(by ? { by } : { message: 'who are you?' }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const demo = JSON.parse(readFileSync(demoOauth, 'utf8'));
      file('mode.json', {
        name: 'local_mode',
        connection: { fields: demo.connection.fields, base_uri: `http://127.0.0.1:${server.address().port}/v1/` },
        authorization: {
          type: 'multi',
          selected: '{{connection.mode}}',
          options: {
            key: { type: 'api_key', fields: [{ name: 'api_key', secret: true }],
              apply: [{ headers: { 'X-API-Key': '{{connection.api_key}}' } }] },
            password: { type: 'basic_auth', fields: [{ name: 'username' }, { name: 'password', secret: true }] },
            sso: demo.authorization,
          },
        },
        test: { method: 'GET', url: 'account' },
      });
      file('mode-key.json', { mode: 'key', api_key: 'k-123' });
      const key = await run(['connect', 'mode.json', '--app', 'app.json', '--fields', 'mode-key.json', '--out', 'mode-key-conn.json']);
      assert.equal(key.code, 0, key.stderr);
      assert.deepEqual(readJson('mode-key-conn.json'), { mode: 'key', api_key: 'k-123' });

      file('mode-basic.json', { mode: 'password', username: 'u', password: 'p' });
      const basic = await run(['connect', 'mode.json', '--app', 'app.json', '--fields', 'mode-basic.json', '--out', 'mode-basic-conn.json']);
      assert.equal(basic.code, 0, basic.stderr);
      const applied = await run(['apply', 'mode.json', '--connection', 'mode-basic-conn.json', '--method', 'GET', '--url', 'account']);
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal(JSON.parse(applied.stdout).headers.Authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);

      // The engine's field checks, as the edge answers them.
      file('mode-bad.json', { mode: 'token', api_key: 'k-123' });
      const bad = await run(['connect', 'mode.json', '--app', 'app.json', '--fields', 'mode-bad.json', '--out', 'x.json']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^error: \/fields\/mode: must be one of key, password, sso$/m);
      file('mode-missing.json', { mode: 'password', username: 'u' });
      const missing = await run(['connect', 'mode.json', '--app', 'app.json', '--fields', 'mode-missing.json', '--out', 'x.json']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^error: \/fields\/password: is required$/m);
      assert.equal(existsSync(path('x.json')), false);

      file('mode-sso.json', { mode: 'sso' });
      const sso = await run(['connect', 'mode.json', '--app', 'app.json', '--fields', 'mode-sso.json', '--out', 'x.json']);
      assert.equal(sso.code, 1);
      assert.match(sso.stderr, /use `connauth authorize`/);
      const notOauth = await run(['authorize', 'mode.json', '--app', 'app.json', '--fields', 'mode-key.json', '--out', 'x.json', '--no-open']);
      assert.equal(notOauth.code, 1);
      assert.match(notOauth.stderr, /this connection is api_key; use `connauth connect`/);

      // The oauth2 option through the browser: the choice starts the hash.
      const running = start(['authorize', 'mode.json', '--app', 'app.json', '--fields', 'mode-sso.json', '--out', 'mode-sso-conn.json', '--no-open']);
      const line = await firstLine(running);
      const redirect = await completeConsent(line.slice('open: '.length), { login: 'alice' });
      await (await fetch(redirect)).text();
      const { code, stderr } = await running.done;
      assert.equal(code, 0, stderr);
      const conn = readJson('mode-sso-conn.json');
      assert.equal(conn.mode, 'sso');
      assert.equal(typeof conn.access_token, 'string');
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  test('connect: custom_auth client credentials (acquire, then the test), then request with it', async () => {
    file('none.json', {});
    const r = await run(['connect', demoClientCredentials, '--app', 'app-cc.json', '--fields', 'none.json', '--out', 'cc.json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /acquire: POST http:\/\/127\.0\.0\.1:\d+ answered HTTP 200/);
    assert.equal(typeof readJson('cc.json').access_token, 'string');
    const me = await run(['request', demoClientCredentials, '--app', 'app-cc.json', '--connection', 'cc.json', '--method', 'GET', '--url', 'me']);
    assert.equal(me.code, 0, me.stderr);
    assert.equal(JSON.parse(me.stdout.split('\n')[1]).id, 'demo-client-basic');
  });

  test('token: signed with SESSION_SECRET (or the dev default), verified by the edge', async () => {
    const secret = 'a-test-session-secret-of-at-least-32-chars';
    const r = await run(['token', '--org', 'acme', '--user', 'u1', '--role', 'admin', '--ttl', '120'], { env: { SESSION_SECRET: secret } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const jwt = r.stdout.trim();
    const bearer = new Request('http://x/', { headers: { authorization: `Bearer ${jwt}` } });
    const verified = await verifySession(bearer, secret);
    assert.deepEqual(verified, { ok: true, value: { sub: 'u1', org: 'acme', role: 'admin' } });
    const exp = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url')).exp;
    assert.ok(Math.abs(exp - (Math.floor(Date.now() / 1000) + 120)) <= 2);
    assert.equal((await verifySession(bearer, `${secret}-other`)).ok, false);

    const dev = await run(['token', '--org', 'acme', '--user', 'u2', '--role', 'member'], { env: { SESSION_SECRET: '' } });
    assert.equal(dev.code, 0);
    assert.match(dev.stderr, /development default/);
    const devBearer = new Request('http://x/', { headers: { authorization: `Bearer ${dev.stdout.trim()}` } });
    assert.equal((await verifySession(devBearer, DEV_DEFAULTS.SESSION_SECRET)).value.role, 'member');

    assert.equal((await run(['token', '--org', 'acme', '--user', 'u', '--role', 'owner'])).code, 2);
    assert.equal((await run(['token', '--org', 'acme', '--role', 'admin'])).code, 2);
    const short = await run(['token', '--org', 'acme', '--user', 'u', '--role', 'admin'], { env: { SESSION_SECRET: 'short' } });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 32 characters/);
  });
});

describe('connauth request: refusals after a fresh token (odd provider)', () => {
  let odd;
  before(async () => {
    odd = await startOddProvider();
    const connector = (testUrl) => ({
      name: 'odd',
      connection: { base_uri: `${odd.url}/` },
      authorization: { type: 'oauth2', authorization_url: `${odd.url}/authorize`, token_url: `${odd.url}/token`, refresh_on: [401] },
      test: { method: 'GET', url: testUrl },
    });
    file('odd.json', connector('api/current'));
    file('odd-dead.json', connector('api/always-401'));
    file('odd-app.json', { name: 'Odd', prompt: 'Connect', client_id: 'c', client_secret: 's', refresh_buffer: 0 });
  });
  after(() => odd.stop());
  beforeEach(() => {
    odd.clear();
    odd.setDefault('/api/always-401', { status: 401, body: { error: 'invalid_token' } });
  });

  const oddRequest = (connector) => run(['request', connector, '--app', 'odd-app.json', '--connection', 'odd-conn.json',
    '--method', 'GET', '--url', 'api/always-401']);

  test('refused again after a refresh: the retry\'s answer is final, exit 1, this request only', async () => {
    file('odd-conn.json', { access_token: 'old', refresh_token: 'r0' });
    const r = await oddRequest('odd.json');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'HTTP 401\n{"error":"invalid_token"}\n');
    assert.match(r.stderr, /refused again after a token refresh .*may lack the permission or scope/);
    assert.doesNotMatch(r.stderr, /the connection is lost/);
    assert.equal(odd.requestsTo('token').length, 1, 'one refresh');
    assert.deepEqual(odd.requestsTo('/api/always-401').length, 2);
    assert.equal(odd.requestsTo('/api/current').length, 0, 'no test runs to diagnose a refused retry');
    assert.equal(readJson('odd-conn.json').access_token, odd.latestAccessToken);
  });

  test('a refresh that grants a narrower scope updates the file\'s; one without scope keeps it (RFC 6749 §6, §5.1)', async () => {
    const account = { identity: 'me@odd.example', owner_id: null, scope: 'read write' };
    file('odd-conn.json', { access_token: 'old', refresh_token: 'r0', $account: account });
    const current = () => run(['request', 'odd.json', '--app', 'odd-app.json', '--connection', 'odd-conn.json',
      '--method', 'GET', '--url', 'api/current']);
    // The odd provider's token answers carry scope "read".
    const narrowed = await current();
    assert.equal(narrowed.code, 0, narrowed.stderr);
    assert.match(narrowed.stderr, /^granted scope now: read \(was: read write\)$/m);
    assert.equal(odd.requestsTo('token')[0].form.scope, undefined, 'the refresh asks for no scope');
    assert.equal(readJson('odd-conn.json').access_token, odd.latestAccessToken);
    assert.deepEqual(readJson('odd-conn.json').$account, { ...account, scope: 'read' });

    await fetch(`${odd.url}/token`, { method: 'POST' }); // another token: the file's goes stale
    odd.next('token', { preset: 'ok', omit: ['scope'] });
    const unchanged = await current();
    assert.equal(unchanged.code, 0, unchanged.stderr);
    assert.match(unchanged.stderr, /^refreshed the credentials/m);
    assert.doesNotMatch(unchanged.stderr, /granted scope/);
    assert.equal(readJson('odd-conn.json').access_token, odd.latestAccessToken);
    assert.deepEqual(readJson('odd-conn.json').$account, { ...account, scope: 'read' });
  });

  test('a refresh the provider refuses loses the connection: lost / authorization_revoked', async () => {
    file('odd-conn.json', { access_token: 'old', refresh_token: 'r0' });
    odd.next('token', 'invalid_grant');
    const r = await oddRequest('odd-dead.json');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the connection is lost \(authorization_revoked\)/);
    assert.match(r.stderr, /^action: Reconnect/m);
    assert.equal(odd.requestsTo('token').length, 1);
  });

  test('a lock left by a process that died is broken at once', async () => {
    file('odd-conn.json', { access_token: 'old', refresh_token: 'r0' });
    const dead = spawn(process.execPath, ['-e', '0']);
    await once(dead, 'close');
    file('odd-conn.json.lock', `${dead.pid}\n`);
    const r = await oddRequest('odd.json');
    assert.match(r.stderr, /^refreshed the credentials/m);
    assert.equal(existsSync(path('odd-conn.json.lock')), false);
  });

  test('the token endpoint down: degraded / provider_unavailable, exit 1, the connection file untouched', async () => {
    file('odd-conn.json', { access_token: 'old', refresh_token: 'r0' });
    odd.next('token', 'unavailable');
    const r = await oddRequest('odd.json');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the connection is degraded \(provider_unavailable\)/);
    assert.match(r.stderr, /^action: Wait/m);
    assert.deepEqual(readJson('odd-conn.json'), { access_token: 'old', refresh_token: 'r0' });
  });

  test('APP.json lost_after_failures: 1 makes the same outage lose the connection', async () => {
    file('odd-conn.json', { access_token: 'old', refresh_token: 'r0' });
    file('odd-app-strict.json', { name: 'Odd', prompt: 'Connect', client_id: 'c', client_secret: 's', refresh_buffer: 0, lost_after_failures: 1 });
    odd.next('token', 'unavailable');
    const r = await run(['request', 'odd.json', '--app', 'odd-app-strict.json', '--connection', 'odd-conn.json',
      '--method', 'GET', '--url', 'api/always-401']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the connection is lost \(provider_unavailable\)/);
  });

  test('an invalid lifecycle policy in APP.json is named at its path; nothing is sent', async () => {
    file('odd-conn.json', { access_token: 'old', refresh_token: 'r0' });
    file('odd-app-bad.json', { name: 'Odd', client_id: 'c', lost_after_failures: 0, backoff_cap_seconds: 'soon' });
    const r = await run(['request', 'odd.json', '--app', 'odd-app-bad.json', '--connection', 'odd-conn.json',
      '--method', 'GET', '--url', 'api/always-401']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: \/lost_after_failures: must be an integer from 1 to 1000$/m);
    assert.match(r.stderr, /^error: \/backoff_cap_seconds: must be an integer from 1 to 604800$/m);
    assert.equal(odd.requests.length, 0);
  });
});
