// OAuth 2.0 end to end on loopback, all real (SPEC §3, §4, §5, §7): workerd
// with the engine, oidc-provider, and an API that introspects every token.
// An admin registers the connector and the app; members connect through the
// provider's login and consent pages; the proxy reaches the API. The
// callback page hands the provider's answer to the exact origin that
// started; the completion is single-use, bound to the session and binding
// that started it, and expiring; refresh failures are diagnosed; app
// delete/reset/disable/enable act on real tokens; raw storage and API
// answers never hold a token or the client secret.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { session } from './fixtures/edge_harness.mjs';
import {
  startWorld, createApp, connectOAuth, startConnect, finishConnect, runCallbackPage, lastAccessToken, DEMO_CLIENT_SECRET,
} from './fixtures/demo_world.mjs';
import { completeConsent } from '../../demo/consent.mjs';

const world = await startWorld({ persist: true });
after(() => world.stop());
const { edge, provider, demoApi, admin } = world;
const alice = await session('org-demo', 'alice', 'member');
const bob = await session('org-demo', 'bob', 'member');
const dana = await session('org-demo', 'dana', 'member');
const outsider = await session('org-other', 'alice', 'member');

// Every answer of the API and the proxy, checked for secrets at the end.
const answers = [];
async function call(method, path, options) {
  const r = await edge.api(method, path, options);
  answers.push(r.text);
  return r;
}
const connection = async (id, token = alice) => (await call('GET', `/api/apps/${id}/connection`, { token })).data;
const tokenRequests = () => provider.tokenRequests.length;

describe('connect and proxy', () => {
  test('a member connects through the provider\'s pages and the proxy reaches the API', async () => {
    const { begun, callback, completion, redirect } = await connectOAuth(edge, world.appId, alice, { login: 'alice' });
    answers.push(begun.text);
    assert.match(begun.data.binding, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(begun.headers.get('set-cookie'), null, 'no cookie: the binding goes to the bearer caller only');
    assert.equal(begun.data.prompt, 'Connect your demo account so connauth can read and add contacts for you.');
    const authorization = new URL(begun.data.authorization_url);
    assert.equal(authorization.origin, provider.issuer);
    assert.equal(authorization.searchParams.get('redirect_uri'), `${edge.base}/oauth/callback`);
    assert.equal(authorization.searchParams.get('state'), begun.data.state);
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(begun.data.state.length >= 22, true, '128 random bits');

    assert.equal(callback.status, 200);
    const page = runCallbackPage(callback.text);
    assert.deepEqual(page.posted, [{
      message: { type: 'connauth:oauth', state: begun.data.state, ok: true, error: null, message: '', callback: new URL(redirect).search },
      origin: edge.base,
    }], 'posted to the console\'s exact origin, never "*"');
    assert.deepEqual(page.broadcast, []);
    assert.equal(page.closed, true);
    assert.equal(completion.status, 200, completion.text);
    // The granted scope is the token response's: oidc-provider leaves out
    // offline_access without prompt=consent (OIDC Core §11).
    assert.deepEqual(completion.data, { app_id: world.appId, connected: true, identity: 'demo account',
      scope: 'openid contacts:read contacts:write' });

    const c = await connection(world.appId);
    assert.equal(c.status, 'connected');
    assert.equal(c.identity, 'demo account');
    assert.equal(c.scope, 'openid contacts:read contacts:write');
    assert.equal(typeof c.expires_at, 'number');
    assert.deepEqual(c.history.map((h) => [h.from, h.to]), [['not_connected', 'connected']]);

    const me = await call('GET', `/proxy/${world.appId}/me`, { token: alice });
    assert.equal(me.status, 200);
    assert.deepEqual(me.data, { id: 'alice', email: 'alice@example.com', name: 'Alice' });
    const introspected = await provider.introspect(lastAccessToken(demoApi));
    assert.equal(introspected.active, true, 'a valid token, confirmed by the provider');
    const created = await call('POST', `/proxy/${world.appId}/contacts`, { token: alice, json: { name: 'Grace Hopper' } });
    assert.equal(created.status, 201);
    assert.equal(created.data.name, 'Grace Hopper');
  });

  test('the callback page has a strict CSP: its one script runs by nonce', async () => {
    const { callback } = await connectOAuth(edge, world.appId, bob, { login: 'bob' });
    const csp = callback.headers.get('content-security-policy');
    const page = runCallbackPage(callback.text);
    assert.match(csp, /default-src 'none'/);
    assert.ok(csp.includes(`script-src 'nonce-${page.nonce}'`), csp);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.equal(callback.headers.get('cache-control'), 'no-store');
    assert.equal(callback.headers.get('referrer-policy'), 'no-referrer');
    assert.equal((await connectOAuth(edge, world.appId, bob, { login: 'bob' })).callback.headers.get('content-security-policy').includes(page.nonce), false, 'a fresh nonce each time');
  });

  test('each user has their own tokens; another org sees nothing', async () => {
    assert.equal((await call('GET', `/proxy/${world.appId}/me`, { token: bob })).data.id, 'bob');
    assert.equal((await call('GET', `/proxy/${world.appId}/me`, { token: alice })).data.id, 'alice');
    assert.equal((await call('GET', `/proxy/${world.appId}/me`, { token: outsider })).status, 404);
    assert.equal((await call('GET', `/api/apps/${world.appId}/connection`, { token: outsider })).status, 404);
  });
});

describe('the callback refuses what it did not start', () => {
  test('a replayed callback: the page reports it, a replayed completion is refused, no token request', async () => {
    const { path, begun, page, binding } = await connectOAuth(edge, world.appId, bob, { login: 'bob' });
    const before = tokenRequests();
    const replay = await call('GET', path);
    assert.equal(replay.status, 400);
    const again = runCallbackPage(replay.text);
    assert.equal(again.posted[0].message.ok, false);
    assert.equal(again.posted[0].message.error, 'state_mismatch');
    assert.equal(again.posted[0].message.state, begun.data.state);
    assert.equal(again.posted[0].origin, edge.base);
    assert.match(replay.text, /used already/);
    const completion = await call('POST', `/api/apps/${world.appId}/connect/complete`, { token: bob,
      json: { state: begun.data.state, callback: page.posted[0].message.callback, binding } });
    assert.equal(completion.status, 422);
    assert.equal(completion.data.reason, 'state_mismatch');
    assert.equal(tokenRequests(), before, 'the code was not sent again');
  });

  test('a foreign state: refused; without an opener the page falls back to BroadcastChannel', async () => {
    const before = tokenRequests();
    const foreign = await call('GET', '/oauth/callback?code=abc&state=AAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(foreign.status, 400);
    const page = runCallbackPage(foreign.text, { opener: false, location: edge.base });
    assert.deepEqual(page.posted, []);
    assert.deepEqual(page.broadcast, [{
      name: 'connauth:AAAAAAAAAAAAAAAAAAAAAA',
      message: { type: 'connauth:oauth', state: 'AAAAAAAAAAAAAAAAAAAAAA', ok: false, error: 'state_mismatch', message: page.broadcast[0].message.message },
    }]);
    assert.equal(page.closed, true);
    for (const query of ['code=abc', 'code=abc&state=a&state=b', 'state=%3Cscript%3E&code=1']) {
      const r = await call('GET', `/oauth/callback?${query}`);
      assert.equal(r.status, 400, query);
      assert.doesNotMatch(r.text, /<script>[^(]/, 'nothing of the query becomes markup');
    }
    assert.equal(tokenRequests(), before);
  });

  test('an expired state: refused by the engine, no token request', async () => {
    // A pending authorization as connect stores it, but issued 11 minutes ago.
    const ns = await edge.mf.getDurableObjectNamespace('AUTHORIZATION_STORE');
    const state = 'expiredStateAAAAAAAAAAA';
    const hash = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(state))).toString('hex');
    const stub = ns.get(ns.idFromName(JSON.stringify(['authorization', hash])));
    const app = (await call('GET', `/api/apps/${world.appId}`, { token: admin })).data;
    const now = Math.floor(Date.now() / 1000);
    const browser = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('b'.repeat(43)))).toString('hex');
    const begun = await stub.begin(hash, {
      org: 'org-demo', user: 'alice', app: world.appId, generation: 1, fields: {}, browser, origin: edge.base,
      pending: { state, verifier: 'v'.repeat(43), expires_at: now - 60, redirect_uri: `${edge.base}/oauth/callback` },
    });
    assert.equal(begun.ok, true);
    assert.equal(app.id, world.appId);
    const before = tokenRequests();
    const callback = `?code=abc&state=${state}&iss=${encodeURIComponent(provider.issuer)}`;
    const r = await call('GET', `/oauth/callback${callback}`);
    assert.equal(runCallbackPage(r.text).posted[0].message.callback, callback, 'the page hands the answer on');
    const completion = await call('POST', `/api/apps/${world.appId}/connect/complete`, { token: alice, json: { state, callback, binding: 'b'.repeat(43) } });
    assert.equal(completion.status, 422);
    assert.equal(completion.data.reason, 'state_expired');
    assert.equal(tokenRequests(), before);
  });

  test('each connect answers its own binding; a newer attempt replaces the older one', async () => {
    const first = await startConnect(edge, world.appId, bob);
    const second = await startConnect(edge, world.appId, bob);
    assert.notEqual(first.binding, second.binding);
    // One pending authorization per user and app: the second replaced the first.
    assert.equal((await finishConnect(edge, second, { login: 'bob' })).completion.status, 200);
    const late = (await finishConnect(edge, first, { login: 'bob' })).completion;
    assert.equal(late.data?.reason, 'state_mismatch', late.text);
  });

  test('a forwarded authorization link: completed in another browser or session, refused with no token request', async () => {
    // Mallory starts connecting in her session and sends the provider's link
    // to Alice; Alice signs in and consents in her own browser. There the
    // callback page has no opener: no console of Mallory's gets the answer.
    const mallory = await session('org-demo', 'mallory', 'member');
    const started = await startConnect(edge, world.appId, mallory);
    const redirect = await (await import('../../demo/consent.mjs')).completeConsent(started.begun.data.authorization_url, { login: 'alice' });
    const orphan = runCallbackPage((await call('GET', new URL(redirect).pathname + new URL(redirect).search)).text, { opener: false, location: edge.base });
    assert.deepEqual(orphan.posted, []);
    assert.equal(orphan.broadcast.length, 1, 'only to pages of this origin in Alice\'s browser, where nothing waits for it');
    const before = tokenRequests();
    // Even holding the answer, no completion but Mallory's own (session and
    // binding) is accepted: not a binding the client made up, not Alice's
    // session. Each refusal consumes its attempt, so each uses a fresh one.
    // (A newer connect replaces the pending one, so each starts just before its completion.)
    const bindings = [`${'x'.repeat(43)}`, 'short', `${started.binding.slice(0, -1)}A`];
    for (const binding of bindings) {
      const fresh = await startConnect(edge, world.appId, mallory);
      const { completion } = await finishConnect(edge, fresh, { login: 'alice', as: { binding } });
      assert.equal(completion.status, 403, binding);
      assert.equal(completion.data.reason, 'state_mismatch');
      assert.match(completion.data.message, /started in another browser or session/);
    }
    const { completion } = await finishConnect(edge, await startConnect(edge, world.appId, mallory), { login: 'alice', as: { token: alice } });
    assert.equal(completion.status, 403, 'another session cannot complete it either');
    assert.equal(tokenRequests(), before, 'no code was exchanged');
    assert.equal((await connection(world.appId, mallory)).status, 'not_connected', 'nothing of Alice\'s account landed in Mallory\'s connection');
  });

  test('a console origin not in CONSOLE_ORIGINS cannot start connecting', async () => {
    const r = await call('POST', `/api/apps/${world.appId}/connect`, { token: alice, json: {}, headers: { origin: 'https://evil.example' } });
    assert.equal(r.status, 403);
    assert.match(r.data.message, /CONSOLE_ORIGINS/);
  });

  test('the user cancels on the provider\'s page: access_denied, nothing changes', async () => {
    const before = await connection(world.appId, bob);
    const { completion } = await connectOAuth(edge, world.appId, bob, { deny: true });
    assert.equal(completion.data.reason, 'access_denied');
    assert.deepEqual(await connection(world.appId, bob), before);
  });

  test('an iss other than the app\'s issuer (RFC 9207): refused before the token request', async () => {
    const id = await createApp(edge, admin, { providerUrl: provider.issuer, apiUrl: demoApi.url, issuer: 'http://127.0.0.1:9/other' });
    const before = tokenRequests();
    const { completion } = await connectOAuth(edge, id, alice);
    assert.equal(completion.data.reason, 'issuer_mismatch');
    assert.equal(tokenRequests(), before);
    assert.equal((await connection(id)).status, 'not_connected');
  });

  test('no iss while the app knows its issuer (RFC 9207 §2.4): refused before the token request', async () => {
    const started = await startConnect(edge, world.appId, dana);
    const redirect = new URL(await completeConsent(started.begun.data.authorization_url, { login: 'dana' }));
    assert.equal(redirect.searchParams.get('iss'), provider.issuer, 'the provider does send it');
    redirect.searchParams.delete('iss'); // what a mix-up attacker's server would answer
    const before = tokenRequests();
    const completion = await call('POST', `/api/apps/${world.appId}/connect/complete`, {
      token: dana, json: { state: started.begun.data.state, callback: redirect.search, binding: started.binding },
    });
    assert.equal(completion.data.reason, 'issuer_missing', completion.text);
    assert.equal(tokenRequests(), before);
    assert.equal((await connection(world.appId, dana)).status, 'not_connected');
  });
});

describe('diagnosis', () => {
  test('wrong client secret: the callback says so; on refresh the connection is lost/client_misconfigured', async () => {
    const id = await createApp(edge, admin, { providerUrl: provider.issuer, apiUrl: demoApi.url, client_secret: 'not-the-secret' });
    const { completion } = await connectOAuth(edge, id, alice);
    assert.equal(completion.status, 422);
    assert.equal(completion.data.reason, 'invalid_client');
    assert.match(`${completion.data.message} ${completion.data.action}`, /client id and client secret/);
    assert.equal((await connection(id)).status, 'not_connected');

    await call('PATCH', `/api/apps/${id}`, { token: admin, json: { client_secret: DEMO_CLIENT_SECRET } });
    assert.equal((await connectOAuth(edge, id, alice)).completion.status, 200);
    assert.equal((await call('GET', `/proxy/${id}/me`, { token: alice })).status, 200);
    // An admin breaks the secret; the next refresh is refused.
    await call('PATCH', `/api/apps/${id}`, { token: admin, json: { client_secret: 'rotated-wrongly' } });
    world.rejectAtApi(lastAccessToken(demoApi));
    const r = await call('GET', `/proxy/${id}/me`, { token: alice });
    assert.equal(r.status, 409);
    assert.equal(r.data.error, 'connection_lost');
    assert.equal(r.data.lost.cause, 'client_misconfigured');
    assert.match(r.data.lost.action, /administrator/i);
    const c = await connection(id);
    assert.equal(c.status, 'lost');
    assert.equal(c.history.at(-1).cause, 'client_misconfigured');
  });

  test('revoked grant: lost/authorization_revoked with the recommended action; reconnecting fixes it', async () => {
    const id = await createApp(edge, admin, { providerUrl: provider.issuer, apiUrl: demoApi.url });
    const carol = await session('org-demo', 'carol', 'member');
    await connectOAuth(edge, id, carol, { login: 'carol' });
    assert.equal((await call('GET', `/proxy/${id}/me`, { token: carol })).status, 200);
    assert.ok(provider.revokeGrant('carol') >= 1);
    const r = await call('GET', `/proxy/${id}/me`, { token: carol });
    assert.equal(r.status, 409);
    assert.equal(r.data.lost.cause, 'authorization_revoked');
    assert.match(r.data.lost.action, /service account/);
    const c = await connection(id, carol);
    assert.equal(c.status, 'lost');
    assert.deepEqual(c.history.map((h) => h.to), ['connected', 'lost']);
    assert.equal(provider.tokenRequests.at(-1).error, 'invalid_grant');
    const before = tokenRequests();
    assert.equal((await call('GET', `/proxy/${id}/me`, { token: carol })).status, 409);
    assert.equal(tokenRequests(), before, 'a lost connection sends nothing');

    await connectOAuth(edge, id, carol, { login: 'carol' });
    assert.equal((await connection(id, carol)).status, 'connected');
    assert.equal((await call('GET', `/proxy/${id}/me`, { token: carol })).status, 200);
  });

  test('a connector whose apply needs a value it lacks: connector_error naming the last working version', async () => {
    const broken = { ...JSON.parse(JSON.stringify((await call('GET', '/api/connectors/demo_oauth', { token: admin })).data.definition)) };
    const id = await createApp(edge, admin, { providerUrl: provider.issuer, apiUrl: demoApi.url });
    await connectOAuth(edge, id, alice);
    const working = (await call('GET', '/api/connectors/demo_oauth', { token: admin })).data.version;
    broken.authorization.apply = [{ headers: { Authorization: 'Bearer {{access_token}}', 'X-Tenant': '{{connection.tenant}}' } }];
    assert.equal((await call('PUT', '/api/connectors/demo_oauth', { token: admin, json: broken })).status, 201);
    const r = await call('GET', `/proxy/${id}/me`, { token: alice });
    assert.equal(r.status, 502);
    assert.equal(r.data.error, 'connector_error');
    assert.equal(r.data.lost.cause, 'connector_error');
    assert.match(r.data.lost.action, new RegExp(`version ${working}\\b`));
    assert.equal((await connection(id)).status, 'lost');
    // The admin restores it; "Check connection" brings the connection back.
    assert.equal((await call('POST', '/api/connectors/demo_oauth/rollback', { token: admin, json: { version: working } })).status, 201);
    const checked = await call('POST', `/api/apps/${id}/check`, { token: alice });
    assert.equal(checked.data.status, 'connected');
  });
});

describe('app lifecycle with tokens (SPEC §5)', () => {
  test('disable keeps tokens but makes them unusable; enable makes them usable again', async () => {
    const id = await createApp(edge, admin, { providerUrl: provider.issuer, apiUrl: demoApi.url });
    await connectOAuth(edge, id, alice);
    const pending = await startConnect(edge, id, bob); // started before the disable
    await call('POST', `/api/apps/${id}/disable`, { token: admin });
    const before = tokenRequests();
    const p = await call('GET', `/proxy/${id}/me`, { token: alice });
    assert.equal(p.status, 403);
    assert.equal(p.data.error, 'app_disabled');
    assert.equal((await connection(id)).status, 'disabled');
    assert.equal((await call('POST', `/api/apps/${id}/connect`, { token: bob, json: {} })).data.error, 'app_disabled');
    const late = await finishConnect(edge, pending, { login: 'bob' });
    assert.equal(late.completion.data.reason, 'app_disabled');
    await call('POST', `/api/apps/${id}/enable`, { token: admin });
    assert.equal((await connection(id)).status, 'connected');
    assert.equal((await call('GET', `/proxy/${id}/me`, { token: alice })).data.id, 'alice');
    assert.equal(tokenRequests(), before, 'the kept tokens were used as they were');
  });

  test('reset removes every user\'s tokens, keeps the config; delete removes everything', async () => {
    const id = await createApp(edge, admin, { providerUrl: provider.issuer, apiUrl: demoApi.url });
    await connectOAuth(edge, id, alice);
    await connectOAuth(edge, id, bob, { login: 'bob' });
    const pending = await startConnect(edge, id, alice);
    assert.equal((await call('POST', `/api/apps/${id}/reset`, { token: admin })).status, 200);
    for (const token of [alice, bob]) {
      assert.equal((await connection(id, token)).status, 'not_connected');
      assert.equal((await call('GET', `/proxy/${id}/me`, { token })).data.error, 'not_connected');
    }
    const late = await finishConnect(edge, pending);
    assert.equal(late.completion.data.reason, 'conflict', 'begun before the reset');
    assert.equal((await call('GET', `/api/apps/${id}`, { token: admin })).data.name, 'Demo CRM');
    await connectOAuth(edge, id, alice);
    assert.equal((await call('GET', `/proxy/${id}/me`, { token: alice })).status, 200);

    assert.equal((await call('DELETE', `/api/apps/${id}`, { token: admin })).status, 204);
    assert.equal((await call('GET', `/proxy/${id}/me`, { token: alice })).status, 404);
    assert.equal((await call('GET', `/api/apps/${id}/connection`, { token: alice })).status, 404);
    const ns = await edge.mf.getDurableObjectNamespace('CONNECTION_STORE');
    for (const [generation, user] of [[1, 'alice'], [1, 'bob'], [2, 'alice']]) {
      const ref = { org: 'org-demo', app: id, generation, user };
      const stub = ns.get(ns.idFromName(JSON.stringify(['connection', ref.org, ref.app, ref.generation, ref.user])));
      assert.equal((await stub.view(ref)).value.state, null, `${generation}/${user} wiped`);
    }
  });
});

describe('secrets', () => {
  test('raw storage holds no token, client secret or state in plain text; no answer carries them', async () => {
    const { begun } = await connectOAuth(edge, world.appId, alice);
    await call('GET', `/proxy/${world.appId}/me`, { token: alice });
    const accessToken = lastAccessToken(demoApi);
    const refreshTokens = provider.stored('RefreshToken').map((t) => t.jti);
    assert.ok(accessToken && refreshTokens.length > 0);
    // Read once: a Durable Object's SQLite side files (-shm, -wal) may be
    // removed between listing and reading when it closes.
    const contents = filesUnder(edge.persistDir).flatMap((file) => {
      try {
        return [readFileSync(file)];
      } catch (e) {
        if (e.code === 'ENOENT') return [];
        throw e;
      }
    });
    const stored = (text) => {
      const needles = [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le')];
      return contents.some((bytes) => needles.some((n) => bytes.includes(n)));
    };
    assert.ok(stored('Demo CRM'), 'positive control: the app name is stored in plain text');
    assert.ok(stored(provider.issuer), 'positive control: a plain setting');
    for (const secret of [accessToken, ...refreshTokens, DEMO_CLIENT_SECRET, begun.data.state]) {
      assert.equal(stored(secret), false, `${secret.slice(0, 6)}… is not stored in plain text`);
    }
    const all = answers.join('\n');
    for (const secret of [accessToken, ...refreshTokens, DEMO_CLIENT_SECRET]) {
      assert.equal(all.includes(secret), false, `${secret.slice(0, 6)}… is never answered`);
    }
    assert.doesNotMatch(all, /client_secret"\s*:|refresh_token|access_token/);
  });
});

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
