// GitHub, as documented at
// https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
// and .../refreshing-user-access-tokens: a GitHub App with expiring user
// tokens (28800 s, ghu_/ghr_), the secret in the body, JSON only when asked
// with Accept: application/json (form-encoded otherwise), every token-endpoint
// error as HTTP 200 with `error`, rotation (a used refresh token and its
// access token stop working), and the REST API's 401 "Bad credentials".
import assert from 'node:assert/strict';

const CLIENT = { id: 'Iv1.8a61f9b3a7aba766', secret: 'fake-github-secret' };

export default {
  title: 'GitHub',
  connector: 'github',
  call: { method: 'GET', url: 'repos/octo-org/hello-world/issues' },
  provider: {
    client: CLIENT,
    authorize: { at: 'github.com/login/oauth/authorize' },
    token: {
      at: 'github.com/login/oauth/access_token',
      clientAuth: 'body',
      rotate: true,
      answer: (t, grant, r) => {
        // A used refresh token and the access token it came with stop working.
        for (const a of grant.access) if (a !== t.access_token) grant.access.delete(a);
        const body = { access_token: `ghu_${t.access_token}`, expires_in: 28800, refresh_token: `ghr_${t.refresh_token}`,
          refresh_token_expires_in: 15811200, token_type: 'bearer', scope: '' };
        grant.access.add(body.access_token);
        grant.refresh = body.refresh_token;
        if (!String(r.headers.accept).includes('application/json')) {
          return { status: 200, body: new URLSearchParams(body).toString() };
        }
        return body;
      },
      // GitHub answers token-endpoint errors with 200 and an `error` member.
      error: (code) => {
        const github = { invalid_grant: 'bad_refresh_token', invalid_client: 'incorrect_client_credentials' }[code] ?? code;
        return { status: 200, body: { error: github, error_description: 'The refresh token passed is incorrect or expired.',
          error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors' } };
      },
    },
    api: [
      { at: 'api.github.com/user', headers: { 'X-GitHub-Api-Version': '2022-11-28' }, answer: () => ({ login: 'octocat', id: 1 }) },
      { at: 'api.github.com/repos/*/*/issues', headers: { 'X-GitHub-Api-Version': '2022-11-28', accept: 'application/vnd.github+json' },
        answer: () => [{ number: 1347, title: 'Found a bug' }] },
    ],
    unauthorized: () => ({ status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } }),
  },

  connected(sim, connected) {
    assert.equal(connected.identity, 'octocat');
    assert.match(connected.connection.access_token, /^ghu_/);
    assert.equal(connected.connection.expires_at - Math.floor(Date.now() / 1000) > 28700, true);
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/login/oauth/access_token');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.equal(refresh.form.client_id, CLIENT.id);
    // The rotated refresh token replaced the used one.
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh);
    assert.match(sim.connection.refresh_token, /^ghr_/);
  },
  lost(sim, error) {
    // The refusal came as HTTP 200 with {"error": "bad_refresh_token"}.
    const last = sim.fake.requestsTo('github.com/login/oauth/access_token').at(-1);
    assert.equal(last.form.grant_type, 'refresh_token');
    assert.match(JSON.stringify(error), /bad_refresh_token/, JSON.stringify(error));
  },
};
