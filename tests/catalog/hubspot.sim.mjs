// HubSpot OAuth 2.0, as documented at
// https://developers.hubspot.com/docs/guides/apps/authentication/working-with-oauth
// and .../oauth-quickstart-guide: the secret in the form body, 30-minute
// access tokens, a refresh token that stays the same, token errors as HTTP
// 400 {"status": "BAD_REFRESH_TOKEN"} without an OAuth `error`, and the
// API's 401 with category EXPIRED_AUTHENTICATION.
import assert from 'node:assert/strict';

const CLIENT = { id: '5fd5e3e2-8c4b-4a7e-9a1a-1f0d8b2f6c11', secret: '7c3ce02c-0f0c-4c7d-8e1f-fake-secret' };

export default {
  title: 'HubSpot',
  connector: 'hubspot',
  app: { scopes: ['crm.objects.contacts.read', 'oauth'] },
  call: { method: 'GET', url: 'crm/v3/objects/contacts?limit=1' },
  provider: {
    client: CLIENT,
    authorize: { at: 'app.hubspot.com/oauth/authorize', pkce: false, require: { scope: 'crm.objects.contacts.read oauth' } },
    token: {
      at: 'api.hubapi.com/oauth/v1/token',
      clientAuth: 'body',
      answer: (t, grant) => ({ token_type: 'bearer', refresh_token: grant.refresh, access_token: t.access_token, expires_in: 1800 }),
      error: (code, description, status) => ({ status: 400, body: {
        status: { invalid_grant: 'BAD_REFRESH_TOKEN', invalid_client: 'BAD_CLIENT_ID' }[code] ?? 'BAD_REQUEST',
        message: code === 'invalid_grant' ? 'missing or unknown refresh token' : description,
        correlationId: '9b8c1f6e-3a1d-4f2e-8c7b-1d2e3f4a5b6c', requestId: 'f1e2d3c4' } }),
    },
    api: [
      { at: 'api.hubapi.com/account-info/v3/details', answer: () => ({ portalId: 62515, accountType: 'STANDARD', timeZone: 'US/Eastern', uiDomain: 'app.hubspot.com' }) },
      { at: 'api.hubapi.com/crm/v3/objects/contacts', answer: () => ({ results: [{ id: '512', properties: { email: 'bh@hubspot.com' } }] }) },
    ],
    unauthorized: () => ({ status: 401, body: { status: 'error', message: 'The OAuth token used to make this call expired 1 minute(s) ago.',
      correlationId: '0c0f4e0e-7a4c-4bd3-a9a5-4f1b8d2d1c6f', category: 'EXPIRED_AUTHENTICATION' } }),
  },

  connected(sim, connected) {
    assert.equal(connected.identity, 'HubSpot portal 62515');
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/oauth/v1/token');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.equal(refresh.form.client_secret, CLIENT.secret);
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh, 'the same refresh token');
  },
  lost(sim, error) {
    assert.match(JSON.stringify(error), /HTTP 400/);
  },
};
