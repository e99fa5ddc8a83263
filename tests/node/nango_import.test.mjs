// `scripts/connauth import --from nango` run as a user runs it: a catalog in
// Nango's providers.yaml format becomes connectors the engine validates and
// applies, and a report names every entry and key that did not map. The last
// part imports entries that point at the real demo provider (oidc-provider)
// and connects with the imported connectors.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProvider } from '../../demo/provider.mjs';
import { startDemoApi } from '../../demo/api.mjs';
import { completeConsent } from '../../demo/consent.mjs';
import { demoApps } from '../../demo/catalog.mjs';
import { runCli } from './fixtures/cli_process.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'scripts/connauth');
const catalog = join(root, 'tests/node/fixtures/nango/providers.yaml');
const dir = mkdtempSync(join(tmpdir(), 'connauth-nango-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args) {
  const r = spawnSync(cli, args, { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function file(name, value) {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}
// For the CLI talking to servers that live in this process.
const runAsync = (...args) => runCli(dir, args);
const connector = (out, name) => JSON.parse(readFileSync(join(dir, out, `${name}.json`), 'utf8'));

const IMPORTED = ['acme-crm', 'beacon', 'ledgerly', 'ledgerly-eu', 'meterly', 'plainbasic', 'quoteworks', 'stackbin', 'tweeter'];

describe('import --from nango: the fixture catalog', () => {
  let report;
  before(() => {
    const r = run('import', '--from', 'nango', catalog, '--out', 'out', '--json');
    assert.equal(r.code, 0, r.stderr);
    const document = JSON.parse(r.stdout);
    assert.equal(document.ok, true);
    report = document.value;
  });

  test('writes one connector per mappable entry, and each validates', () => {
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), IMPORTED.map((n) => `${n}.json`).sort());
    assert.deepEqual(report.imported.map((i) => i.entry).sort(), IMPORTED);
    for (const name of IMPORTED) {
      const r = run('validate', join(dir, 'out', `${name}.json`));
      assert.equal(r.code, 0, `${name}: ${r.stdout}`);
      assert.match(r.stdout, new RegExp(`^ok: ${name} \\(`));
    }
  });

  test('the report lists exactly the entries that were not imported, with why and where', () => {
    const skipped = Object.fromEntries(report.skipped.map((s) => [s.pointer, s]));
    assert.deepEqual(Object.keys(skipped).sort(), [
      '/9lives', '/clockwork/proxy/headers/x-signature', '/hexagon/authorization_url_replacements',
      '/keyless/proxy', '/phantom/alias', '/relay/auth_mode', '/schemeless',
    ]);
    assert.match(skipped['/relay/auth_mode'].reason, /auth_mode TWO_STEP has no connauth mapping/);
    assert.match(skipped['/hexagon/authorization_url_replacements'].reason, /standard authorization parameters/);
    assert.match(skipped['/9lives'].reason, /not a connector name/);
    assert.match(skipped['/keyless/proxy'].reason, /where the API key goes/);
    assert.match(skipped['/clockwork/proxy/headers/x-signature'].reason, /\$\{hmacSha1Hex\(.* no template equivalent/);
    assert.match(skipped['/phantom/alias'].reason, /alias "nowhere" is not an entry/);
    // Mapped, but the engine's validator refuses it: reported, not written.
    assert.match(skipped['/schemeless'].reason, /does not validate: \/authorization\/authorization_url: must be an absolute URL/);
    const lines = readFileSync(catalog, 'utf8').split('\n');
    assert.match(lines[skipped['/relay/auth_mode'].line - 1], /^\s+auth_mode: TWO_STEP/);
    assert.match(lines[skipped['/9lives'].line - 1], /^9lives:/);
  });

  test('the report lists exactly the keys that did not map, and notes the ignored ones', () => {
    assert.deepEqual(report.unmapped.map((u) => u.pointer).sort(), [
      '/acme-crm/authorization_params/scope',
      '/ledgerly-eu/authorization_params/nonce', '/ledgerly-eu/authorization_url_skip_encode', '/ledgerly-eu/frobnicate',
      '/ledgerly/authorization_params/nonce', '/ledgerly/authorization_url_skip_encode', '/ledgerly/frobnicate',
      '/tweeter/request_url',
    ]);
    const reason = (pointer) => report.unmapped.find((u) => u.pointer === pointer).reason;
    assert.match(reason('/acme-crm/authorization_params/scope'), /engine sets scope itself/);
    assert.match(reason('/ledgerly/authorization_params/nonce'), /\$\{random\} has no connauth equivalent/);
    assert.match(reason('/ledgerly/frobnicate'), /not mapped for auth_mode OAUTH2/);
    assert.match(reason('/tweeter/request_url'), /OAuth 1\.0a redirect flow/);
    // An alias's inherited keys point at the lines of the entry it names.
    const lines = readFileSync(catalog, 'utf8').split('\n');
    assert.match(lines[report.unmapped.find((u) => u.pointer === '/ledgerly-eu/frobnicate').line - 1], /^\s+frobnicate: true/);
    assert.deepEqual(report.notes.map((n) => n.pointer).sort(),
      ['/acme-crm/proxy/paginate', '/acme-crm/proxy/retry', '/acme-crm/webhook_routing_script']);
    for (const n of report.notes) assert.match(n.reason, /^ignored: /);
  });

  test('OAUTH2: URLs, parameters, scopes, client auth, PKCE, refresh_url, fields, base_uri and test', () => {
    const c = connector('out', 'acme-crm');
    assert.equal(c.title, 'Acme CRM');
    assert.equal(c.documentation, 'https://docs.acme.example/connect');
    assert.deepEqual(c.connection, {
      fields: [
        { name: 'subdomain', label: 'Acme subdomain', hint: 'The part before .acme.example in your Acme address' },
        { name: 'account_id', label: 'accountId', optional: true },
      ],
      base_uri: 'https://{{connection.subdomain}}.acme.example/api/',
    });
    assert.deepEqual(c.authorization, {
      type: 'oauth2',
      authorization_url: 'https://{{connection.subdomain}}.acme.example/oauth/authorize',
      token_url: 'https://{{connection.subdomain}}.acme.example/oauth/token',
      scope_separator: ',',
      scopes: ['contacts.read', 'offline_access'],
      authorization_params: { access_type: 'offline' },
      token_params: { audience: 'crm-api' },
      pkce: false,
      client_auth: 'basic',
      refresh: {
        request: {
          method: 'POST', url: 'https://{{connection.subdomain}}.acme.example/oauth/refresh', headers: { Accept: 'application/json' },
          basic: { username: '{{client_id}}', password: '{{client_secret}}' },
          form: { grant_type: 'refresh_token', refresh_token: '{{refresh_token}}', audience: 'crm-api' },
        },
      },
      apply: [{ headers: { Authorization: 'Bearer {{access_token}}', 'x-api-version': '2024-01' } }],
    });
    assert.deepEqual(c.test, { url: 'me' });
  });

  test('OAUTH2: token_response_metadata, a "||" fallback, body_format json and an alias', () => {
    const c = connector('out', 'ledgerly');
    const host = 'https://{{connection.hostname | default: "login.ledgerly.example"}}';
    assert.equal(c.authorization.authorization_url, `${host}/oauth2/authorize`);
    assert.equal(c.authorization.token_url, `${host}/oauth2/token`);
    assert.equal(c.authorization.token_format, 'json');
    assert.deepEqual(c.authorization.acquire.merge, { instance_url: '{{response.instance_url | default: ""}}' });
    assert.deepEqual(c.authorization.acquire.request.json, {
      grant_type: 'authorization_code', code: '{{code}}', redirect_uri: '{{redirect_uri}}', code_verifier: '{{verifier}}',
      client_id: '{{client_id}}', client_secret: '{{client_secret}}',
    });
    // instance_url comes from the token response, so nobody is asked for it.
    assert.deepEqual(c.connection.fields.map((f) => f.name), ['hostname']);
    assert.equal(c.connection.fields[0].optional, true);
    assert.equal(c.connection.base_uri, '{{connection.instance_url}}/');
    const eu = connector('out', 'ledgerly-eu');
    assert.equal(eu.title, 'Ledgerly (EU)');
    assert.equal(eu.documentation, 'https://docs.ledgerly.example/eu');
    assert.deepEqual(eu.authorization, c.authorization);
  });

  test('OAUTH2_CC: custom_auth acquiring with the client credentials grant', () => {
    const c = connector('out', 'beacon');
    assert.deepEqual(c.connection.fields, [
      { name: 'audience', label: 'API audience', default: 'beacon-api', hint: 'The audience your Beacon client was created for' },
      { name: 'client_id', label: 'Beacon client ID', hint: 'From the Beacon developer console' },
      { name: 'client_secret', label: 'Beacon client secret', secret: true },
    ]);
    assert.equal(c.authorization.type, 'custom_auth');
    assert.deepEqual(c.authorization.acquire.request, {
      method: 'POST', url: 'https://auth.beacon.example/oauth/token', headers: { Accept: 'application/json' },
      basic: { username: '{{connection.client_id}}', password: '{{connection.client_secret}}' },
      form: { grant_type: 'client_credentials', scope: 'read write', audience: '{{connection.audience}}' },
    });
    assert.deepEqual(c.authorization.apply, [{ headers: { Authorization: 'Bearer {{access_token}}' } }]);
  });

  // The engine applies what was imported: the credentials land where Nango's proxy put them.
  const apply = (name, connection, url) => {
    const r = run('apply', join(dir, 'out', `${name}.json`), '--connection', file(`${name}-conn.json`, connection),
      '--app', file('app.json', { client_id: 'ck', client_secret: 'cs' }), '--method', 'GET', '--url', url);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  test('API_KEY: the key in a header or in the query', () => {
    assert.equal(connector('out', 'meterly').connection.fields[0].secret, true);
    assert.equal(apply('meterly', { api_key: 'k-123' }, 'v1/things').headers.authorization, 'Bearer k-123');
    assert.equal(apply('quoteworks', { api_key: 'k 4' }, 'quotes').url, 'https://quoteworks.example/api/quotes?api_key=k+4');
  });

  test('BASIC: the default rule, or basic plus the proxy headers (an optional password sent empty)', () => {
    const plain = connector('out', 'plainbasic');
    assert.deepEqual(plain.authorization, { type: 'basic_auth' });
    assert.deepEqual(plain.connection.fields.map((f) => f.name), ['username', 'password']);
    assert.equal(apply('plainbasic', { username: 'u', password: 'p' }, 'x').headers.Authorization,
      `Basic ${Buffer.from('u:p').toString('base64')}`);
    const stack = apply('stackbin', { region: 'eu', username: 'tok' }, 'items');
    assert.equal(stack.url, 'https://eu.stackbin.example/items');
    assert.equal(stack.headers.Authorization, `Basic ${Buffer.from('tok:').toString('base64')}`);
    assert.equal(stack.headers['x-client'], 'connauth');
  });

  test('OAUTH1: requests signed with the app as consumer and the connection\'s token', () => {
    const signed = apply('tweeter', { oauth_token: 'tok', oauth_token_secret: 'ts' }, '1.1/statuses?count=2');
    assert.equal(signed.url, 'https://api.tweeter.example/1.1/statuses?count=2');
    const header = signed.headers.Authorization;
    assert.match(header, /^OAuth /);
    assert.match(header, /oauth_consumer_key="ck"/);
    assert.match(header, /oauth_token="tok"/);
    assert.match(header, /oauth_signature_method="HMAC-SHA1"/);
  });

  test('the text report: a summary line, then each section with pointer and line', () => {
    const r = run('import', '--from', 'nango', catalog, '--out', 'text-out');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `imported 9 of 16 entries from ${catalog} into text-out`);
    assert.ok(lines.includes('not imported:'));
    assert.ok(lines.includes('not mapped (the connector was written without them):'));
    assert.ok(lines.includes('notes:'));
    assert.ok(lines.some((l) => /^ {2}\/relay\/auth_mode \(line \d+\): auth_mode TWO_STEP/.test(l)), r.stdout);
    assert.ok(lines.some((l) => /^ {2}\/ledgerly-eu\/frobnicate \(line \d+ of ledgerly\): /.test(l)), r.stdout);
    assert.equal(readdirSync(join(dir, 'text-out')).length, 9);
  });
});

describe('import --from nango: bad input and usage', () => {
  test('YAML that does not parse: exit 1 and the line', () => {
    const bad = file('bad.yaml', 'good:\n    auth_mode: API_KEY\nbroken:\n    auth_mode: [OAUTH2\n    token_url: x\n');
    const r = run('import', '--from', 'nango', bad, '--out', 'bad-out');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^connauth import: cannot parse .*bad\.yaml: line \d+, column \d+: /);
    assert.equal(r.stdout, '');
  });

  test('an entry listed twice, and a file that is not a mapping: exit 1 with the line', () => {
    const twice = run('import', '--from', 'nango', file('twice.yaml', 'a:\n    auth_mode: BASIC\na:\n    auth_mode: BASIC\n'), '--out', 'o');
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /twice\.yaml: line 3, column 1: Map keys must be unique/);
    const list = run('import', '--from', 'nango', file('list.yaml', '\n- a\n- b\n'), '--out', 'o');
    assert.equal(list.code, 1);
    assert.match(list.stderr, /list\.yaml: line 2: expected a mapping of provider names to providers/);
  });

  test('entries of the wrong shape are reported, never a crash', () => {
    const odd = file('odd.yaml', [
      'listed:', '    auth_mode: [OAUTH2]',
      'number: 17',
      'loop-a:', '    alias: loop-b',
      'loop-b:', '    alias: loop-a',
      'typed:', '    auth_mode: OAUTH2', '    authorization_url: https://typed.example/a', '    token_url: https://typed.example/t',
      '    default_scopes: {a: 1}', '    scope_separator: null', '    refresh_params: 5', '    token_response_metadata: instance_url',
      '    connection_config: [x]', '    proxy:', '        headers: [a]',
      'typed-ok:', '    auth_mode: OAUTH2', '    authorization_url: https://typed.example/a', '    token_url: https://typed.example/t',
      '    default_scopes: {a: 1}', '    scope_separator: null', '    refresh_params: 5', '    token_response_metadata: instance_url',
      '    connection_config: [x]', '',
    ].join('\n'));
    const r = run('import', '--from', 'nango', odd, '--out', 'odd-out', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const report = JSON.parse(r.stdout).value;
    assert.deepEqual(Object.fromEntries(report.skipped.map((s) => [s.pointer, s.reason])), {
      '/listed/auth_mode': 'auth_mode ["OAUTH2"] has no connauth mapping (mapped: OAUTH2, OAUTH2_CC, API_KEY, BASIC, OAUTH1)',
      '/number': 'expected a mapping of provider keys',
      '/loop-a/alias': 'alias loop: loop-a -> loop-b -> loop-a',
      '/loop-b/alias': 'alias loop: loop-b -> loop-a -> loop-b',
      '/typed/proxy/headers': 'expected a mapping',
    });
    assert.deepEqual(report.imported.map((i) => i.entry), ['typed-ok']);
    assert.deepEqual(report.unmapped.map((u) => u.pointer).sort(), ['/typed-ok/connection_config', '/typed-ok/default_scopes',
      '/typed-ok/refresh_params', '/typed-ok/scope_separator', '/typed-ok/token_response_metadata']);
  });

  test('YAML aliases that expand without bound ("billion laughs"): exit 1 with the line, no hang', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const r = run('import', '--from', 'nango', file('laughs.yaml', lines.join('\n') + '\n'), '--out', 'o');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^connauth import: cannot parse .*laughs\.yaml: line 2: YAML aliases expand to too many nodes/);
  });

  test('a file that cannot be read: exit 1', () => {
    const r = run('import', '--from', 'nango', join(dir, 'nope.yaml'), '--out', 'o');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read catalog .*nope\.yaml: no such file/);
  });

  test('wrong usage: exit 2 with the usage line', () => {
    for (const args of [
      ['--from', 'nango', catalog],
      ['--out', 'o', catalog],
      ['--from', 'zapier', catalog, '--out', 'o'],
      ['--from', 'nango', '--out', 'o'],
      ['--from', 'nango', catalog, catalog, '--out', 'o'],
      ['--from', 'nango', catalog, '--out', 'o', '--verbose'],
    ]) {
      const r = run('import', ...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /usage: connauth import --from nango PROVIDERS\.yaml --out DIR \[--json\]/);
    }
    assert.match(run('--help').stdout, /connauth import --from nango PROVIDERS\.yaml --out DIR/);
  });
});

describe('import --from nango: imported connectors against the demo provider', () => {
  let op;
  let api;
  let apps;
  before(async () => {
    op = await startProvider();
    api = await startDemoApi({ provider: op });
    apps = demoApps({ providerUrl: op.issuer, apiUrl: api.url });
    // The demo servers' ports are chosen at run time, so their URLs are
    // connection config the app sets for everyone (settings).
    file('demo.yaml', `
demo-crm:
    display_name: Demo CRM
    auth_mode: OAUTH2
    authorization_url: \${connectionConfig.providerUrl}/auth
    token_url: \${connectionConfig.providerUrl}/token
    refresh_url: \${connectionConfig.providerUrl}/token
    default_scopes: [openid, offline_access, 'contacts:read']
    authorization_params:
        response_type: code
    token_params:
        grant_type: authorization_code
    token_response_metadata:
        - token_type
    proxy:
        base_url: \${connectionConfig.apiUrl}/api
        verification:
            method: GET
            endpoints: [/me]
    docs: https://demo.example/crm
demo-service:
    display_name: Demo CRM (service account)
    auth_mode: OAUTH2_CC
    token_url: \${connectionConfig.providerUrl}/token
    token_request_auth_method: basic
    default_scopes: ['contacts:read']
    proxy:
        base_url: \${connectionConfig.apiUrl}/api
        verification:
            method: GET
            endpoints: [/me]
    docs: https://demo.example/service
`);
    const r = run('import', '--from', 'nango', join(dir, 'demo.yaml'), '--out', 'demo');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^imported 2 of 2 entries/);
  });
  after(async () => {
    await api.stop();
    await op.stop();
  });

  const settings = () => ({ provider_url: op.issuer, api_url: api.url });

  test('OAUTH2: authorize through the consent page, keep token_response_metadata, call the API', async () => {
    file('app-oauth.json', { ...apps.demo_oauth, scopes: undefined, settings: settings() });
    const child = spawn(cli, ['authorize', join(dir, 'demo', 'demo-crm.json'), '--app', 'app-oauth.json', '--out', 'crm.json', '--no-open'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const done = once(child, 'close');
    while (!stdout.includes('\n')) {
      assert.equal(child.exitCode, null, stderr);
      await sleep(20);
    }
    const url = new URL(stdout.split('\n')[0].slice('open: '.length));
    assert.equal(url.searchParams.get('scope'), 'openid offline_access contacts:read');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    const page = await fetch(await completeConsent(url.href, { login: 'ada' }));
    assert.equal(page.status, 200);
    const [code] = await done;
    assert.equal(code, 0, stderr);
    const conn = JSON.parse(readFileSync(join(dir, 'crm.json'), 'utf8'));
    assert.equal(conn.token_type, 'Bearer', 'the token response value the entry keeps');
    assert.equal(typeof conn.refresh_token, 'string');
    const me = await runAsync('request', join(dir, 'demo', 'demo-crm.json'), '--app', 'app-oauth.json', '--connection', 'crm.json',
      '--method', 'GET', '--url', 'me');
    assert.equal(me.code, 0, me.stderr);
    assert.match(me.stdout, /^HTTP 200\n/);
  });

  test('OAUTH2: refresh_url\'s refresh step gets new tokens from the provider', async () => {
    const before = JSON.parse(readFileSync(join(dir, 'crm.json'), 'utf8'));
    file('crm.json', { ...before, expires_at: Math.floor(Date.now() / 1000) - 5 });
    const refreshes = op.counters.refresh_token ?? 0;
    const me = await runAsync('request', join(dir, 'demo', 'demo-crm.json'), '--app', 'app-oauth.json', '--connection', 'crm.json',
      '--method', 'GET', '--url', 'me');
    assert.equal(me.code, 0, me.stderr);
    assert.match(me.stdout, /^HTTP 200\n/);
    assert.match(me.stderr, /refreshed the credentials/);
    assert.equal(op.counters.refresh_token, refreshes + 1);
    const after = JSON.parse(readFileSync(join(dir, 'crm.json'), 'utf8'));
    assert.notEqual(after.access_token, before.access_token);
    assert.equal(after.token_type, 'Bearer', 'merged values stay in the connection');
  });

  test('OAUTH2_CC: connect with the client credentials grant and Basic client authentication', async () => {
    file('app-cc.json', { settings: settings() });
    file('cc-fields.json', { client_id: apps.demo_client_credentials.client_id, client_secret: apps.demo_client_credentials.client_secret });
    const r = await runAsync('connect', join(dir, 'demo', 'demo-service.json'), '--app', 'app-cc.json', '--fields', 'cc-fields.json', '--out', 'cc.json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /acquire: POST http:\/\/127\.0\.0\.1:\d+ answered HTTP 200/);
    const me = await runAsync('request', join(dir, 'demo', 'demo-service.json'), '--app', 'app-cc.json', '--connection', 'cc.json',
      '--method', 'GET', '--url', 'me');
    assert.equal(me.code, 0, me.stderr);
    assert.equal(JSON.parse(me.stdout.split('\n')[1]).id, apps.demo_client_credentials.client_id);
  });
});
