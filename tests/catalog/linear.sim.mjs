// Linear, as documented at https://linear.app/developers/oauth-2-0-authentication
// and https://linear.app/developers/graphql: comma-separated scopes, PKCE,
// the secret in the body, 24-hour access tokens with rotating refresh tokens,
// the granted scope answered as an array, one GraphQL endpoint taking POSTed
// JSON, and an expired token answered as a GraphQL error whose extensions
// code is AUTHENTICATION_ERROR, with HTTP 400 or with HTTP 200 (the connector
// does not depend on the status).
import assert from 'node:assert/strict';

const CLIENT = { id: 'f1a9e7b2c4d6e8f0a1b3c5d7e9f1a2b4', secret: 'fake-linear-client-secret' };

const graphql = (answer) => (g, r) => {
  if (typeof r.json?.query !== 'string') return { status: 400, body: { errors: [{ message: 'Must provide query string.' }] } };
  return { data: answer(r.json.query) };
};

export default {
  title: 'Linear',
  connector: 'linear',
  app: { scopes: ['read', 'write'] },
  call: { method: 'POST', url: 'graphql', headers: [['Content-Type', 'application/json']],
    body: JSON.stringify({ query: '{ issues(first: 5) { nodes { identifier title } } }' }) },
  provider: {
    client: CLIENT,
    authorize: { at: 'linear.app/oauth/authorize', require: { scope: 'read,write' }, pkce: true },
    token: {
      at: 'api.linear.app/oauth/token',
      clientAuth: 'body',
      rotate: true,
      answer: (t) => ({ access_token: `lin_oauth_${t.access_token}`, token_type: 'Bearer', expires_in: 86399,
        scope: ['read', 'write'], refresh_token: t.refresh_token }),
    },
    api: [
      { at: 'api.linear.app/graphql', method: 'POST', headers: { 'content-type': 'application/json' },
        credential: (r) => /^Bearer (\S+)$/.exec(r.headers.authorization ?? '')?.[1]?.replace(/^lin_oauth_/, ''),
        answer: graphql((query) => (query.includes('viewer')
          ? { viewer: { id: '2b0b6e2a-0000-4000-8000-000000000001', email: 'karri@example.com' } }
          : { issues: { nodes: [{ identifier: 'ENG-123', title: 'Fix the flaky test' }] } })) },
    ],
    unauthorized: () => ({ status: 400, body: { errors: [{ message: 'Authentication required, not authenticated',
      extensions: { type: 'authentication error', code: 'AUTHENTICATION_ERROR', statusCode: 401,
        userPresentableMessage: 'You need to authenticate to access this operation.' } }] } }),
  },

  connected(sim, connected) {
    assert.equal(sim.authorizationUrl.searchParams.get('scope'), 'read,write');
    assert.equal(connected.identity, 'karri@example.com');
    assert.match(connected.connection.access_token, /^lin_oauth_/);
    // The granted scope came as an array, not an RFC 6749 string: the requested one is shown.
    assert.equal(connected.scope, 'read,write');
  },
  async called(sim) {
    // The same GraphQL error with HTTP 200 (detect_on and refresh_on both match): still one refresh, one retry.
    const { unauthorized } = sim.fake.spec;
    sim.fake.spec.unauthorized = (r) => ({ ...unauthorized(r), status: 200 });
    try {
      const refreshed = await sim.refresh();
      assert.equal(refreshed.used.attempt, 2);
      assert.equal(refreshed.requests.filter((r) => r.path === '/oauth/token').length, 1);
    } finally {
      sim.fake.spec.unauthorized = unauthorized;
    }
  },
  refreshed(sim, { requests, used }) {
    assert.equal(used.attempt, 2);
    const refresh = requests.find((r) => r.path === '/oauth/token');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.equal(sim.fake.grant.rotated.at(-1), refresh.form.refresh_token);
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh);
  },
};
