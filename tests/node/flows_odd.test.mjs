// The engine's flows against what real providers do wrong, served by the
// scriptable odd provider (demo/odd-provider.mjs), which also records every
// request so the token requests the engine built can be checked byte for
// byte. The test is the host (fetch); decisions are the engine's.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../wasm/connauth.mjs';
import { startOddProvider } from '../../demo/odd-provider.mjs';
import { send } from '../../scripts/cli/http.mjs';

const engine = await load();
const NOW = 1_700_000_000; // the engine's clock, pinned
const REDIRECT_URI = 'http://127.0.0.1:8765/oauth/callback';
// RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
const RESERVED_ID = 'my id:1/ä+';
const RESERVED_SECRET = 'se:cr+et%';
const RESERVED_BASIC = `Basic ${Buffer.from('my+id%3A1%2F%C3%A4%2B:se%3Acr%2Bet%25').toString('base64')}`;

describe('flows against the odd provider', () => {
  let odd;
  let connector;
  let app;

  before(async () => {
    odd = await startOddProvider();
    connector = oauthConnector();
    app = { client_id: 'odd-client', client_secret: 'odd-secret' };
  });
  after(async () => {
    await odd.stop();
    engine.dispose();
  });
  beforeEach(() => odd.clear());

  function oauthConnector(authorization = {}) {
    return {
      name: 'odd',
      connection: { base_uri: `${odd.url}/` },
      authorization: {
        type: 'oauth2',
        authorization_url: `${odd.url}/authorize`,
        token_url: `${odd.url}/token`,
        refresh_on: [401],
        detect_on: [{ regex: '"status":\\s*"error"' }],
        ...authorization,
      },
      test: { method: 'GET', url: 'api/current' },
    };
  }

  // authorizeBegin and a callback as the provider would send it; returns the
  // token request the engine built and what authorizeFinish made of the answer.
  async function exchange(conn = connector, appContext = app) {
    const context = { connection: {}, app: appContext, flow: { redirect_uri: REDIRECT_URI } };
    const begin = engine.authorizeBegin(conn, context, { now: NOW });
    assert.equal(begin.ok, true, JSON.stringify(begin));
    const { pending } = begin.value;
    const callback = engine.authorizeCallback(conn, context, pending, `?code=c0de%2F1&state=${pending.state}`, { now: NOW + 5 });
    assert.equal(callback.ok, true, JSON.stringify(callback));
    const response = await send(callback.value.request);
    const finish = engine.authorizeFinish(conn, { ...context, flow: callback.value.flow }, response, { now: NOW + 6 });
    return { begin, request: callback.value.request, recorded: odd.requestsTo('token').at(-1), finish };
  }

  async function refresh(connection, { conn = connector, appContext = app, state } = {}) {
    const context = { connection, app: appContext, state };
    const begin = engine.refreshBegin(conn, context, { now: NOW });
    if (!begin.ok) return { finish: begin };
    const response = await send(begin.value.request);
    return { begin, response, finish: engine.refreshFinish(conn, context, response, { now: NOW }) };
  }

  // SPEC §2.5 as a host runs it: send, classify, at most one refresh and one retry.
  async function authorizedRequest(connection, url, conn = connector) {
    const trace = [];
    let refreshed = false;
    for (;;) {
      const applied = engine.apply(conn, { connection, app }, { method: 'GET', url });
      const response = await send(applied.value);
      const action = engine.classify(conn, { connection, app }, response).value.action;
      trace.push([response.status, action]);
      const { next } = engine.requestNextStep(action, refreshed).value;
      if (next === 'deliver') return { response, action, trace, connection };
      const renewed = await refresh(connection);
      if (!renewed.finish.ok) return { failure: renewed.finish, trace };
      connection = renewed.finish.value.connection;
      refreshed = true;
    }
  }

  test('the code exchange the engine builds: grant, code, redirect_uri, verifier, body client auth', async () => {
    const { begin, request, recorded, finish } = await exchange();
    assert.equal(request.body, 'grant_type=authorization_code&code=c0de%2F1' +
      `&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${begin.value.pending.verifier}` +
      '&client_id=odd-client&client_secret=odd-secret');
    assert.equal(recorded.method, 'POST');
    assert.deepEqual(recorded.form, {
      grant_type: 'authorization_code', code: 'c0de/1', redirect_uri: REDIRECT_URI,
      code_verifier: begin.value.pending.verifier, client_id: 'odd-client', client_secret: 'odd-secret',
    });
    assert.equal(recorded.headers.accept, 'application/json');
    assert.equal(recorded.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(recorded.basic, undefined);
    assert.equal(finish.ok, true, JSON.stringify(finish));
    assert.deepEqual(finish.value.connection, {
      access_token: odd.latestAccessToken, refresh_token: odd.latestAccessToken.replace('-at-', '-rt-'), expires_at: NOW + 6 + 3600,
    });
  });

  test('basic client auth form-encodes ids with reserved characters (RFC 6749 §2.3.1); JSON token format', async () => {
    const basic = oauthConnector({ client_auth: 'basic' });
    const reserved = { client_id: RESERVED_ID, client_secret: RESERVED_SECRET };
    const { begin, recorded } = await exchange(basic, reserved);
    assert.equal(recorded.headers.authorization, RESERVED_BASIC);
    assert.deepEqual(recorded.basic, { clientId: RESERVED_ID, clientSecret: RESERVED_SECRET });
    assert.deepEqual(Object.keys(recorded.form), ['grant_type', 'code', 'redirect_uri', 'code_verifier']);
    // The authorization URL carries the id form-encoded as well.
    assert.equal(new URL(begin.value.url).searchParams.get('client_id'), RESERVED_ID);

    const json = oauthConnector({ token_format: 'json' });
    const asJson = await exchange(json, reserved);
    assert.match(asJson.recorded.headers['content-type'], /^application\/json/);
    assert.deepEqual(asJson.recorded.json, {
      grant_type: 'authorization_code', code: 'c0de/1', redirect_uri: REDIRECT_URI,
      code_verifier: asJson.begin.value.pending.verifier, client_id: RESERVED_ID, client_secret: RESERVED_SECRET,
    });

    // And the refresh request: grant, refresh token, client auth only in the header.
    const renewed = await refresh({ access_token: 'a', refresh_token: 'r t+1' }, { conn: basic, appContext: reserved });
    const sent = odd.requestsTo('token').at(-1);
    assert.equal(renewed.begin.value.request.body, 'grant_type=refresh_token&refresh_token=r+t%2B1');
    assert.deepEqual(sent.form, { grant_type: 'refresh_token', refresh_token: 'r t+1' });
    assert.equal(sent.headers.authorization, RESERVED_BASIC);
  });

  test('2xx carrying an error (GitHub bad_verification_code) is an error, not a token', async () => {
    odd.next('token', 'github_error');
    const { finish } = await exchange();
    assert.equal(finish.ok, false);
    assert.equal(finish.error.code, 'bad_verification_code');
    assert.equal(finish.error.cause, 'authorization_revoked');
    assert.match(finish.error.detail, /HTTP 200.*incorrect or expired/);
  });

  test('expires_in as a numeric string counts; missing takes the app default, else the expiry is unknown', async () => {
    odd.next('token', 'expires_in_string');
    const fromString = await exchange();
    assert.equal(fromString.finish.value.connection.expires_at, NOW + 6 + 3600);
    assert.deepEqual(fromString.finish.value.warnings, []);

    odd.next('token', 'expires_in_missing');
    const withDefault = await exchange(connector, { ...app, default_expires_in: 900 });
    assert.equal(withDefault.finish.value.connection.expires_at, NOW + 6 + 900);
    assert.deepEqual(withDefault.finish.value.warnings, []);

    odd.next('token', 'expires_in_missing');
    const unknown = await exchange();
    const connection = unknown.finish.value.connection;
    assert.equal('expires_at' in connection, false);
    // Unknown expiry: never refreshed proactively, only on signals (SPEC §3).
    assert.deepEqual(engine.refreshNeeded({ connection, app }, { now: NOW + 10 ** 9 }), { ok: true, value: false });
  });

  test('unusable expires_in ("abc", -5) is reported as a warning and treated as missing', async () => {
    odd.next('token', 'expires_in_abc');
    const abc = await exchange();
    assert.equal(abc.finish.ok, true);
    assert.equal('expires_at' in abc.finish.value.connection, false);
    assert.equal(abc.finish.value.warnings.length, 1);
    assert.match(abc.finish.value.warnings[0], /expires_in "abc" is not a number of seconds.*refreshed on signals only/);

    odd.next('token', 'expires_in_negative');
    const negative = await exchange(connector, { ...app, default_expires_in: 120 });
    assert.equal(negative.finish.value.connection.expires_at, NOW + 6 + 120);
    assert.match(negative.finish.value.warnings[0], /expires_in -5 is negative.*default lifetime applies/);
  });

  test('a 200 body that only detect_on reveals is an error; with refresh_on matching too, a refresh', async () => {
    const connection = { access_token: 'whatever' };
    const response = await send(engine.apply(connector, { connection, app }, { method: 'GET', url: 'api/detect' }).value);
    assert.equal(response.status, 200);
    assert.equal(engine.classify(oauthConnector({ detect_on: [] }), { connection }, response).value.action, 'ok');
    const detected = engine.classify(connector, { connection }, response).value;
    assert.equal(detected.action, 'error');
    assert.equal(detected.matched, '/authorization/detect_on/0');
    const both = oauthConnector({ refresh_on: [401, { regex: 'session expired', flags: 'i' }] });
    assert.equal(engine.classify(both, { connection }, response).value.action, 'refresh');

    // As the connection's test: an authorization failure hidden behind 200.
    const verdict = engine.testFinish(connector, { connection, app }, response);
    assert.equal(verdict.error.cause, 'authorization_revoked');
    assert.match(verdict.error.detail, /HTTP 200 matching \/authorization\/detect_on\/0/);
  });

  test('401 once: one refresh (exact request), one retry with the new token, which succeeds', async () => {
    const stale = { access_token: 'stale-token', refresh_token: 'rt-0', expires_at: NOW + 3600 };
    const { response, action, trace, connection } = await authorizedRequest(stale, 'api/current');
    assert.deepEqual(trace, [[401, 'refresh'], [200, 'ok']]);
    assert.equal(action, 'ok');
    assert.equal(JSON.parse(response.body).token, odd.latestAccessToken);
    assert.equal(connection.access_token, odd.latestAccessToken);
    assert.notEqual(connection.refresh_token, 'rt-0');

    const tokenCalls = odd.requestsTo('token');
    assert.equal(tokenCalls.length, 1);
    assert.deepEqual(tokenCalls[0].form, {
      grant_type: 'refresh_token', refresh_token: 'rt-0', client_id: 'odd-client', client_secret: 'odd-secret',
    });
    const apiCalls = odd.requestsTo('current').map((r) => r.headers.authorization);
    assert.deepEqual(apiCalls, ['Bearer stale-token', `Bearer ${odd.latestAccessToken}`]);

    // The built-in once-401 route: the same, with the old refresh token kept
    // when the provider sends none (SPEC §3).
    odd.next('token', 'no_refresh_token');
    const once = await authorizedRequest({ access_token: 'x', refresh_token: 'keep-me' }, 'api/once-401');
    assert.deepEqual(once.trace, [[401, 'refresh'], [200, 'ok']]);
    assert.equal(once.connection.refresh_token, 'keep-me');
  });

  test('a second failure after the retry is final: delivered as is, one refresh only', async () => {
    odd.setDefault('/api/always-401', { status: 401, body: { error: 'invalid_token' } });
    const { response, action, trace } = await authorizedRequest({ access_token: 'a', refresh_token: 'r' }, 'api/always-401');
    assert.deepEqual(trace, [[401, 'refresh'], [401, 'refresh']]);
    assert.equal(action, 'refresh');
    assert.equal(response.status, 401);
    assert.equal(odd.requestsTo('token').length, 1);
    assert.equal(odd.requestsTo('/api/always-401').length, 2);
    assert.deepEqual(engine.requestNextStep('refresh', true), { ok: true, value: { next: 'deliver' } });
    assert.deepEqual(engine.requestNextStep('ok', false), { ok: true, value: { next: 'deliver' } });
    assert.deepEqual(engine.requestNextStep('error', false), { ok: true, value: { next: 'deliver' } });

    // The test refused after a fresh token (SPEC §4): authorization_revoked.
    const always = { ...connector, test: { method: 'GET', url: 'api/always-401' } };
    const connection = { access_token: odd.latestAccessToken };
    const testResponse = await send(engine.testBegin(always, { connection, app }).value.request);
    assert.deepEqual(engine.testFinish(always, { connection, app }, testResponse).value, { outcome: 'refresh' });
    const final = engine.testFinish(always, { connection, app }, testResponse, { refreshed: true });
    assert.equal(final.error.cause, 'authorization_revoked');
  });

  test('provider_unavailable: 500, 503, 429 and a reset degrade the connection; a long streak loses it', async () => {
    const connection = { access_token: 'a', refresh_token: 'r' };
    let state = engine.stateSuccess(null, { now: NOW }).value;
    const settings = { lost_after_failures: 4, backoff_base_seconds: 2, backoff_cap_seconds: 60 };
    const seen = [];
    for (const [i, preset] of ['server_error', 'unavailable', 'rate_limited', 'reset'].entries()) {
      odd.next('token', preset);
      const { finish } = await refresh(connection);
      assert.equal(finish.error.cause, 'provider_unavailable', `${preset}: ${JSON.stringify(finish)}`);
      // Each failure lands after the previous backoff window (the host waits).
      const now = (state.next_retry_at ?? NOW) + 1;
      state = engine.stateFailure(state, finish.error.cause, finish.error.detail, { now, randomFraction: 0.999, settings }).value;
      seen.push([state.status, state.next_retry_at === null ? null : state.next_retry_at - now]);
      assert.ok(i === 3 || state.status === 'degraded');
    }
    // Full jitter just under the window: 2, 4, 8 s, then lost after 4 windows.
    assert.deepEqual(seen, [['degraded', 1], ['degraded', 3], ['degraded', 7], ['lost', null]]);
    assert.equal(engine.stateView(state).value.lost.cause, 'provider_unavailable');
  });

  test('connector_error names the version that last worked; malformed and empty token answers', async () => {
    const connection = { access_token: 'a', refresh_token: 'r' };
    odd.next('token', 'not_json', 'no_access_token');
    const html = await refresh(connection, { state: { status: 'connected', last_working_version: 3 } });
    assert.equal(html.finish.error.cause, 'connector_error');
    assert.equal(html.finish.error.code, 'malformed_response');
    assert.match(html.finish.error.action, /restore the version under which this connection last worked \(version 3\)/);
    const empty = await refresh(connection);
    assert.equal(empty.finish.error.code, 'missing_access_token');
    assert.equal(empty.finish.error.cause, 'connector_error');
    const view = engine.stateView(engine.stateFailure(engine.stateSuccess(null, { version: 3 }).value,
      'connector_error', empty.finish.error.detail).value).value;
    assert.equal(view.status, 'lost');
    assert.match(view.lost.action, /\(version 3\)/);
  });

  test('credentials_rejected: an api_key refused by the test, a custom_auth login refused', async () => {
    odd.setDefault('/api/key-check', (record) => (record.headers['x-api-key'] === 'good'
      ? { status: 200, body: { ok: true } } : { status: 401, body: { message: 'bad key' } }));
    const apiKey = {
      name: 'odd_key',
      connection: { fields: [{ name: 'key', secret: true }], base_uri: `${odd.url}/` },
      authorization: { type: 'api_key', apply: [{ headers: { 'X-API-Key': '{{connection.key}}' } }] },
      test: { method: 'GET', url: 'api/key-check' },
    };
    for (const [key, expected] of [['good', 'ok'], ['bad', 'credentials_rejected']]) {
      const begin = engine.connectBegin(apiKey, { connection: { key }, app: {} }).value;
      assert.equal(begin.step, 'test');
      const verdict = engine.testFinish(apiKey, { connection: { key }, app: {} }, await send(begin.request));
      assert.equal(verdict.ok ? verdict.value.outcome : verdict.error.cause, expected);
    }

    const login = {
      name: 'odd_login',
      connection: { fields: [{ name: 'user' }, { name: 'password', secret: true }], base_uri: `${odd.url}/` },
      authorization: {
        type: 'custom_auth',
        acquire: {
          request: { method: 'POST', url: 'session', json: { user: '{{connection.user}}', password: '{{connection.password}}' } },
          tokens: { access_token: '{{response.session_id}}' },
        },
        apply: [{ headers: { 'X-Session': '{{access_token}}' } }],
      },
    };
    odd.next('/session', { status: 401, body: { message: 'wrong password' } }, { status: 200, body: { session_id: 's-1' } });
    const context = { connection: { user: 'u', password: 'p' }, app: {} };
    const acquire = engine.connectBegin(login, context).value;
    assert.equal(acquire.step, 'acquire');
    const refused = engine.connectFinish(login, context, await send(acquire.request));
    assert.equal(refused.error.cause, 'credentials_rejected');
    const accepted = engine.connectFinish(login, context, await send(acquire.request));
    assert.equal(accepted.value.connection.access_token, 's-1');
    assert.deepEqual(odd.requestsTo('/session')[0].json, { user: 'u', password: 'p' });
  });
});
