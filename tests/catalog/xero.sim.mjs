// Xero's OAuth 2.0 flow, as documented at
// https://developer.xero.com/documentation/guides/oauth2/auth-flow: HTTP
// Basic client auth, 30-minute access tokens, the tenants a consent
// connected from GET https://api.xero.com/connections, the xero-tenant-id
// header on every API call, a new refresh token on every refresh,
// invalid_grant for a revoked grant, and the API's 401 problem answer.
import assert from 'node:assert/strict';

const CLIENT = { id: 'F2D7A9C7E1B84C0E9C1A8E2E3F4A5B6C', secret: 'fake-xero-secret' };
const TENANT = 'a3a4dbaf-3495-4c1f-a2a1-b8a2d5f5c1e0';

export default {
  title: 'Xero',
  connector: 'xero',
  app: { scopes: ['openid', 'profile', 'email', 'offline_access', 'accounting.transactions'] },
  call: { method: 'GET', url: 'Invoices?where=Status%3D%3D%22AUTHORISED%22' },
  provider: {
    client: CLIENT,
    authorize: { at: 'login.xero.com/identity/connect/authorize', pkce: true },
    token: {
      at: 'identity.xero.com/connect/token',
      clientAuth: 'basic',
      rotate: true,
      answer: (t) => ({ id_token: 'eyJ.fake.jwt', access_token: t.access_token, expires_in: 1800, token_type: 'Bearer',
        refresh_token: t.refresh_token, scope: 'openid profile email offline_access accounting.transactions' }),
      error: (code, description, status) => ({ status, body: { error: code } }),
    },
    revoke: { at: 'identity.xero.com/connect/revocation', clientAuth: 'basic' },
    api: [
      { at: 'api.xero.com/connections', answer: () => [
        { id: 'e1eede29-f875-4a5d-8470-17f6a29a88b1', authEventId: 'd99ecdfe-391d-43d2-b834-17636ba90e8d', tenantId: TENANT,
          tenantType: 'ORGANISATION', tenantName: 'Demo Company (NZ)', createdDateUtc: '2026-12-07T23:40:00.000', updatedDateUtc: '2026-12-07T23:40:00.000' }] },
      { at: 'api.xero.com/api.xro/2.0/Organisation', headers: { 'xero-tenant-id': TENANT }, answer: () => ({ Organisations: [{ Name: 'Demo Company (NZ)' }] }) },
      { at: 'api.xero.com/api.xro/2.0/Invoices', headers: { 'xero-tenant-id': TENANT }, answer: () => ({ Invoices: [{ InvoiceNumber: 'INV-0001' }] }) },
    ],
    unauthorized: () => ({ status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      body: { Type: null, Title: 'Unauthorized', Status: 401, Detail: 'TokenExpired: token expired at 12/07/2026 23:40:00', Instance: 'f0b8bb1b', Extensions: {} } }),
  },

  connected(sim, connected) {
    assert.equal(connected.connection.tenant_id, TENANT);
    assert.equal(connected.identity, 'Demo Company (NZ)');
    const [exchange] = sim.fake.requestsTo('identity.xero.com/connect/token');
    assert.match(exchange.headers.authorization, /^Basic /);
    assert.equal(exchange.form.client_secret, undefined);
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/connect/token');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.match(refresh.headers.authorization, /^Basic /);
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh);
    assert.equal(sim.connection.tenant_id, TENANT, 'the refresh keeps the tenant');
  },
};
