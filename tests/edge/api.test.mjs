// The edge service's management API in real workerd (miniflare) with the
// real engine: sessions and roles, connectors and their versions, apps and
// their write-only secrets, org isolation, limits and hostile input.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, session, signJwt, apiKeyConnector } from './fixtures/edge_harness.mjs';

const edge = await startEdge();
after(() => edge.dispose());
const { api } = edge;

const admin = await session('org-a', 'alice', 'admin');
const member = await session('org-a', 'bob', 'member');
const otherAdmin = await session('org-b', 'mallory', 'admin');
const otherMember = await session('org-b', 'eve', 'member');

const CLIENT_SECRET = 'client-secret-never-returned-7f3a';
const SECRET_SETTING = 'app-level-secret-setting-91bc';
const responses = []; // every API body, checked for secrets at the end
async function call(...args) {
  const r = await api(...args);
  responses.push(r.text);
  return r;
}

const appBody = (overrides = {}) => ({
  name: 'Acme CRM', description: 'Sales data', prompt: 'Connect your Acme account', connector: 'acme',
  client_id: 'acme-client', client_secret: CLIENT_SECRET, scopes: ['read', 'write'], ...overrides,
});

describe('sessions and roles', () => {
  test('no token, garbage, wrong secret, expired, alg none, bad claims → 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases = {
      none: undefined,
      garbage: 'not-a-jwt',
      wrongSecret: await signJwt({ sub: 'a', org: 'org-a', role: 'admin', exp: now + 600 }, { secret: 'another-secret-another-secret-another' }),
      expired: await signJwt({ sub: 'a', org: 'org-a', role: 'admin', exp: now - 3600 }),
      noExp: await signJwt({ sub: 'a', org: 'org-a', role: 'admin' }),
      badRole: await signJwt({ sub: 'a', org: 'org-a', role: 'owner', exp: now + 600 }),
      noOrg: await signJwt({ sub: 'a', role: 'admin', exp: now + 600 }),
      algNone: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'a', org: 'org-a', role: 'admin', exp: now + 600 })).toString('base64url')}.`,
      algHs512: await signJwt({ sub: 'a', org: 'org-a', role: 'admin', exp: now + 600 }, { header: { alg: 'HS512' } }),
      notYet: await signJwt({ sub: 'a', org: 'org-a', role: 'admin', exp: now + 600, nbf: now + 500 }),
    };
    for (const [name, token] of Object.entries(cases)) {
      const r = await call('GET', '/api/apps', { token });
      assert.equal(r.status, 401, name);
      assert.equal(r.data.error, 'unauthorized', name);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    }
  });

  test('a member cannot manage connectors or apps (403)', async () => {
    assert.equal((await call('PUT', '/api/connectors/acme', { token: member, json: apiKeyConnector() })).status, 403);
    assert.equal((await call('GET', '/api/connectors/acme', { token: member })).status, 403);
    const r = await call('POST', '/api/apps', { token: member, json: appBody() });
    assert.equal(r.status, 403);
    assert.equal(r.data.error, 'forbidden');
  });

  test('unknown route → 404, wrong method → 405 with Allow, / is a page', async () => {
    const missing = await call('GET', '/api/nothing', { token: admin });
    assert.equal(missing.status, 404);
    assert.deepEqual(Object.keys(missing.data).sort(), ['detail', 'error', 'message', 'status', 'title', 'type']);
    assert.equal(missing.data.error, 'not_found');
    const wrong = await call('POST', '/api/apps/abc', { token: admin, json: {} });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.data.error, 'method_not_allowed');
    assert.match(wrong.headers.get('allow'), /GET/);
    const page = await api('GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /text\/html/);
    assert.match(page.text, /<connauth-console>/, 'the admin console');
    const script = /<script type="module" src="([^"]+)"/.exec(page.text)[1];
    const asset = await api('GET', script);
    assert.equal(asset.status, 200, `${script} is served`);
    assert.match(asset.headers.get('content-type'), /javascript/);
  });
});

describe('connectors', () => {
  test('PUT makes versions, GET lists them, rollback restores as a new version', async () => {
    const v1 = await call('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector() });
    assert.equal(v1.status, 201);
    // The key is a secret field an apply rule sends: named (docs/security.md).
    const applied = [{ field: 'api_key', path: '/authorization/apply/0/headers/X-Api-Key' }];
    assert.deepEqual(v1.data, { name: 'acme', version: 1, secret_fields_applied: applied });
    const v2 = await call('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector({ title: 'Acme v2' }) });
    assert.deepEqual(v2.data, { name: 'acme', version: 2, secret_fields_applied: applied });

    const current = await call('GET', '/api/connectors/acme', { token: admin });
    assert.equal(current.status, 200);
    assert.equal(current.data.version, 2);
    assert.equal(current.data.definition.title, 'Acme v2');
    assert.deepEqual(current.data.versions.map((v) => v.version), [1, 2]);
    assert.equal(current.data.versions[0].created_by, 'alice');
    assert.equal(current.data.summary.type, 'api_key');

    const old = await call('GET', '/api/connectors/acme?version=1', { token: admin });
    assert.equal(old.data.definition.title, 'Acme CRM');

    const rolled = await call('POST', '/api/connectors/acme/rollback', { token: admin, json: { version: 1 } });
    assert.equal(rolled.status, 201);
    assert.equal(rolled.data.version, 3);
    const after = await call('GET', '/api/connectors/acme', { token: admin });
    assert.equal(after.data.version, 3);
    assert.equal(after.data.definition.title, 'Acme CRM');
    assert.equal(after.data.versions[2].restored_from, 1);

    assert.equal((await call('POST', '/api/connectors/acme/rollback', { token: admin, json: { version: 99 } })).status, 404);
    assert.equal((await call('POST', '/api/connectors/acme/rollback', { token: admin, json: { version: 'x' } })).status, 400);
    assert.equal((await call('GET', '/api/connectors/nothing', { token: admin })).status, 404);
    const list = await call('GET', '/api/connectors', { token: admin });
    assert.deepEqual(list.data.connectors, [{ name: 'acme', version: 3 }]);
  });

  test('an invalid connector answers the engine\'s problems as details', async () => {
    const bad = apiKeyConnector({ name: 'broken' });
    bad.authorization = { type: 'api_key', refresh_on: [{ regex: '(' }] }; // no apply, bad RE2
    const r = await call('PUT', '/api/connectors/broken', { token: admin, json: bad });
    assert.equal(r.status, 400);
    assert.equal(r.data.error, 'invalid_connector');
    assert.ok(r.data.details.length >= 2);
    for (const d of r.data.details) {
      assert.equal(typeof d.path, 'string');
      assert.equal(typeof d.message, 'string');
    }
    const paths = r.data.details.map((d) => d.path);
    assert.ok(paths.includes('/authorization/refresh_on/0/regex') || paths.some((p) => p.startsWith('/authorization/refresh_on/0')), paths.join());
    assert.ok(paths.some((p) => p.startsWith('/authorization')), paths.join());
    assert.equal((await call('GET', '/api/connectors/broken', { token: admin })).status, 404);
  });

  test('the name in the body must be the name in the URL', async () => {
    const r = await call('PUT', '/api/connectors/other', { token: admin, json: apiKeyConnector() });
    assert.equal(r.status, 400);
    assert.deepEqual(r.data.details.map((d) => d.path), ['/name']);
    assert.equal((await call('PUT', '/api/connectors/Bad-Name', { token: admin, json: apiKeyConnector() })).status, 400);
  });

  test('another org sees none of them', async () => {
    assert.equal((await call('GET', '/api/connectors/acme', { token: otherAdmin })).status, 404);
    assert.deepEqual((await call('GET', '/api/connectors', { token: otherAdmin })).data.connectors, []);
  });
});

describe('apps', () => {
  let app;

  test('create: defaults, write-only client_secret', async () => {
    const r = await call('POST', '/api/apps', { token: admin, json: appBody() });
    assert.equal(r.status, 201);
    app = r.data;
    assert.match(app.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(app.client_secret_set, true);
    assert.equal('client_secret' in app, false);
    assert.equal(app.refresh_buffer, 60);
    assert.equal(app.enabled, true);
    assert.equal(app.egress, null);
    assert.deepEqual(app.scopes, ['read', 'write']);
    assert.equal(app.default_expires_in, null);
    assert.deepEqual([app.lost_after_failures, app.backoff_base_seconds, app.backoff_cap_seconds, app.keepalive_seconds], [12, 2, 900, 86400]);
    assert.ok(Date.parse(app.created_at));
  });

  test('field-level validation errors', async () => {
    const r = await call('POST', '/api/apps', {
      token: admin,
      json: { description: 5, scopes: ['ok', 'has space'], refresh_buffer: -1, egress: ['https://x.test/'], extra: 1, settings: [] },
    });
    assert.equal(r.status, 400);
    assert.equal(r.data.error, 'invalid_app');
    const paths = r.data.details.map((d) => d.path).sort();
    assert.deepEqual(paths, ['/connector', '/description', '/egress/0', '/extra', '/name', '/prompt', '/refresh_buffer', '/scopes/1', '/settings']);
    const missing = await call('POST', '/api/apps', { token: admin, json: appBody({ connector: 'nope' }) });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.data.details.map((d) => d.path), ['/connector']);
    const version = await call('POST', '/api/apps', { token: admin, json: appBody({ connector: 'acme@9' }) });
    assert.equal(version.status, 400);
    const pinned = await call('POST', '/api/apps', { token: admin, json: appBody({ connector: 'acme@1', name: 'Pinned' }) });
    assert.equal(pinned.status, 201);
    assert.equal(pinned.data.connector, 'acme@1');
  });

  test('members list and read apps of their org, never secrets', async () => {
    const list = await call('GET', '/api/apps', { token: member });
    assert.equal(list.status, 200);
    assert.ok(list.data.apps.some((a) => a.id === app.id));
    for (const a of list.data.apps) assert.equal('client_secret' in a, false);
    const one = await call('GET', `/api/apps/${app.id}`, { token: member });
    assert.equal(one.data.name, 'Acme CRM');
    assert.equal(one.data.client_secret_set, true);
  });

  test('patch changes only given fields; client_secret stays write-only', async () => {
    const r = await call('PATCH', `/api/apps/${app.id}`, { token: admin, json: { name: 'Acme 2', refresh_buffer: 120, id: 'ignored' } });
    assert.equal(r.status, 200);
    assert.equal(r.data.name, 'Acme 2');
    assert.equal(r.data.refresh_buffer, 120);
    assert.equal(r.data.prompt, 'Connect your Acme account');
    const operations = await call('PATCH', `/api/apps/${app.id}`, { token: admin, json: { lost_after_failures: 3, keepalive_seconds: 0 } });
    assert.equal(operations.status, 200);
    assert.deepEqual([operations.data.lost_after_failures, operations.data.keepalive_seconds, operations.data.backoff_cap_seconds], [3, 0, 900]);
    assert.equal((await call('GET', `/api/apps/${app.id}`, { token: member })).data.lost_after_failures, 3);
    const invalid = await call('PATCH', `/api/apps/${app.id}`, { token: admin, json: { keepalive_seconds: 5 } });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.data.details.map((d) => d.path), ['/keepalive_seconds']);
    assert.equal(r.data.client_secret_set, true);
    assert.equal(r.data.id, app.id);
    const cleared = await call('PATCH', `/api/apps/${app.id}`, { token: admin, json: { client_secret: null } });
    assert.equal(cleared.data.client_secret_set, false);
    const set = await call('PATCH', `/api/apps/${app.id}`, { token: admin, json: { client_secret: CLIENT_SECRET } });
    assert.equal(set.data.client_secret_set, true);
    assert.equal((await call('PATCH', `/api/apps/${app.id}`, { token: admin, json: { prompt: '' } })).status, 400);
    assert.equal((await call('PATCH', `/api/apps/${app.id}`, { token: member, json: { name: 'x' } })).status, 403);
    assert.equal((await call('DELETE', `/api/apps/${app.id}`, { token: member })).status, 403);
    assert.equal((await call('POST', `/api/apps/${app.id}/disable`, { token: member })).status, 403);
  });

  test('settings of secret fields are sealed and never returned', async () => {
    const r = await call('POST', '/api/apps', {
      token: admin, json: appBody({ name: 'With settings', settings: { api_key: SECRET_SETTING, region: 'eu' } }),
    });
    assert.equal(r.status, 201);
    assert.deepEqual(r.data.settings, { region: 'eu' });
    assert.deepEqual(r.data.secret_settings, ['api_key']);
    // A PATCH of the visible settings keeps the write-only one.
    const p = await call('PATCH', `/api/apps/${r.data.id}`, { token: admin, json: { settings: { region: 'us' } } });
    assert.deepEqual(p.data.settings, { region: 'us' });
    assert.deepEqual(p.data.secret_settings, ['api_key']);
    const cleared = await call('PATCH', `/api/apps/${r.data.id}`, { token: admin, json: { settings: { api_key: null } } });
    assert.deepEqual(cleared.data.secret_settings, []);
  });

  test('enable / disable / reset answer the app', async () => {
    const off = await call('POST', `/api/apps/${app.id}/disable`, { token: admin });
    assert.equal(off.data.enabled, false);
    const on = await call('POST', `/api/apps/${app.id}/enable`, { token: admin });
    assert.equal(on.data.enabled, true);
    const reset = await call('POST', `/api/apps/${app.id}/reset`, { token: admin });
    assert.equal(reset.status, 200);
    assert.equal(reset.data.id, app.id);
  });

  test('another org gets 404 for every app route', async () => {
    for (const [method, path, token] of [
      ['GET', `/api/apps/${app.id}`, otherMember], ['PATCH', `/api/apps/${app.id}`, otherAdmin],
      ['DELETE', `/api/apps/${app.id}`, otherAdmin], ['POST', `/api/apps/${app.id}/reset`, otherAdmin],
      ['POST', `/api/apps/${app.id}/disable`, otherAdmin], ['GET', `/api/apps/${app.id}/connection`, otherMember],
      ['POST', `/api/apps/${app.id}/connect`, otherMember], ['GET', `/proxy/${app.id}/x`, otherMember],
    ]) {
      const r = await call(method, path, { token, json: method === 'GET' ? undefined : { name: 'x' } });
      assert.equal(r.status, 404, `${method} ${path}`);
    }
    assert.deepEqual((await call('GET', '/api/apps', { token: otherMember })).data.apps, []);
  });

  test('delete → 404 afterwards', async () => {
    const r = await call('DELETE', `/api/apps/${app.id}`, { token: admin });
    assert.equal(r.status, 204);
    assert.equal((await call('GET', `/api/apps/${app.id}`, { token: admin })).status, 404);
    assert.equal((await call('DELETE', `/api/apps/${app.id}`, { token: admin })).status, 404);
  });
});

describe('limits and hostile input', () => {
  test('malformed JSON → 400 invalid_json; non-object → 400', async () => {
    for (const body of ['{"name":', 'not json', '\xff\xfe', '[1,2]', 'null', '']) {
      const r = await call('POST', '/api/apps', { token: admin, body, headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.data.error, 'invalid_json');
    }
    const conn = await call('PUT', '/api/connectors/acme', { token: admin, body: '{', headers: { 'content-type': 'application/json' } });
    assert.equal(conn.data.error, 'invalid_json');
  });

  test('bodies over the limits → 413', async () => {
    const big = JSON.stringify(appBody({ description: 'x'.repeat(300 * 1024) }));
    const r = await call('POST', '/api/apps', { token: admin, body: big });
    assert.equal(r.status, 413);
    assert.equal(r.data.error, 'payload_too_large');
    const connector = apiKeyConnector({ title: 'y'.repeat(260 * 1024) });
    assert.equal((await call('PUT', '/api/connectors/acme', { token: admin, json: connector })).status, 413);
    // Within the API limit but over the stored app limit.
    const large = await call('POST', '/api/apps', { token: admin, json: appBody({ settings: Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`f${i}`, 'z'.repeat(8000)])) }) });
    assert.equal(large.status, 413);
  });

  test('a large connector (over one storage value) round-trips', async () => {
    const connector = apiKeyConnector({ name: 'large', title: 'L'.repeat(200 * 1024) });
    const r = await call('PUT', '/api/connectors/large', { token: admin, json: connector });
    assert.equal(r.status, 201);
    const back = await call('GET', '/api/connectors/large', { token: admin });
    assert.equal(back.data.definition.title.length, 200 * 1024);
  });

  test('headers over the limit → 431', async () => {
    const r = await call('GET', '/api/apps', { token: admin, headers: { 'x-big': 'h'.repeat(40 * 1024) } });
    assert.equal(r.status, 431);
    assert.equal(r.data.error, 'headers_too_large');
  });

  test('deeply nested and odd JSON does not crash the worker', async () => {
    const deep = '['.repeat(100000) + ']'.repeat(100000);
    const r1 = await call('PUT', '/api/connectors/deep', { token: admin, body: `{"name":"deep","x":${deep}}` });
    assert.ok([400, 413].includes(r1.status), String(r1.status));
    const r2 = await call('PUT', '/api/connectors/acme', { token: admin, json: { name: 'acme', authorization: { type: 'api_key', apply: 'x'.repeat(1000) } } });
    assert.equal(r2.status, 400);
    const r3 = await call('POST', '/api/apps', { token: admin, json: { ['__proto__']: { name: 'x' }, constructor: 1 } });
    assert.equal(r3.status, 400);
    // Still serving.
    assert.equal((await call('GET', '/api/apps', { token: admin })).status, 200);
  });
});

test('no API answer ever carried a client secret or secret setting', () => {
  const all = responses.join('\n');
  assert.ok(!all.includes(CLIENT_SECRET));
  assert.ok(!all.includes(SECRET_SETTING));
});
