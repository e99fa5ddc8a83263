// Box, as documented at https://developer.box.com/guides/authentication/oauth2/
// and https://developer.box.com/guides/authentication/tokens/refresh: no
// PKCE, the secret in the body, 60-minute access tokens, a refresh token that is single
// use (every refresh answers a new one and the used one is refused), 401 with
// an empty body and `WWW-Authenticate: Bearer ... error="invalid_token"` to an
// expired token, invalid_grant for a used or revoked refresh token, and
// the revoke endpoint (https://developer.box.com/reference/post-oauth2-revoke/:
// the token with the client id and secret in the body, an empty 200).
import assert from 'node:assert/strict';

const CLIENT = { id: 'ly1nj6n11vionaie65emwzk575hnnmrk', secret: 'fake-box-client-secret' };

export default {
  title: 'Box',
  connector: 'box',
  call: { method: 'GET', url: 'folders/0/items?limit=10' },
  provider: {
    client: CLIENT,
    authorize: { at: 'account.box.com/api/oauth2/authorize', pkce: false },
    token: {
      at: 'api.box.com/oauth2/token',
      clientAuth: 'body',
      rotate: true,
      answer: (t) => ({ access_token: t.access_token, expires_in: 3600, token_type: 'bearer', refresh_token: t.refresh_token,
        restricted_to: [], issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' }),
      error: (code, description, status) => ({ status,
        body: { error: code, error_description: code === 'invalid_grant' ? 'Invalid refresh token' : description } }),
    },
    revoke: { at: 'api.box.com/oauth2/revoke', clientAuth: 'body' },
    api: [
      { at: 'api.box.com/2.0/users/me', answer: () => ({ type: 'user', id: '11446498', login: 'ceo@example.com', name: 'Aaron Levie' }) },
      { at: 'api.box.com/2.0/folders/*/items', answer: (g, r) => ({ total_count: 0, entries: [], offset: 0, limit: Number(r.query.limit) }) },
    ],
    unauthorized: () => ({ status: 401, body: '',
      headers: { 'www-authenticate': 'Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."' } }),
  },

  connected(sim, connected) {
    assert.equal(connected.identity, 'ceo@example.com');
    assert.equal(sim.sent.find((s) => s.step === 'identity').request.url, 'https://api.box.com/2.0/users/me?fields=login');
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/oauth2/token');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.equal(refresh.form.client_secret, CLIENT.secret);
    // Rotation: the used refresh token was replaced by the one the refresh answered.
    assert.equal(sim.fake.grant.rotated.length, 1);
    assert.equal(sim.fake.grant.rotated[0], refresh.form.refresh_token);
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh);
  },
  lost(sim, error) {
    assert.match(error.lost.detail, /invalid_grant/);
  },
  revoked(sim, { request }) {
    assert.equal(request.form.token, sim.connection.refresh_token);
    assert.equal(request.form.client_id, CLIENT.id);
    assert.equal(request.form.client_secret, CLIENT.secret);
  },
};
