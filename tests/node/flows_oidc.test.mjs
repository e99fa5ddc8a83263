// The engine's flows (wasm/connauth.mjs, core/flow_api.h) against a real
// OAuth 2.0 server: oidc-provider on loopback (demo/provider.mjs), with the
// demo API checking every token by introspection (demo/api.mjs). The test is
// the host: it sends what the engine builds with fetch and hands back what
// came; every protocol decision and diagnosis is the engine's.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { load } from '../../wasm/connauth.mjs';
import { startProvider } from '../../demo/provider.mjs';
import { startDemoApi } from '../../demo/api.mjs';
import { completeConsent } from '../../demo/consent.mjs';
import { loadConnector, demoApps } from '../../demo/catalog.mjs';
import { send } from '../../scripts/cli/http.mjs';
import { runConnection } from '../../wasm/connection_loop.mjs';

const engine = await load();
// Nobody listens here: completeConsent stops at the redirect back to the
// client. The demo clients are native, so any loopback port is accepted.
const REDIRECT_URI = 'http://127.0.0.1:8765/oauth/callback';
const ACCESS_TOKEN_TTL = 600;
const form = (body) => Object.fromEntries(new URLSearchParams(body));
const basicOf = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('flows against oidc-provider', () => {
  let op;
  let api;
  let apps;
  const oauth = loadConnector('demo_oauth');
  const basicOauth = { ...oauth, authorization: { ...oauth.authorization, client_auth: 'basic' } };
  const clientCredentials = loadConnector('demo_client_credentials');

  before(async () => {
    op = await startProvider({ accessTokenTTL: ACCESS_TOKEN_TTL });
    api = await startDemoApi({ provider: op });
    apps = demoApps({ providerUrl: op.issuer, apiUrl: api.url });
  });
  after(async () => {
    await api.stop();
    await op.stop();
    engine.dispose();
  });

  // The engine context for an app object of SPEC §5 (the `app` part is what
  // hosts pass: client, scopes, settings, issuer for RFC 9207).
  const appContext = (app, extra = {}) => ({
    client_id: app.client_id, client_secret: app.client_secret, scopes: app.scopes, settings: app.settings,
    issuer: op.issuer, ...extra,
  });

  // authorizeBegin → consent pages → authorizeCallback → token request → authorizeFinish.
  async function authorize(connector, app, login, { consent = {} } = {}) {
    const context = { connection: {}, app, flow: { redirect_uri: REDIRECT_URI } };
    const begin = engine.authorizeBegin(connector, context);
    assert.equal(begin.ok, true, JSON.stringify(begin));
    const redirect = await completeConsent(begin.value.url, { login, ...consent });
    const callback = engine.authorizeCallback(connector, context, begin.value.pending, new URL(redirect).search);
    if (!callback.ok) return { begin, redirect, callback };
    const response = await send(callback.value.request);
    const finish = engine.authorizeFinish(connector, { ...context, flow: callback.value.flow }, response);
    return { begin, redirect, callback, response, finish };
  }

  async function connected(connector, app, login) {
    const { finish } = await authorize(connector, app, login);
    assert.equal(finish.ok, true, JSON.stringify(finish));
    return finish.value.connection;
  }

  async function callApi(connector, app, connection, url = 'me') {
    const applied = engine.apply(connector, { connection, app }, { method: 'GET', url });
    assert.equal(applied.ok, true, JSON.stringify(applied));
    return send(applied.value);
  }

  async function refresh(connector, app, connection) {
    const begin = engine.refreshBegin(connector, { connection, app });
    if (!begin.ok) return { begin, finish: begin };
    const response = await send(begin.value.request);
    return { begin, response, finish: engine.refreshFinish(connector, { connection, app }, response) };
  }

  const connectedState = () => engine.stateSuccess(null, { version: 1 }).value;

  test('authorization code + PKCE, client auth in the body: URL, callback, token request, connection', async () => {
    const app = appContext(apps.demo_oauth);
    const before = Math.floor(Date.now() / 1000);
    const { begin, redirect, callback, finish } = await authorize(oauth, app, 'alice');

    // SPEC §2.2: what the engine adds to the authorization URL.
    const url = new URL(begin.value.url);
    assert.equal(`${url.origin}${url.pathname}`, op.endpoints.authorization);
    const q = Object.fromEntries(url.searchParams);
    assert.deepEqual(Object.keys(q).sort(),
      ['client_id', 'code_challenge', 'code_challenge_method', 'redirect_uri', 'response_type', 'scope', 'state']);
    assert.equal(q.response_type, 'code');
    assert.equal(q.client_id, 'demo-client');
    assert.equal(q.redirect_uri, REDIRECT_URI);
    assert.equal(q.scope, 'openid offline_access contacts:read contacts:write');
    assert.equal(q.state, begin.value.pending.state);
    assert.ok(Buffer.from(q.state, 'base64url').length >= 16, 'state carries at least 128 bits (SPEC §3)');
    assert.equal(q.code_challenge_method, 'S256');
    const { verifier } = begin.value.pending;
    assert.ok(verifier.length >= 43 && verifier.length <= 128, 'RFC 7636 §4.1 verifier length');
    assert.equal(q.code_challenge, createHash('sha256').update(verifier).digest('base64url'));
    assert.ok(begin.value.pending.expires_at >= before + 600 && begin.value.pending.expires_at <= before + 602);

    // The provider redirected with code, state and iss (RFC 9207); the
    // engine checked them and built the RFC 6749 §4.1.3 token request.
    const back = new URL(redirect).searchParams;
    assert.equal(back.get('iss'), op.issuer);
    assert.equal(callback.ok, true, JSON.stringify(callback));
    const request = callback.value.request;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, op.endpoints.token);
    assert.equal(request.headers.Accept, 'application/json');
    assert.equal(request.headers['Content-Type'], 'application/x-www-form-urlencoded');
    assert.equal(request.headers.Authorization, undefined);
    assert.deepEqual(form(request.body), {
      grant_type: 'authorization_code', code: back.get('code'), redirect_uri: REDIRECT_URI,
      code_verifier: verifier, client_id: 'demo-client', client_secret: 'demo-secret',
    });

    assert.equal(finish.ok, true, JSON.stringify(finish));
    const { connection, warnings, identity } = finish.value;
    assert.deepEqual(Object.keys(connection).sort(), ['access_token', 'expires_at', 'refresh_token']);
    assert.ok(connection.expires_at >= before + ACCESS_TOKEN_TTL && connection.expires_at <= before + ACCESS_TOKEN_TTL + 5);
    assert.deepEqual(warnings, []);
    assert.equal(identity, 'demo account');
    assert.deepEqual(op.tokenRequests.at(-1), {
      grant_type: 'authorization_code', client_id: 'demo-client', status: 200, error: undefined,
    });

    // The token works at the API, which asks the provider by introspection.
    const me = await callApi(oauth, app, connection);
    assert.equal(me.status, 200);
    assert.equal(JSON.parse(me.body).email, 'alice@example.com');
    assert.equal(api.lastAuthorization, `Bearer ${connection.access_token}`);
    const state = engine.stateView(connectedState()).value;
    assert.equal(state.status, 'connected');
  });

  test('pkce options (SPEC §10): a 128-character verifier connects; plain, which oidc-provider refuses, is what is sent', async () => {
    const app = appContext(apps.demo_oauth);
    const long = { ...oauth, authorization: { ...oauth.authorization, pkce: { verifier_length: 128 } } };
    const { begin, finish } = await authorize(long, app, 'alice');
    assert.equal(begin.value.pending.verifier.length, 128);
    assert.match(begin.value.pending.verifier, /^[A-Za-z0-9_-]{128}$/);
    assert.equal(finish.ok, true, JSON.stringify(finish));

    const plain = { ...oauth, authorization: { ...oauth.authorization, pkce: { method: 'plain' } } };
    const begun = engine.authorizeBegin(plain, { connection: {}, app, flow: { redirect_uri: REDIRECT_URI } });
    const url = new URL(begun.value.url);
    assert.equal(url.searchParams.get('code_challenge_method'), 'plain');
    assert.equal(url.searchParams.get('code_challenge'), begun.value.pending.verifier);
    const refused = new URL(await completeConsent(begun.value.url, { login: 'alice' })).searchParams;
    assert.equal(refused.get('error'), 'invalid_request', refused.toString());
  });

  test('identity from the ID token\'s claims and from the userinfo endpoint; the granted scope', async () => {
    const app = appContext(apps.demo_oauth);
    const scopes = ['openid', 'email', 'contacts:read'];
    const oidc = { ...oauth, authorization: { ...oauth.authorization, scopes, identity: '{{id_token.email}}' } };
    const { finish } = await authorize(oidc, app, 'lena');
    assert.equal(finish.ok, true, JSON.stringify(finish));
    assert.equal(finish.value.identity, 'lena@example.com');
    assert.deepEqual(finish.value.scope.split(' ').sort(), ['contacts:read', 'email', 'openid']);

    // The userinfo request runs in the connection loop's exchange, after the token.
    const userinfo = { ...oauth, authorization: { ...oauth.authorization, scopes,
      identity: { request: { url: op.endpoints.userinfo }, value: '{{response.email}} ({{response.sub}})' } } };
    const context = { connection: {}, app, flow: { redirect_uri: REDIRECT_URI } };
    const begun = engine.authorizeBegin(userinfo, context);
    const redirect = await completeConsent(begun.value.url, { login: 'mona' });
    const steps = [];
    const done = await runConnection(engine, userinfo, 'exchange', {
      pending: begun.value.pending, params: new URL(redirect).search, previous: { identity: 'lena@example.com (lena)' },
    }, {
      context: () => ({ connection: {}, app }),
      send: async (request, step) => {
        steps.push(step);
        return { ok: true, value: await send(request) };
      },
    });
    assert.equal(done.ok, true, JSON.stringify(done));
    assert.deepEqual(steps, ['token', 'identity']);
    assert.equal(done.value.identity, 'mona@example.com (mona)');
    assert.deepEqual(done.value.account_changed, { from: 'lena@example.com (lena)', to: 'mona@example.com (mona)' });
  });

  test('client auth basic (RFC 6749 §2.3.1): the secret only in the Authorization header, accepted', async () => {
    const app = appContext(apps.demo_oauth, { client_id: 'demo-client-basic' });
    const { callback, finish } = await authorize(basicOauth, app, 'alice');
    const request = callback.value.request;
    assert.equal(request.headers.Authorization, basicOf('demo-client-basic', 'demo-secret'));
    const body = form(request.body);
    assert.equal(body.client_id, undefined);
    assert.equal(body.client_secret, undefined);
    assert.equal(body.grant_type, 'authorization_code');
    assert.equal(finish.ok, true, JSON.stringify(finish));
    assert.equal(op.tokenRequests.at(-1).client_id, 'demo-client-basic');

    // Refresh uses the same placement.
    const renewed = await refresh(basicOauth, app, finish.value.connection);
    assert.equal(renewed.begin.value.request.headers.Authorization, basicOf('demo-client-basic', 'demo-secret'));
    assert.deepEqual(Object.keys(form(renewed.begin.value.request.body)).sort(), ['grant_type', 'refresh_token']);
    assert.equal(renewed.finish.ok, true, JSON.stringify(renewed.finish));
  });

  test('refresh with rotation: new tokens, and the old refresh token is rejected afterwards', async () => {
    const app = appContext(apps.demo_oauth);
    const first = await connected(oauth, app, 'rita');
    const counted = op.counters.refresh_token ?? 0;

    // Proactive refresh (SPEC §3): due from expires_at - refresh_buffer (default 60 s).
    assert.deepEqual(engine.refreshNeeded({ connection: first, app }, { now: first.expires_at - 61 }), { ok: true, value: false });
    assert.deepEqual(engine.refreshNeeded({ connection: first, app }, { now: first.expires_at - 60 }), { ok: true, value: true });
    assert.deepEqual(engine.refreshNeeded({ connection: first, app: { ...app, refresh_buffer: 0 } },
      { now: first.expires_at - 1 }), { ok: true, value: false });

    const { begin, finish } = await refresh(oauth, app, first);
    assert.deepEqual(form(begin.value.request.body), {
      grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: 'demo-client', client_secret: 'demo-secret',
    });
    assert.equal(finish.ok, true, JSON.stringify(finish));
    const second = finish.value.connection;
    assert.notEqual(second.access_token, first.access_token);
    assert.notEqual(second.refresh_token, first.refresh_token, 'the provider rotates refresh tokens');
    assert.equal(op.counters.refresh_token, counted + 1);
    assert.equal((await callApi(oauth, app, second)).status, 200);
    assert.equal((await callApi(oauth, app, first)).status, 200, 'the old access token stays valid until it expires');

    // Replaying the rotated refresh token: invalid_grant → authorization_revoked.
    const replay = await refresh(oauth, app, first);
    assert.equal(replay.response.status, 400);
    assert.equal(replay.finish.ok, false);
    assert.equal(replay.finish.error.code, 'invalid_grant');
    assert.equal(replay.finish.error.cause, 'authorization_revoked');
    // oidc-provider treats replay as theft and revokes the grant: the newest token is gone too.
    const after = await refresh(oauth, app, second);
    assert.equal(after.finish.error.cause, 'authorization_revoked');
  });

  test('revoked grant: 401, one refresh refused with invalid_grant → lost / authorization_revoked', async () => {
    const app = appContext(apps.demo_oauth);
    const connection = await connected(oauth, app, 'bob');
    let state = connectedState();
    assert.equal(op.revokeGrant('bob'), 1);

    // The request path of SPEC §2.5 as a host runs it.
    const response = await callApi(oauth, app, connection);
    assert.equal(response.status, 401);
    const classified = engine.classify(oauth, { connection, app }, response);
    assert.equal(classified.value.action, 'refresh');
    assert.deepEqual(engine.requestNextStep(classified.value.action, false), { ok: true, value: { next: 'refresh_and_retry' } });
    const { finish } = await refresh(oauth, app, connection);
    assert.equal(finish.ok, false);
    assert.equal(finish.error.cause, 'authorization_revoked');
    assert.match(finish.error.action, /Reconnect/);
    assert.match(finish.error.action, /service account/);

    state = engine.stateFailure(state, finish.error.cause, finish.error.detail).value;
    const view = engine.stateView(state).value;
    assert.equal(view.status, 'lost');
    assert.equal(view.lost.cause, 'authorization_revoked');
    assert.equal(view.lost.action, finish.error.action);
    assert.match(view.lost.detail, /invalid_grant/);
    assert.deepEqual(view.history.map((h) => [h.from, h.to, h.cause]),
      [['not_connected', 'connected', null], ['connected', 'lost', 'authorization_revoked']]);
    assert.doesNotMatch(JSON.stringify(view), new RegExp(connection.refresh_token));
  });

  test('access denied at the consent page, forged state and foreign issuer are refused', async () => {
    const app = appContext(apps.demo_oauth);
    const denied = await authorize(oauth, app, 'alice', { consent: { deny: true } });
    assert.equal(new URL(denied.redirect).searchParams.get('error'), 'access_denied');
    assert.equal(denied.callback.ok, false);
    assert.equal(denied.callback.error.code, 'access_denied');
    assert.match(denied.callback.error.message, /access_denied/);

    const context = { connection: {}, app, flow: { redirect_uri: REDIRECT_URI } };
    const begin = engine.authorizeBegin(oauth, context).value;
    const redirect = new URL(await completeConsent(begin.url, { login: 'alice' }));
    const forged = new URLSearchParams(redirect.search);
    forged.set('state', `${begin.pending.state.slice(0, -1)}x`);
    const mismatch = engine.authorizeCallback(oauth, context, begin.pending, forged.toString());
    assert.equal(mismatch.error.code, 'state_mismatch');
    assert.equal(mismatch.error.cause, null);

    const otherIssuer = { ...context, app: { ...app, issuer: 'https://login.other.example' } };
    const mixUp = engine.authorizeCallback(oauth, otherIssuer, begin.pending, redirect.search);
    assert.equal(mixUp.error.code, 'issuer_mismatch');

    // Expired: the state lives 10 minutes (SPEC §3).
    const late = engine.authorizeCallback(oauth, context, begin.pending, redirect.search, { now: begin.pending.expires_at });
    assert.equal(late.error.code, 'state_expired');
  });

  test('wrong client secret: exchange and refresh refused with invalid_client → lost / client_misconfigured', async () => {
    const app = appContext(apps.demo_oauth);
    const wrong = { ...app, client_secret: 'not-the-secret' };
    const exchange = await authorize(oauth, wrong, 'carol');
    assert.equal(exchange.finish.ok, false);
    assert.equal(exchange.finish.error.code, 'invalid_client');
    assert.equal(exchange.finish.error.cause, 'client_misconfigured');

    // A working connection whose app secret an admin then changes wrongly.
    const connection = await connected(oauth, app, 'carol');
    const { finish } = await refresh(oauth, wrong, connection);
    assert.equal(finish.error.cause, 'client_misconfigured');
    assert.match(finish.error.action, /administrator/);
    const view = engine.stateView(engine.stateFailure(connectedState(), finish.error.cause, finish.error.detail).value).value;
    assert.equal(view.status, 'lost');
    assert.equal(view.lost.cause, 'client_misconfigured');

    // Basic credentials sent to a client registered for the body are refused too (strict provider).
    const misplaced = await authorize(basicOauth, app, 'carol');
    assert.equal(misplaced.finish.error.cause, 'client_misconfigured');
  });

  test('client credentials via custom_auth: acquire with Basic, the test, re-acquire as refresh', async () => {
    const app = appContext(apps.demo_client_credentials);
    const before = op.counters.client_credentials ?? 0;
    const begin = engine.connectBegin(clientCredentials, { connection: {}, app });
    assert.equal(begin.ok, true, JSON.stringify(begin));
    assert.equal(begin.value.step, 'acquire');
    const acquire = begin.value.request;
    assert.equal(acquire.url, op.endpoints.token);
    assert.equal(acquire.headers.Authorization, basicOf('demo-client-basic', 'demo-secret'));
    assert.deepEqual(form(acquire.body), { grant_type: 'client_credentials', scope: 'contacts:read contacts:write' });

    const finish = engine.connectFinish(clientCredentials, { connection: {}, app }, await send(acquire));
    assert.equal(finish.ok, true, JSON.stringify(finish));
    const connection = finish.value.connection;
    assert.equal(typeof connection.access_token, 'string');
    assert.equal(connection.refresh_token, undefined);

    const testRequest = engine.testBegin(clientCredentials, { connection, app }).value.request;
    assert.equal(testRequest.url, `${api.url}/api/me`);
    const testResponse = await send(testRequest);
    assert.equal(JSON.parse(testResponse.body).id, 'demo-client-basic');
    assert.deepEqual(engine.testFinish(clientCredentials, { connection, app }, testResponse), { ok: true, value: { outcome: 'ok' } });

    // custom_auth refreshes by acquiring again.
    const renewed = await refresh(clientCredentials, app, connection);
    assert.deepEqual(form(renewed.begin.value.request.body), form(acquire.body));
    assert.equal(renewed.finish.ok, true, JSON.stringify(renewed.finish));
    assert.notEqual(renewed.finish.value.connection.access_token, connection.access_token);
    assert.equal(op.counters.client_credentials, before + 2);

    // A wrong app secret here is the client's fault as well.
    const refused = engine.connectFinish(clientCredentials, { connection: {}, app },
      await send(engine.connectBegin(clientCredentials, { connection: {}, app: { ...app, client_secret: 'nope' } }).value.request));
    assert.equal(refused.error.cause, 'client_misconfigured');
  });

  test('provider stopped: degraded with backoff; restarted: connected again without user action', async () => {
    const app = appContext(apps.demo_oauth);
    const connection = await connected(oauth, app, 'dave');
    let state = connectedState();
    const t0 = Math.floor(Date.now() / 1000);
    await op.stop();
    try {
      // The token endpoint is down: no response at all.
      const down = await refresh(oauth, app, connection);
      assert.ok(down.response.network_error, JSON.stringify(down.response));
      assert.equal(down.finish.error.cause, 'provider_unavailable');
      assert.match(down.finish.error.action, /Wait/);
      state = engine.stateFailure(state, down.finish.error.cause, down.finish.error.detail, { now: t0, randomFraction: 0.5 }).value;
      let view = engine.stateView(state).value;
      assert.equal(view.status, 'degraded');
      assert.equal(view.degraded.cause, 'provider_unavailable');
      assert.ok(view.next_retry_at >= t0 && view.next_retry_at <= t0 + 2, `first backoff window: ${view.next_retry_at - t0}`);

      // The connection test answers 503 (the API cannot introspect): still transient.
      const testResponse = await send(engine.testBegin(oauth, { connection, app }).value.request);
      assert.equal(testResponse.status, 503);
      const verdict = engine.testFinish(oauth, { connection, app }, testResponse);
      assert.equal(verdict.error.cause, 'provider_unavailable');
      state = engine.stateFailure(state, verdict.error.cause, verdict.error.detail, { now: t0 + 3, randomFraction: 0.5 }).value;
      view = engine.stateView(state).value;
      assert.equal(view.status, 'degraded', 'a short outage never loses a connection');
      assert.equal(state.failure_streak, 2);
    } finally {
      await op.start();
    }

    // The host's scheduled retry: the same stored connection refreshes.
    const again = await refresh(oauth, app, connection);
    assert.equal(again.finish.ok, true, JSON.stringify(again.finish));
    assert.equal((await callApi(oauth, app, again.finish.value.connection)).status, 200);
    state = engine.stateSuccess(state, { now: t0 + 10, version: 1 }).value;
    const view = engine.stateView(state).value;
    assert.equal(view.status, 'connected');
    assert.equal(view.lost, undefined);
    assert.equal(state.failure_streak, 0);
    assert.deepEqual(view.history.map((h) => [h.from, h.to, h.cause]), [
      ['not_connected', 'connected', null],
      ['connected', 'degraded', 'provider_unavailable'],
      ['degraded', 'connected', null],
    ]);
  });
});
