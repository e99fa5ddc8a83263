// Dropbox, as documented at https://developers.dropbox.com/oauth-guide and
// https://www.dropbox.com/developers/documentation/http/documentation: a
// refresh token only for token_access_type=offline, PKCE S256, short-lived
// `sl.` access tokens (14400 s), refresh answers without a refresh_token (it
// does not rotate), RPC endpoints that are POSTs without a body when they take
// no arguments, 401 expired_access_token from the API and invalid_grant from
// the token endpoint once the user unlinks the app.
import assert from 'node:assert/strict';

const CLIENT = { id: 'fakeappkey123', secret: 'fake-dropbox-app-secret' };
const ACCOUNT = { account_id: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc', email: 'franz@example.com',
  name: { display_name: 'Franz Ferdinand' } };

// Dropbox's short-lived tokens start with `sl.`; the fake accepts what it answered.
const shortLived = (t, grant) => {
  grant.access.add(`sl.${t.access_token}`);
  return `sl.${t.access_token}`;
};

// An RPC endpoint without arguments takes no body (or the JSON null).
const noArguments = (r) => (r.body === '' || r.body === 'null'
  ? ACCOUNT
  : { status: 400, body: 'Error in call to API function "users/get_current_account": request body: could not decode input as JSON' });

export default {
  title: 'Dropbox',
  connector: 'dropbox',
  app: { scopes: ['account_info.read', 'files.metadata.read'] },
  call: { method: 'POST', url: 'files/list_folder', headers: [['Content-Type', 'application/json']], body: '{"path": ""}' },
  provider: {
    client: CLIENT,
    authorize: { at: 'www.dropbox.com/oauth2/authorize', require: { token_access_type: 'offline' }, pkce: true },
    token: {
      at: 'api.dropboxapi.com/oauth2/token',
      clientAuth: 'any',
      answer: (t, grant) => ({ access_token: shortLived(t, grant), token_type: 'bearer', expires_in: 14400,
        refresh_token: t.refresh_token, scope: grant.scope, uid: '12345', account_id: ACCOUNT.account_id }),
      // Refresh answers: a new access token, never a new refresh token.
      refreshAnswer: (t, grant) => ({ access_token: shortLived(t, grant), token_type: 'bearer', expires_in: 14400 }),
    },
    api: [
      { at: 'api.dropboxapi.com/2/users/get_current_account', method: 'POST', answer: (g, r) => noArguments(r) },
      { at: 'api.dropboxapi.com/2/files/list_folder', method: 'POST', headers: { 'content-type': 'application/json' },
        answer: (g, r) => (r.json?.path === '' ? { entries: [], cursor: 'ZtkX9_EHj3x7PMkVuFIhwKYXEpwpLwyxp9vMKomUhllil9q7eWiAu', has_more: false }
          : { status: 400, body: { error_summary: 'path/malformed_path/.', error: { '.tag': 'path' } } }) },
    ],
    unauthorized: () => ({ status: 401, body: { error_summary: 'expired_access_token/...', error: { '.tag': 'expired_access_token' } } }),
  },

  connected(sim, connected) {
    assert.equal(sim.authorizationUrl.searchParams.get('token_access_type'), 'offline');
    assert.equal(connected.identity, 'franz@example.com');
    assert.match(connected.connection.access_token, /^sl\./);
    assert.ok(connected.connection.refresh_token, 'offline access gives a refresh token');
  },
  called(sim, { sent }) {
    assert.equal(sent.method, 'POST');
    assert.equal(sent.body, '{"path": ""}');
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/oauth2/token');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    // No rotation: the refresh token the connection started with is still the one kept.
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh);
    assert.equal(sim.fake.grant.rotated, undefined);
  },
  lost(sim) {
    const last = sim.fake.requestsTo('api.dropboxapi.com/oauth2/token').at(-1);
    assert.equal(last.form.grant_type, 'refresh_token');
  },
};
