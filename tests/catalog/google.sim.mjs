// Google OAuth 2.0 for web server applications, as documented at
// https://developers.google.com/identity/protocols/oauth2/web-server: a
// refresh token only with access_type=offline (and prompt=consent on a
// reconnect), secret in the body, PKCE S256, an id_token with the email for
// 'openid email', refresh answers without a refresh token, invalid_grant
// ("Token has been expired or revoked.") once revoked, and APIs answering
// 401 UNAUTHENTICATED to an expired token.
import assert from 'node:assert/strict';
import { idToken } from './fixtures/fake_provider.mjs';

const unauthenticated = {
  status: 401,
  headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  body: { error: { code: 401, status: 'UNAUTHENTICATED',
    message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.' } },
};

export default {
  title: 'Google',
  connector: 'google',
  app: { scopes: ['openid', 'email', 'https://www.googleapis.com/auth/drive.metadata.readonly'] },
  call: { method: 'GET', url: 'drive/v3/about?fields=user' },
  provider: {
    client: { id: '1234-abc.apps.googleusercontent.com', secret: 'GOCSPX-fake-secret' },
    authorize: {
      at: 'accounts.google.com/o/oauth2/v2/auth',
      require: { access_type: 'offline', prompt: 'consent', scope: 'openid email https://www.googleapis.com/auth/drive.metadata.readonly' },
      pkce: true,
    },
    token: {
      at: 'oauth2.googleapis.com/token',
      clientAuth: 'any',
      answer: (t, grant) => ({
        access_token: t.access_token, expires_in: 3599, token_type: 'Bearer', scope: grant.scope,
        ...(t.refresh_token ? { refresh_token: t.refresh_token } : {}),
        id_token: idToken({ iss: 'https://accounts.google.com', sub: '10769150350006150715113082367', email: 'ann@example.com', email_verified: true }),
      }),
      // Refresh answers: a new access token, never a new refresh token.
      refreshAnswer: (t, grant) => ({ access_token: t.access_token, expires_in: 3599, token_type: 'Bearer', scope: grant.scope }),
      error: (code, description, status) => ({ status,
        body: { error: code, error_description: code === 'invalid_grant' ? 'Token has been expired or revoked.' : description } }),
    },
    revoke: { at: 'oauth2.googleapis.com/revoke', clientAuth: 'any' },
    api: [
      { at: 'openidconnect.googleapis.com/v1/userinfo', answer: () => ({ sub: '10769150350006150715113082367', email: 'ann@example.com' }) },
      { at: 'www.googleapis.com/drive/v3/about', answer: () => ({ user: { emailAddress: 'ann@example.com' } }) },
    ],
    unauthorized: () => unauthenticated,
  },

  connected(sim, connected) {
    assert.equal(sim.authorizationUrl.searchParams.get('access_type'), 'offline');
    assert.equal(connected.identity, 'ann@example.com');
    assert.match(connected.connection.refresh_token, /^google-rt-/);
  },
  refreshed(sim, { requests }) {
    const [refresh] = requests.filter((r) => r.path === '/token');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.equal(refresh.form.client_secret, 'GOCSPX-fake-secret', 'the secret goes in the body');
    // Google's refresh answer has no refresh_token: the old one is kept.
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh);
  },
};
