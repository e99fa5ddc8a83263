// Salesforce's OAuth 2.0 web server flow, as documented at
// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
// and .../remoteaccess_oauth_refresh_token_flow.htm: the token response's
// instance_url is where the API lives (and a refresh may name another), no
// expires_in, the refresh answer without a refresh_token, invalid_grant
// "expired access/refresh token", and the REST API's 401 INVALID_SESSION_ID.
import assert from 'node:assert/strict';

const CLIENT = { id: '3MVG9fake.consumer.key', secret: 'fake-consumer-secret' };
const ID_URL = 'https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS';
let instance = 'https://acme.my.salesforce.com';

export default {
  title: 'Salesforce',
  connector: 'salesforce',
  // The egress list the entry tells the admin to set.
  egress: ['login.salesforce.com', '*.my.salesforce.com'],
  app: { scopes: ['api', 'refresh_token'] },
  call: { method: 'GET', url: 'sobjects/Account/001xx000003DGb2AAG' },
  provider: {
    client: CLIENT,
    authorize: { at: 'login.salesforce.com/services/oauth2/authorize', require: { scope: 'api refresh_token' }, pkce: true },
    token: {
      at: 'login.salesforce.com/services/oauth2/token',
      clientAuth: 'body',
      answer: (t) => ({ access_token: t.access_token, refresh_token: t.refresh_token, signature: 'fake-signature',
        scope: 'refresh_token api', instance_url: instance, id: ID_URL, token_type: 'Bearer', issued_at: '1278448384422' }),
      // The org moved to another instance: the refresh names it.
      refreshAnswer: (t) => ({ access_token: t.access_token, signature: 'fake-signature', scope: 'refresh_token api',
        instance_url: (instance = 'https://acme--moved.my.salesforce.com'), id: ID_URL, token_type: 'Bearer', issued_at: '1278448384423' }),
      error: (code, description, status) => ({ status,
        body: { error: code, error_description: code === 'invalid_grant' ? 'expired access/refresh token' : description } }),
    },
    revoke: { at: 'login.salesforce.com/services/oauth2/revoke' },
    api: [
      { at: '*.my.salesforce.com/services/oauth2/userinfo', answer: () => ({ preferred_username: 'ann@acme.example', user_id: '005xx000001SwiUAAS' }) },
      { at: '*.my.salesforce.com/services/data/v62.0/limits', answer: () => ({ DailyApiRequests: { Max: 15000, Remaining: 14998 } }) },
      { at: '*.my.salesforce.com/services/data/v62.0/sobjects/Account/*',
        answer: (grant, r) => (`https://${r.host}` === instance ? { Id: '001xx000003DGb2AAG', Name: 'Acme' }
          : { status: 400, body: [{ message: 'wrong instance', errorCode: 'INVALID_INSTANCE' }] }) },
    ],
    unauthorized: () => ({ status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] }),
  },

  connected(sim, connected) {
    assert.equal(connected.connection.instance_url, 'https://acme.my.salesforce.com');
    assert.equal(connected.identity, 'ann@acme.example');
    assert.equal(connected.owner_id, ID_URL);
    assert.equal(connected.connection.expires_at, undefined, 'Salesforce answers no expires_in');
  },
  called(sim, used) {
    assert.equal(new URL(used.sent.url).host, 'acme.my.salesforce.com');
  },
  refreshed(sim, { used }) {
    assert.equal(sim.connection.instance_url, 'https://acme--moved.my.salesforce.com');
    assert.equal(new URL(used.sent.url).host, 'acme--moved.my.salesforce.com', 'the retry went to the new instance');
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh, 'the refresh token is kept');
  },
};
