// Microsoft identity platform v2.0 authorization code flow, as documented at
// https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
// and .../refresh-tokens: the tenant in the endpoint path, offline_access for
// a refresh token, the secret in the body, an id_token with
// preferred_username, a new refresh token on every refresh, invalid_grant
// with an AADSTS code and error_codes, and Graph's 401
// InvalidAuthenticationToken.
import assert from 'node:assert/strict';
import { idToken } from './fixtures/fake_provider.mjs';

const TENANT = 'contoso.onmicrosoft.com';
const CLIENT = { id: '6731de76-14a6-49ae-97bc-6eba6914391e', secret: 'fake~entra~secret' };

export default {
  title: 'Microsoft Entra',
  connector: 'microsoft',
  app: { scopes: ['openid', 'profile', 'offline_access', 'https://graph.microsoft.com/User.Read', 'https://graph.microsoft.com/Mail.Read'] },
  fields: { tenant: TENANT },
  call: { method: 'GET', url: 'me/messages?$top=1' },
  provider: {
    client: CLIENT,
    authorize: { at: `login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`, pkce: true, require: { response_mode: 'query' } },
    token: {
      at: `login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
      clientAuth: 'body',
      rotate: true,
      answer: (t, grant) => ({
        token_type: 'Bearer', scope: 'openid profile offline_access User.Read Mail.Read', expires_in: 3599, ext_expires_in: 3599,
        access_token: t.access_token, refresh_token: t.refresh_token,
        id_token: idToken({ iss: 'https://login.microsoftonline.com/72f988bf/v2.0', tid: '72f988bf', oid: '00000000-0000-0000-66f3-3332eca7ea81',
          preferred_username: 'ann@contoso.onmicrosoft.com', name: 'Ann' }),
      }),
      error: (code, description, status) => ({ status, body: {
        error: code,
        error_description: code === 'invalid_grant'
          ? "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. Trace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333"
          : `AADSTS7000215: Invalid client secret provided. ${description}`,
        error_codes: [code === 'invalid_grant' ? 50173 : 7000215], timestamp: '2026-12-07 23:40:00Z',
        trace_id: '0000aaaa-11bb-cccc-dd22-eeeeee333333', correlation_id: 'aaaa0000-bb11-2222-33cc-444444dddddd' } }),
    },
    api: [
      { at: 'graph.microsoft.com/v1.0/me', answer: () => ({ id: '87d349ed', userPrincipalName: 'ann@contoso.onmicrosoft.com' }) },
      { at: 'graph.microsoft.com/v1.0/me/messages', answer: () => ({ value: [{ id: 'AAMkAGI2', subject: 'Hello' }] }) },
    ],
    unauthorized: () => ({ status: 401, headers: { 'www-authenticate': 'Bearer realm="", error="invalid_token"' }, body: { error: {
      code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.',
      innerError: { date: '2026-12-07T23:40:00', 'request-id': 'b1a2c3', 'client-request-id': 'b1a2c3' } } } }),
  },

  connected(sim, connected) {
    assert.equal(connected.identity, 'ann@contoso.onmicrosoft.com');
    assert.equal(sim.authorizationUrl.pathname, `/${TENANT}/oauth2/v2.0/authorize`);
    assert.match(sim.authorizationUrl.searchParams.get('scope'), /offline_access/);
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path.endsWith('/oauth2/v2.0/token'));
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.equal(refresh.form.client_secret, CLIENT.secret);
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh, 'the new refresh token replaced the old one');
  },
  lost(sim, error) {
    assert.match(JSON.stringify(error), /AADSTS50173/);
  },
};
