// Asana, as documented at https://developers.asana.com/docs/oauth: PKCE S256,
// the secret in the body, a token answer with the user under `data` and a
// 3600 s access token, refresh answers without a refresh_token (no
// rotation), 401 {"errors": [{"message": "Not Authorized"}]} to an expired
// token, invalid_grant once the user revokes the app, and the revoke endpoint
// (POST /-/oauth_revoke, the refresh token with the client id and secret in
// the body).
import assert from 'node:assert/strict';

const CLIENT = { id: '1204939592920481', secret: 'fake-asana-client-secret' };
const USER = { gid: '12345', name: 'Greg Sanchez', email: 'gsanchez@example.com', resource_type: 'user' };

export default {
  title: 'Asana',
  connector: 'asana',
  app: { scopes: ['users:read', 'tasks:read'] },
  call: { method: 'GET', url: 'tasks?assignee=me&workspace=1331&limit=10' },
  provider: {
    client: CLIENT,
    authorize: { at: 'app.asana.com/-/oauth_authorize', require: { scope: 'users:read tasks:read' }, pkce: true },
    token: {
      at: 'app.asana.com/-/oauth_token',
      clientAuth: 'body',
      answer: (t) => ({ access_token: t.access_token, expires_in: 3600, token_type: 'bearer', refresh_token: t.refresh_token,
        data: { id: 12345, gid: USER.gid, name: USER.name, email: USER.email } }),
      refreshAnswer: (t) => ({ access_token: t.access_token, expires_in: 3600, token_type: 'bearer',
        data: { id: 12345, gid: USER.gid, name: USER.name, email: USER.email } }),
    },
    revoke: { at: 'app.asana.com/-/oauth_revoke', clientAuth: 'body' },
    api: [
      { at: 'app.asana.com/api/1.0/users/me', answer: () => ({ data: USER }) },
      { at: 'app.asana.com/api/1.0/tasks', answer: (g, r) => (r.query.workspace
        ? { data: [{ gid: '1001', name: 'Buy catnip', resource_type: 'task' }], next_page: null }
        : { status: 400, body: { errors: [{ message: 'workspace: Missing input' }] } }) },
    ],
    unauthorized: () => ({ status: 401, body: { errors: [{ message: 'Not Authorized',
      help: 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors' }] } }),
  },

  connected(sim, connected) {
    assert.equal(connected.identity, 'gsanchez@example.com');
    assert.ok(connected.connection.refresh_token);
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/-/oauth_token');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.equal(refresh.form.client_secret, CLIENT.secret);
    // No rotation: the same refresh token is kept.
    assert.equal(sim.connection.refresh_token, refresh.form.refresh_token);
  },
  revoked(sim, { request }) {
    assert.equal(request.form.token, sim.connection.refresh_token);
    assert.equal(request.form.client_id, CLIENT.id);
    assert.equal(request.form.client_secret, CLIENT.secret);
  },
};
