// Atlassian OAuth 2.0 (3LO), as documented at
// https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/ and
// https://developer.atlassian.com/cloud/oauth/getting-started/refresh-tokens:
// audience=api.atlassian.com and prompt=consent on the consent page, JSON
// token requests with the secret in the body, the cloud id from
// accessible-resources, calls through api.atlassian.com/ex/jira/{cloudid},
// rotating refresh tokens and 403 invalid_grant for a revoked one.
import assert from 'node:assert/strict';

const CLIENT = { id: 'fakeAtlassianClientId', secret: 'fake-atlassian-secret' };
const CLOUD = '1324a887-45db-1bf4-1e99-ef0ff456d421';

export default {
  title: 'Atlassian',
  connector: 'atlassian',
  app: { scopes: ['read:jira-work', 'read:jira-user', 'offline_access'] },
  call: { method: 'GET', url: 'rest/api/3/search/jql?jql=project%3DSP' },
  provider: {
    client: CLIENT,
    authorize: { at: 'auth.atlassian.com/authorize', pkce: false, require: { audience: 'api.atlassian.com', prompt: 'consent' } },
    token: {
      at: 'auth.atlassian.com/oauth/token',
      format: 'json',
      clientAuth: 'body',
      rotate: true,
      answer: (t) => ({ access_token: t.access_token, expires_in: 3600, token_type: 'Bearer', refresh_token: t.refresh_token,
        scope: 'read:jira-work read:jira-user offline_access' }),
      error: (code, description, status) => ({ status: code === 'invalid_grant' ? 403 : status,
        body: { error: code, error_description: code === 'invalid_grant' ? 'Unknown or invalid refresh token.' : description } }),
    },
    api: [
      { at: 'api.atlassian.com/oauth/token/accessible-resources', answer: () => [
        { id: CLOUD, name: 'your-domain', url: 'https://your-domain.atlassian.net', scopes: ['read:jira-work', 'read:jira-user'], avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png' }] },
      { at: `api.atlassian.com/ex/jira/${CLOUD}/rest/api/3/myself`, answer: () => ({ accountId: '5b10a2844c20165700ede21g', emailAddress: 'ann@example.com' }) },
      { at: `api.atlassian.com/ex/jira/${CLOUD}/rest/api/3/search/jql`, answer: () => ({ issues: [{ key: 'SP-1' }] }) },
    ],
    unauthorized: () => ({ status: 401, body: { code: 401, message: 'Unauthorized' } }),
  },

  connected(sim, connected) {
    assert.equal(connected.connection.cloud_id, CLOUD);
    assert.equal(connected.connection.site_url, 'https://your-domain.atlassian.net');
    assert.equal(connected.identity, 'ann@example.com');
    const [exchange] = sim.fake.requestsTo('auth.atlassian.com/oauth/token');
    assert.equal(exchange.json.client_secret, CLIENT.secret, 'a JSON body with the secret inside');
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/oauth/token');
    assert.equal(refresh.json.grant_type, 'refresh_token');
    assert.equal(refresh.json.client_id, CLIENT.id);
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh);
  },
};
