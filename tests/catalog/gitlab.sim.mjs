// GitLab as an OAuth 2.0 provider, as documented at
// https://docs.gitlab.com/api/oauth2/: a self-managed host, PKCE S256, the
// secret in the body, two-hour tokens with created_at, a new refresh token on
// every refresh (a used one is refused), invalid_grant for a revoked grant,
// and the API's 401 invalid_token "Token is expired".
import assert from 'node:assert/strict';

const CLIENT = { id: 'fakegitlabapplicationid0123456789abcdef', secret: 'gloas-fakegitlabsecret' };

export default {
  title: 'GitLab',
  connector: 'gitlab',
  // A self-managed host as an app setting: it is then in the derived egress list.
  app: { scopes: ['api', 'read_user'], settings: { gitlab_host: 'gitlab.example.com' } },
  call: { method: 'GET', url: 'projects?membership=true&per_page=1' },
  provider: {
    client: CLIENT,
    authorize: { at: 'gitlab.example.com/oauth/authorize', pkce: true, require: { scope: 'api read_user' } },
    token: {
      at: 'gitlab.example.com/oauth/token',
      clientAuth: 'body',
      rotate: true,
      answer: (t) => ({ access_token: t.access_token, token_type: 'Bearer', expires_in: 7200, refresh_token: t.refresh_token,
        scope: 'api read_user', created_at: 1765150800 }),
      error: (code, description, status) => ({ status, body: { error: code, error_description: code === 'invalid_grant'
        ? 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.'
        : description } }),
    },
    revoke: { at: 'gitlab.example.com/oauth/revoke' },
    api: [
      { at: 'gitlab.example.com/api/v4/user', answer: () => ({ id: 1, username: 'ann', name: 'Ann' }) },
      { at: 'gitlab.example.com/api/v4/projects', answer: () => [{ id: 3, path_with_namespace: 'ann/hello' }] },
    ],
    unauthorized: () => ({ status: 401, headers: { 'www-authenticate': 'Bearer realm="Protected by OAuth 2.0", error="invalid_token"' },
      body: { error: 'invalid_token', error_description: 'Token is expired. You can either do re-authorization or token refresh.' } }),
  },

  connected(sim, connected) {
    assert.equal(connected.identity, 'ann');
    assert.equal(sim.authorizationUrl.host, 'gitlab.example.com');
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/oauth/token');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh, 'the rotated refresh token');
    assert.notEqual(refresh.form.refresh_token, sim.connection.refresh_token);
  },
};
