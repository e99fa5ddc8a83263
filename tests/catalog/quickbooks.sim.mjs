// QuickBooks Online (Intuit) OAuth 2.0, as documented at
// https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0:
// the company's realmId on the callback (not in the token response), HTTP
// Basic client auth, x_refresh_token_expires_in, a refresh token that may
// change on every refresh, invalid_grant when revoked, and the API's 401
// AuthenticationFailed fault (JSON when asked with Accept).
import assert from 'node:assert/strict';

const CLIENT = { id: 'ABfakeIntuitClientId0123456789', secret: 'fake-intuit-secret' };
const REALM = '4620816365178335910';

export default {
  title: 'QuickBooks',
  connector: 'quickbooks',
  // The egress list the entry tells the admin to set.
  egress: ['oauth.platform.intuit.com', 'quickbooks.api.intuit.com'],
  app: { scopes: ['com.intuit.quickbooks.accounting'] },
  call: { method: 'GET', url: "query?query=select%20*%20from%20Customer%20maxresults%201" },
  provider: {
    client: CLIENT,
    authorize: { at: 'appcenter.intuit.com/connect/oauth2', require: { scope: 'com.intuit.quickbooks.accounting' }, callback: { realmId: REALM } },
    token: {
      at: 'oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
      clientAuth: 'basic',
      rotate: true,
      answer: (t) => ({ token_type: 'bearer', expires_in: 3600, refresh_token: t.refresh_token, x_refresh_token_expires_in: 8726400, access_token: t.access_token }),
      error: (code, description, status) => ({ status, body: { error: code } }),
    },
    api: [
      { at: `quickbooks.api.intuit.com/v3/company/${REALM}/companyinfo/${REALM}`, headers: { accept: 'application/json' },
        answer: () => ({ CompanyInfo: { CompanyName: 'Sandbox Company_US_1', Id: '1' }, time: '2026-12-07T15:40:00.000-08:00' }) },
      { at: `quickbooks.api.intuit.com/v3/company/${REALM}/query`, headers: { accept: 'application/json' },
        answer: () => ({ QueryResponse: { Customer: [{ Id: '1', DisplayName: "Amy's Bird Sanctuary" }] } }) },
    ],
    unauthorized: () => ({ status: 401, body: { fault: { error: [{ message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
      detail: 'Token expired: eyJ...', code: '3200' }], type: 'AUTHENTICATION' }, time: '2026-12-07T15:40:00.000-08:00' } }),
  },

  connected(sim, connected) {
    assert.equal(sim.callback.searchParams.get('realmId'), REALM);
    assert.equal(connected.connection.realm_id, REALM);
    assert.equal(connected.owner_id, REALM);
    assert.equal(connected.identity, 'Sandbox Company_US_1');
  },
  called(sim, used) {
    assert.equal(new URL(used.sent.url).pathname, `/v3/company/${REALM}/query`);
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/oauth2/v1/tokens/bearer');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.match(refresh.headers.authorization, /^Basic /);
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh);
    assert.equal(sim.connection.realm_id, REALM);
  },
};
