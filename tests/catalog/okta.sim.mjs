// Okta, as documented at https://developer.okta.com/docs/guides/implement-oauth-for-okta/main/
// and https://developer.okta.com/docs/guides/refresh-tokens/main/: the org
// authorization server on the customer's domain (acme.okta.com here), HTTP
// Basic client authentication, PKCE S256, a refresh token only for
// offline_access, an id_token with the email, refresh-token rotation (the
// rotating setting), 401 E0000011 from the management API to an expired token
// and invalid_grant once revoked; disconnecting revokes at /oauth2/v1/revoke
// (https://developer.okta.com/docs/api/openapi/okta-oauth/oauth/orgas/revoke:
// RFC 7009, the client authenticated as at the token endpoint).
import assert from 'node:assert/strict';
import { idToken } from './fixtures/fake_provider.mjs';

const CLIENT = { id: '0oa1b2c3d4e5f6g7h8i9', secret: 'fake-okta-client-secret' };
const SCOPE = 'openid email offline_access okta.users.read';

export default {
  title: 'Okta',
  connector: 'okta',
  // The egress list the entry tells the admin to set.
  egress: ['*.okta.com'],
  app: { scopes: SCOPE.split(' ') },
  fields: { okta_domain: 'acme.okta.com' },
  call: { method: 'GET', url: 'users?limit=25' },
  provider: {
    client: CLIENT,
    authorize: { at: 'acme.okta.com/oauth2/v1/authorize', require: { scope: SCOPE }, pkce: true },
    token: {
      at: 'acme.okta.com/oauth2/v1/token',
      clientAuth: 'basic',
      rotate: true,
      answer: (t, grant) => ({ token_type: 'Bearer', expires_in: 3600, access_token: t.access_token, scope: grant.scope,
        refresh_token: t.refresh_token,
        id_token: idToken({ iss: 'https://acme.okta.com', aud: CLIENT.id, sub: '00u1a2b3c4d5e6f7g8h9', email: 'it-admin@acme.example' }) }),
    },
    revoke: { at: 'acme.okta.com/oauth2/v1/revoke', clientAuth: 'basic' },
    api: [
      { at: 'acme.okta.com/oauth2/v1/userinfo', answer: () => ({ sub: '00u1a2b3c4d5e6f7g8h9', email: 'it-admin@acme.example' }) },
      { at: 'acme.okta.com/api/v1/users', answer: () => [{ id: '00ub0oNGTSWTBKOLGLNR', status: 'ACTIVE',
        profile: { login: 'isaac.brock@example.com' } }] },
    ],
    unauthorized: () => ({ status: 401,
      headers: { 'www-authenticate': 'Bearer authorization_uri="https://acme.okta.com/oauth2/v1/authorize", realm="https://acme.okta.com", scope="okta.users.read", error="invalid_token", error_description="The token has expired.", resource="/api/v1/users"' },
      body: { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorLink: 'E0000011', errorId: 'oaeqjWaB9rwQR6NqUCMuSi2oA', errorCauses: [] } }),
  },

  connected(sim, connected) {
    assert.equal(sim.authorizationUrl.host, 'acme.okta.com');
    assert.equal(connected.identity, 'it-admin@acme.example');
    assert.ok(connected.connection.refresh_token, 'offline_access gives a refresh token');
    const exchange = sim.fake.requestsTo('acme.okta.com/oauth2/v1/token')[0];
    assert.match(exchange.headers.authorization, /^Basic /);
    assert.equal(exchange.form.client_secret, undefined, 'the secret is not in the body');
  },
  called(sim, { sent }) {
    assert.equal(sent.url, 'https://acme.okta.com/api/v1/users?limit=25');
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/oauth2/v1/token');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.match(refresh.headers.authorization, /^Basic /);
    assert.deepEqual(sim.fake.grant.rotated, [refresh.form.refresh_token]);
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh);
  },
  revoked(sim, { request }) {
    assert.equal(request.form.token, sim.connection.refresh_token);
    assert.match(request.headers.authorization, /^Basic /);
    assert.equal(request.form.client_secret, undefined, 'the secret is not in the body');
  },
};
