// The demo OAuth 2.0 server (demo/provider.mjs) behaves as a real, strict
// provider: authorization code + PKCE, both client authentication methods,
// refresh rotation with replay detection, revocation, client credentials,
// introspection, and an outage/recovery on the same port with state kept.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startProvider } from '../../demo/provider.mjs';
import { completeConsent } from '../../demo/consent.mjs';
import { createPkce } from '../../demo/pkce.mjs';
import {
  authorizationUrl, connectAccount, refreshTokens, tokenRequest, DEFAULT_REDIRECT_URI,
} from '../../demo/oauth-client.mjs';
import { basicAuthorization } from '../../demo/client-auth.mjs';
import { CookieJar } from '../../demo/cookie-jar.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const basic = { clientId: 'demo-client-basic', auth: 'basic' };

describe('demo provider', () => {
  let op;
  before(async () => { op = await startProvider({ accessTokenTTL: 600 }); });
  after(() => op.stop());

  test('discovery: issuer on loopback, code flow only, S256, introspection and revocation', async () => {
    assert.match(op.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(op.url, op.issuer);
    const meta = await (await fetch(op.endpoints.discovery)).json();
    assert.equal(meta.issuer, op.issuer);
    assert.deepEqual(meta.response_types_supported, ['code']);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.equal(meta.token_endpoint, op.endpoints.token);
    assert.equal(meta.introspection_endpoint, op.endpoints.introspection);
    assert.equal(meta.revocation_endpoint, op.endpoints.revocation);
    for (const scope of ['openid', 'offline_access', 'contacts:read']) assert.ok(meta.scopes_supported.includes(scope));
    assert.ok(meta.grant_types_supported.includes('client_credentials'));
  });

  test('authorization code + PKCE, client_secret_post: tokens, state and iss (RFC 9207)', async () => {
    const pkce = createPkce();
    const redirect = await completeConsent(
      authorizationUrl(op, { state: 'xyz', pkce }), { login: 'alice' },
    );
    const params = new URL(redirect).searchParams;
    assert.ok(redirect.startsWith(DEFAULT_REDIRECT_URI));
    assert.equal(params.get('state'), 'xyz');
    assert.equal(params.get('iss'), op.issuer);
    assert.ok(params.get('code'));

    const res = await tokenRequest(op, {
      grant_type: 'authorization_code', code: params.get('code'), redirect_uri: DEFAULT_REDIRECT_URI, code_verifier: pkce.verifier,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 600);
    assert.equal(typeof res.body.access_token, 'string');
    // Refresh token without prompt=consent (issueRefreshToken override).
    assert.equal(typeof res.body.refresh_token, 'string');
    assert.match(res.body.scope, /contacts:read/);
    // Opaque access token: not a JWT.
    assert.equal(res.body.access_token.split('.').length, 1);

    const info = await op.introspect(res.body.access_token);
    assert.equal(info.active, true);
    assert.equal(info.sub, 'alice');
    assert.equal(info.client_id, 'demo-client');
  });

  test('authorization code, client_secret_basic (RFC 6749 §2.3.1)', async () => {
    const tokens = await connectAccount(op, { login: 'bob', ...basic });
    assert.equal((await op.introspect(tokens.access_token)).client_id, 'demo-client-basic');
    // The registered method is enforced: the same client in the body is refused.
    const res = await refreshTokens(op, tokens.refresh_token, { clientId: 'demo-client-basic', auth: 'post' });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
    // And a client registered for the body is refused in the header.
    const post = await connectAccount(op, { login: 'bob' });
    const viaBasic = await refreshTokens(op, post.refresh_token, { auth: 'basic' });
    assert.equal(viaBasic.status, 401);
    assert.equal(viaBasic.body.error, 'invalid_client');
  });

  test('PKCE is required, and a wrong verifier is invalid_grant', async () => {
    const withoutPkce = await completeConsent(authorizationUrl(op, { pkce: false }));
    assert.equal(new URL(withoutPkce).searchParams.get('error'), 'invalid_request');

    const redirect = await completeConsent(authorizationUrl(op));
    const res = await tokenRequest(op, {
      grant_type: 'authorization_code', code: new URL(redirect).searchParams.get('code'),
      redirect_uri: DEFAULT_REDIRECT_URI, code_verifier: createPkce().verifier,
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_grant');
  });

  test('a code is single-use and bound to its redirect_uri', async () => {
    const pkce = createPkce();
    const redirect = await completeConsent(authorizationUrl(op, { pkce }));
    const code = new URL(redirect).searchParams.get('code');
    const wrongUri = await tokenRequest(op, {
      grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:9/other', code_verifier: pkce.verifier,
    });
    assert.equal(wrongUri.body.error, 'invalid_grant');
    const params = { grant_type: 'authorization_code', code, redirect_uri: DEFAULT_REDIRECT_URI, code_verifier: pkce.verifier };
    const results = [await tokenRequest(op, params), await tokenRequest(op, params)];
    assert.deepEqual(results.map((r) => r.body.error), [undefined, 'invalid_grant']);
  });

  test('the sign-in page loads nothing from outside loopback (popup tests run offline)', async () => {
    const jar = new CookieJar();
    const start = authorizationUrl(op);
    const first = await fetch(start, { redirect: 'manual' });
    jar.store(start, first);
    const page = new URL(first.headers.get('location'), start).href;
    const res = await fetch(page, { headers: { cookie: jar.header(page) } });
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.match(html, /name="login"/);
    assert.match(html, /name="password"/);
    assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
  });

  test('the user can deny consent: error=access_denied on the redirect', async () => {
    const redirect = await completeConsent(authorizationUrl(op, { state: 's-deny' }), { deny: true });
    const params = new URL(redirect).searchParams;
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('state'), 's-deny');
    assert.equal(params.get('code'), null);
  });

  test('refresh rotates; the old refresh token is then invalid_grant (and the grant is revoked)', async () => {
    const first = await connectAccount(op, { login: 'carol' });
    op.resetCounters();
    const second = await refreshTokens(op, first.refresh_token);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    assert.notEqual(second.body.access_token, first.access_token);
    assert.deepEqual({ ...op.counters }, { refresh_token: 1 });

    const third = await refreshTokens(op, second.body.refresh_token);
    assert.equal(third.status, 200);

    const replay = await refreshTokens(op, first.refresh_token);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    // Replay detection (RFC 9700 §4.14.2): the whole grant is revoked.
    const newest = await refreshTokens(op, third.body.refresh_token);
    assert.equal(newest.body.error, 'invalid_grant');
    assert.equal(op.counters.refresh_token, 4);
    assert.deepEqual(op.tokenRequests.map((r) => r.status), [200, 200, 400, 400]);
  });

  test('revokeGrant: the user revoked access, refresh is invalid_grant and tokens are inactive', async () => {
    const tokens = await connectAccount(op, { login: 'dave' });
    const other = await connectAccount(op, { login: 'erin' });
    assert.equal(op.revokeGrant('dave'), 1);
    const res = await refreshTokens(op, tokens.refresh_token);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_grant');
    assert.equal((await op.introspect(tokens.access_token)).active, false);
    // Other accounts are untouched.
    assert.equal((await refreshTokens(op, other.refresh_token)).status, 200);
  });

  test('revocation endpoint (RFC 7009) deactivates an access token', async () => {
    const tokens = await connectAccount(op, { login: 'frank' });
    const res = await fetch(op.endpoints.revocation, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.access_token, client_id: 'demo-client', client_secret: 'demo-secret' }),
    });
    assert.equal(res.status, 200);
    assert.equal((await op.introspect(tokens.access_token)).active, false);
  });

  test('client credentials grant (RFC 6749 §4.4) with HTTP Basic', async () => {
    const res = await tokenRequest(op, { grant_type: 'client_credentials', scope: 'contacts:read' }, basic);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.scope, 'contacts:read');
    assert.equal(res.body.refresh_token, undefined);
    const info = await op.introspect(res.body.access_token);
    assert.equal(info.active, true);
    assert.equal(info.client_id, 'demo-client-basic');
    assert.equal(info.sub, undefined);
  });

  test('wrong client secret is invalid_client; introspection needs client authentication', async () => {
    const res = await tokenRequest(op, { grant_type: 'client_credentials' }, { ...basic, clientSecret: 'nope' });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
    const anonymous = await fetch(op.endpoints.introspection, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x',
    });
    assert.equal(anonymous.status, 400);
    const unknown = await fetch(op.endpoints.introspection, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization('demo-api', 'demo-api-secret') },
      body: 'token=not-a-token',
    });
    assert.deepEqual(await unknown.json(), { active: false });
  });

  test('stop: connection refused; start: same port, same grants and tokens', async () => {
    const tokens = await connectAccount(op, { login: 'grace' });
    const { port } = op;
    await op.stop();
    assert.equal(op.running, false);
    await assert.rejects(fetch(op.endpoints.token, { method: 'POST' }), (err) => {
      assert.equal(err.cause?.code, 'ECONNREFUSED');
      return true;
    });
    await op.start();
    assert.equal(op.port, port);
    assert.equal((await op.introspect(tokens.access_token)).active, true);
    const res = await refreshTokens(op, tokens.refresh_token);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });
});

test('access tokens expire after accessTokenTTL; refresh tokens still work', async () => {
  const op = await startProvider({ accessTokenTTL: 2 });
  try {
    const tokens = await connectAccount(op, { login: 'heidi' });
    assert.equal(tokens.expires_in, 2);
    await sleep(2600);
    assert.equal((await op.introspect(tokens.access_token)).active, false);
    const res = await refreshTokens(op, tokens.refresh_token);
    assert.equal(res.status, 200);
    assert.equal((await op.introspect(res.body.access_token)).active, true);
  } finally {
    await op.stop();
  }
});

test('options: fixed port, extra clients with exact redirect URIs', async () => {
  const probe = await startProvider();
  const { port } = probe;
  await probe.stop();
  const op = await startProvider({
    port,
    clients: [{
      client_id: 'exact', client_secret: 'exact-secret', application_type: 'web',
      redirect_uris: ['http://127.0.0.1:5555/cb'], grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
    }],
  });
  try {
    assert.equal(op.port, port);
    const tokens = await connectAccount(op, {
      clientId: 'exact', clientSecret: 'exact-secret', auth: 'basic', redirectUri: 'http://127.0.0.1:5555/cb',
    });
    assert.ok(tokens.refresh_token);
    // A web client's redirect URI must match exactly: the provider shows an error page instead.
    await assert.rejects(
      completeConsent(authorizationUrl(op, { clientId: 'exact', redirectUri: 'http://127.0.0.1:5556/cb' })),
      /redirect_uri/,
    );
  } finally {
    await op.stop();
  }
});

test('invalid client metadata fails startProvider (and leaves no listener)', async () => {
  await assert.rejects(
    startProvider({ clients: [{ client_id: 'broken', redirect_uris: ['http://127.0.0.1/cb'] }] }),
    /client_secret is mandatory/,
  );
});
