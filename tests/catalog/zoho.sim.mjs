// Zoho Accounts OAuth 2.0, as documented at
// https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html,
// .../web-apps/access-and-refresh.html and .../multi-dc.html: an EU account
// (accounts.zoho.eu, API host www.zohoapis.eu from api_domain), comma-joined
// scopes, access_type=offline, the secret in the body, the callback's
// location and accounts-server, a refresh answer without a refresh token,
// HTTP 200 {"error": "invalid_code"} for a revoked refresh token, the
// 'Zoho-oauthtoken' scheme and the API's 401 INVALID_TOKEN.
import assert from 'node:assert/strict';

const CLIENT = { id: '1000.FAKEZOHOCLIENTID', secret: 'fakezohosecret' };
const zohoToken = (r) => (/^Zoho-oauthtoken (\S+)$/.exec(r.headers.authorization ?? '') ?? [])[1];

export default {
  title: 'Zoho',
  connector: 'zoho',
  // The egress list the entry tells the admin to set.
  egress: ['accounts.zoho.eu', 'www.zohoapis.eu'],
  app: { scopes: ['ZohoCRM.modules.ALL', 'ZohoCRM.org.READ'], settings: { accounts_server: 'accounts.zoho.eu' } },
  call: { method: 'GET', url: 'crm/v2/Leads?per_page=1' },
  provider: {
    client: CLIENT,
    authorize: { at: 'accounts.zoho.eu/oauth/v2/auth', pkce: false,
      require: { access_type: 'offline', prompt: 'consent', scope: 'ZohoCRM.modules.ALL,ZohoCRM.org.READ' },
      callback: { location: 'eu', 'accounts-server': 'https://accounts.zoho.eu' } },
    token: {
      at: 'accounts.zoho.eu/oauth/v2/token',
      clientAuth: 'body',
      answer: (t) => ({ access_token: t.access_token, refresh_token: t.refresh_token, api_domain: 'https://www.zohoapis.eu', token_type: 'Bearer', expires_in: 3600 }),
      refreshAnswer: (t) => ({ access_token: t.access_token, api_domain: 'https://www.zohoapis.eu', token_type: 'Bearer', expires_in: 3600 }),
      // Zoho answers token errors with HTTP 200.
      error: (code) => ({ status: 200, body: { error: code === 'invalid_grant' ? 'invalid_code' : code } }),
    },
    api: [
      { at: 'www.zohoapis.eu/crm/v2/users', credential: zohoToken, answer: (g, r) => (r.query.type === 'CurrentUser'
        ? { users: [{ email: 'ann@zylker.example', full_name: 'Ann' }] } : { status: 400, body: { code: 'INVALID_DATA' } }) },
      { at: 'www.zohoapis.eu/crm/v2/org', credential: zohoToken, answer: () => ({ org: [{ company_name: 'Zylker', country: 'Germany' }] }) },
      { at: 'www.zohoapis.eu/crm/v2/Leads', credential: zohoToken, answer: () => ({ data: [{ Last_Name: 'Boyle' }], info: { per_page: 1 } }) },
    ],
    unauthorized: () => ({ status: 401, body: { code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' } }),
  },

  connected(sim, connected) {
    assert.equal(connected.connection.api_domain, 'https://www.zohoapis.eu');
    assert.equal(sim.authorizationUrl.host, 'accounts.zoho.eu');
    assert.equal(connected.identity, 'ann@zylker.example');
  },
  called(sim, used) {
    assert.equal(new URL(used.sent.url).host, 'www.zohoapis.eu');
    assert.match(Object.entries(used.sent.headers).find(([k]) => k.toLowerCase() === 'authorization')[1], /^Zoho-oauthtoken /);
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/oauth/v2/token');
    assert.equal(refresh.host, 'accounts.zoho.eu');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh, 'the refresh token is kept');
  },
  lost(sim, error) {
    assert.match(JSON.stringify(error), /invalid_code/);
  },
};
