// Intercom, as documented at
// https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth:
// the consent page at app.intercom.com/oauth (no PKCE), the code exchanged
// with client_id and client_secret at api.intercom.io/auth/eagle/token, an
// answer carrying the token as `token` and `access_token` with no expiry and
// no refresh token, the Intercom-Version header, and 401 "Access Token
// Invalid" once the workspace uninstalls the app: nothing to refresh, so the
// engine checks the connection and finds it lost.
import assert from 'node:assert/strict';

const CLIENT = { id: '7e1d2c3b-4a5f-4e6d-8c7b-9a0b1c2d3e4f', secret: 'fake-intercom-client-secret' };
const VERSION = { 'Intercom-Version': '2.11', accept: 'application/json' };

export default {
  title: 'Intercom',
  connector: 'intercom',
  call: { method: 'GET', url: 'contacts?per_page=5' },
  refresh: false,
  provider: {
    client: CLIENT,
    authorize: { at: 'app.intercom.com/oauth', pkce: false },
    token: {
      at: 'api.intercom.io/auth/eagle/token',
      clientAuth: 'body',
      refreshes: false,
      answer: (t) => ({ token_type: 'Bearer', token: t.access_token, access_token: t.access_token }),
    },
    api: [
      { at: 'api.intercom.io/me', headers: VERSION, answer: () => ({ type: 'admin', id: '991267', email: 'ciaran@example.com',
        app: { type: 'app', id_code: 'this_is_an_id' } }) },
      { at: 'api.intercom.io/contacts', headers: VERSION, answer: () => ({ type: 'list', data: [], total_count: 0 }) },
    ],
    unauthorized: () => ({ status: 401, body: { type: 'error.list', request_id: 'b3e8c8f4-0000-4000-8000-000000000000',
      errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }] } }),
  },

  connected(sim, connected) {
    assert.equal(sim.authorizationUrl.searchParams.get('code_challenge'), null);
    assert.equal(connected.identity, 'ciaran@example.com');
    assert.equal(connected.connection.refresh_token, undefined);
    assert.equal(connected.connection.expires_at, undefined, 'Intercom tokens do not expire');
    const exchange = sim.fake.requestsTo('api.intercom.io/auth/eagle/token')[0];
    assert.equal(exchange.form.client_secret, CLIENT.secret);
  },
  lost(sim) {
    // Nothing to refresh with: the engine ran Check connection, which Intercom refused.
    assert.equal(sim.fake.requestsTo('api.intercom.io/auth/eagle/token').length, 1, 'no refresh was attempted');
    assert.equal(sim.sent.at(-1).step, 'test');
  },
};
