// Zendesk, as documented at
// https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/
// and https://developer.zendesk.com/documentation/api-basics/authentication/refresh-token:
// every endpoint on the customer's subdomain (acme.zendesk.com here, and only
// there), PKCE S256, the scope and the access-token lifetime (expires_in) in the
// token request, refresh-token rotation (a refresh deletes the previous access
// and refresh tokens), 401 invalid_token from the API and invalid_grant once
// revoked.
import assert from 'node:assert/strict';

const CLIENT = { id: 'connauth_integration', secret: 'fake-zendesk-secret' };

export default {
  title: 'Zendesk',
  connector: 'zendesk',
  // The egress list the entry tells the admin to set.
  egress: ['*.zendesk.com'],
  app: { scopes: ['tickets:read', 'users:read'] },
  fields: { subdomain: 'acme' },
  call: { method: 'GET', url: 'tickets.json?page[size]=25' },
  provider: {
    client: CLIENT,
    authorize: { at: 'acme.zendesk.com/oauth/authorizations/new', require: { scope: 'tickets:read users:read' }, pkce: true },
    token: {
      at: 'acme.zendesk.com/oauth/tokens',
      clientAuth: 'body',
      rotate: true,
      answer: (t, grant, r) => {
        // A refresh deletes the previous access token too.
        for (const a of grant.access) if (a !== t.access_token) grant.access.delete(a);
        if (r.form.scope !== 'tickets:read users:read') return { status: 400, body: { error: 'invalid_scope', error_description: 'scope is required' } };
        return { access_token: t.access_token, token_type: 'bearer', scope: r.form.scope, expires_in: Number(r.form.expires_in),
          refresh_token: t.refresh_token, refresh_token_expires_in: 2592000 };
      },
    },
    api: [
      { at: 'acme.zendesk.com/api/v2/users/me.json', answer: () => ({ user: { id: 35436, email: 'agent@acme.example', role: 'admin' } }) },
      { at: 'acme.zendesk.com/api/v2/tickets.json', answer: () => ({ tickets: [{ id: 35436, subject: 'Help, my printer is on fire!' }], meta: { has_more: false } }) },
    ],
    unauthorized: () => ({ status: 401, body: { error: 'invalid_token',
      error_description: 'The access token provided is expired, revoked, malformed or invalid for other reasons.' } }),
  },

  connected(sim, connected) {
    assert.equal(sim.authorizationUrl.host, 'acme.zendesk.com');
    assert.equal(connected.identity, 'agent@acme.example');
    const exchange = sim.fake.requestsTo('acme.zendesk.com/oauth/tokens')[0];
    assert.equal(exchange.form.expires_in, '1800');
    assert.equal(connected.connection.expires_at - Math.floor(Date.now() / 1000) > 1700, true);
  },
  called(sim, { sent }) {
    assert.match(sent.url, /^https:\/\/acme\.zendesk\.com\/api\/v2\/tickets\.json/);
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/oauth/tokens');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh);
    assert.deepEqual(sim.fake.grant.rotated, [refresh.form.refresh_token]);
  },
};
