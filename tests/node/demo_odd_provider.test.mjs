// The scriptable odd provider (demo/odd-provider.mjs) answers each call as a
// test queued it, and records exactly what arrived.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startOddProvider, PRESETS } from '../../demo/odd-provider.mjs';
import { basicAuthorization } from '../../demo/client-auth.mjs';

function postForm(url, params, headers = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  });
}

describe('odd provider', () => {
  let odd;
  before(async () => { odd = await startOddProvider(); });
  after(() => odd.stop());
  beforeEach(() => odd.clear());

  test('records the exact token request: form fields and HTTP Basic client authentication', async () => {
    await postForm(odd.tokenUrl, {
      grant_type: 'authorization_code', code: 'c1', redirect_uri: 'http://127.0.0.1:1/cb', code_verifier: 'v'.repeat(43),
    }, { authorization: basicAuthorization('my id', 'se:cr+et') });
    await postForm(odd.tokenUrl, { grant_type: 'refresh_token', refresh_token: 'r1', client_id: 'id', client_secret: 's' });

    const [first, second] = odd.requestsTo('token');
    assert.equal(first.method, 'POST');
    assert.deepEqual(first.form, {
      grant_type: 'authorization_code', code: 'c1', redirect_uri: 'http://127.0.0.1:1/cb', code_verifier: 'v'.repeat(43),
    });
    assert.deepEqual(first.basic, { clientId: 'my id', clientSecret: 'se:cr+et' });
    assert.equal(second.basic, undefined);
    assert.equal(second.form.client_secret, 's');
    assert.match(second.headers['content-type'], /x-www-form-urlencoded/);
  });

  test('default token answer: fresh tokens on every call', async () => {
    const a = await (await postForm(odd.tokenUrl, { grant_type: 'client_credentials' })).json();
    const b = await (await postForm(odd.tokenUrl, { grant_type: 'client_credentials' })).json();
    assert.equal(a.token_type, 'Bearer');
    assert.equal(a.expires_in, 3600);
    assert.notEqual(a.access_token, b.access_token);
    assert.notEqual(a.refresh_token, b.refresh_token);
    assert.equal(odd.latestAccessToken, b.access_token);
  });

  test('presets: 200 with an error member, odd expires_in, missing fields', async () => {
    const cases = [
      ['github_error', (s, j) => { assert.equal(s, 200); assert.equal(j.error, 'bad_verification_code'); assert.equal(j.access_token, undefined); }],
      ['expires_in_string', (s, j) => { assert.equal(j.expires_in, '3600'); assert.ok(j.access_token); }],
      ['expires_in_missing', (s, j) => { assert.equal('expires_in' in j, false); assert.ok(j.access_token); }],
      ['expires_in_abc', (s, j) => assert.equal(j.expires_in, 'abc')],
      ['expires_in_negative', (s, j) => assert.equal(j.expires_in, -5)],
      ['no_access_token', (s, j) => { assert.equal(s, 200); assert.equal(j.access_token, undefined); }],
      ['no_refresh_token', (s, j) => { assert.ok(j.access_token); assert.equal(j.refresh_token, undefined); }],
      ['invalid_client', (s, j) => { assert.equal(s, 400); assert.equal(j.error, 'invalid_client'); }],
      ['invalid_grant', (s, j) => { assert.equal(s, 400); assert.equal(j.error, 'invalid_grant'); }],
      ['unauthorized_client', (s, j) => { assert.equal(s, 400); assert.equal(j.error, 'unauthorized_client'); }],
    ];
    odd.next('token', ...cases.map(([name]) => name));
    for (const [name, check] of cases) {
      const res = await postForm(odd.tokenUrl, { grant_type: 'authorization_code' });
      check(res.status, await res.json(), name);
    }
  });

  test('presets: non-JSON body, 500, 503 and 429 with Retry-After', async () => {
    odd.next('token', 'not_json', 'server_error', 'unavailable', 'rate_limited');
    const html = await postForm(odd.tokenUrl, {});
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type'), /text\/html/);
    assert.match(await html.text(), /<html>/);
    const e500 = await postForm(odd.tokenUrl, {});
    assert.equal(e500.status, 500);
    await e500.text();
    for (const status of [503, 429]) {
      const res = await postForm(odd.tokenUrl, {});
      assert.equal(res.status, status);
      assert.equal(res.headers.get('retry-after'), '1');
      await res.text();
    }
  });

  test('reset: the connection closes without a response', async () => {
    odd.next('token', 'reset');
    await assert.rejects(postForm(odd.tokenUrl, {}), TypeError);
    // Later calls are answered again.
    assert.equal((await postForm(odd.tokenUrl, {})).status, 200);
  });

  test('queue order, custom specs, functions, default and delay', async () => {
    odd.setDefault('token', { status: 400, body: { error: 'invalid_grant' } });
    odd.next('token', { status: 201, body: { access_token: 'custom' }, headers: { 'x-odd': 'yes' } },
      (record) => ({ status: 200, body: { echoed: record.form.grant_type } }),
      { preset: 'ok', set: { scope: 'wide' } });
    const r1 = await postForm(odd.tokenUrl, {});
    assert.equal(r1.status, 201);
    assert.equal(r1.headers.get('x-odd'), 'yes');
    assert.deepEqual(await r1.json(), { access_token: 'custom' });
    assert.equal(odd.latestAccessToken, 'custom');
    assert.deepEqual(await (await postForm(odd.tokenUrl, { grant_type: 'g' })).json(), { echoed: 'g' });
    assert.equal((await (await postForm(odd.tokenUrl, {})).json()).scope, 'wide');
    assert.equal((await postForm(odd.tokenUrl, {})).status, 400);
    assert.equal((await postForm(odd.tokenUrl, {})).status, 400);

    odd.next('token', { preset: 'ok', delayMs: 300 });
    const started = Date.now();
    assert.equal((await postForm(odd.tokenUrl, {})).status, 200);
    assert.ok(Date.now() - started >= 250);
  });

  test('/api/detect: a 200 whose body only a detect_on regex reveals as an error', async () => {
    const res = await fetch(`${odd.url}/api/detect`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'error', message: 'Session expired' });
  });

  test('/api/current: 401 for a stale token, 200 after a refresh issued a new one', async () => {
    const stale = await fetch(`${odd.url}/api/current`, { headers: { authorization: 'Bearer stale' } });
    assert.equal(stale.status, 401);
    assert.match(stale.headers.get('www-authenticate'), /invalid_token/);
    const tokens = await (await postForm(odd.tokenUrl, { grant_type: 'refresh_token', refresh_token: 'x' })).json();
    const fresh = await fetch(`${odd.url}/api/current`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(fresh.status, 200);
  });

  test('/api/once-401: 401 once, then 200 (until clear)', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await fetch(`${odd.url}/api/once-401`)).status);
    assert.deepEqual(statuses, [401, 200, 200]);
    odd.clear();
    assert.equal((await fetch(`${odd.url}/api/once-401`)).status, 401);
  });

  test('any path can be scripted; unknown paths are 404', async () => {
    assert.equal((await fetch(`${odd.url}/nothing`)).status, 404);
    odd.next('/v1/things', { status: 200, body: 'plain text' });
    const res = await fetch(`${odd.url}/v1/things?x=1`);
    assert.equal(await res.text(), 'plain text');
    assert.deepEqual(odd.requestsTo('/v1/things')[0].query, { x: '1' });
  });

  test('unknown preset names are refused when queued', () => {
    assert.ok(PRESETS.ok);
    assert.throws(() => odd.next('token', 'no_such_preset'), /unknown preset/);
    assert.throws(() => odd.setDefault('token', 'no_such_preset'), /unknown preset/);
  });
});

test('odd provider stop/start keeps its port; stop settles delayed answers', async () => {
  const odd = await startOddProvider();
  const { port } = odd;
  odd.next('token', { preset: 'ok', delayMs: 60_000 });
  const pending = postForm(odd.tokenUrl, {}).then(() => 'answered', () => 'failed');
  await new Promise((resolve) => setTimeout(resolve, 100));
  await odd.stop();
  assert.equal(await pending, 'failed');
  await assert.rejects(fetch(odd.tokenUrl, { method: 'POST' }), (err) => err.cause?.code === 'ECONNREFUSED');
  await odd.start();
  assert.equal(odd.port, port);
  assert.equal((await postForm(odd.tokenUrl, {})).status, 200);
  await odd.stop();
});
