// Slack OAuth v2 with user scopes and token rotation, as documented at
// https://docs.slack.dev/authentication/installing-with-oauth,
// https://docs.slack.dev/reference/methods/oauth.v2.access and
// https://docs.slack.dev/authentication/using-token-rotation: HTTP Basic
// client auth, the user token nested at authed_user (the top level is the
// bot's), a refresh answering at the top level, and every error - token
// endpoint and Web API - as HTTP 200 {"ok": false, "error": ...}.
import assert from 'node:assert/strict';

const CLIENT = { id: '2141029472.691202649728', secret: 'e1b9e11dfcd19c1982d5de12921e17e8c' };
const slackError = (error) => ({ status: 200, body: { ok: false, error } });

export default {
  title: 'Slack',
  connector: 'slack',
  app: { settings: { user_scopes: 'chat:write,channels:read' } },
  call: { method: 'POST', url: 'chat.postMessage', headers: [['content-type', 'application/json']], body: '{"channel":"C123","text":"hi"}' },
  provider: {
    client: CLIENT,
    authorize: { at: 'slack.com/oauth/v2/authorize', require: { user_scope: 'chat:write,channels:read' } },
    token: {
      at: 'slack.com/api/oauth.v2.access',
      clientAuth: 'basic',
      rotate: true,
      answer: (t, grant) => ({
        ok: true, app_id: 'A0KRD7HC3', access_token: 'xoxb-bot-token-not-for-users', token_type: 'bot', scope: '',
        bot_user_id: 'U0KRQLJ9H', team: { name: 'Slack Softball Team', id: 'T9TK3CUKW' }, enterprise: null,
        authed_user: { id: 'U1234', scope: grant.scope || 'chat:write,channels:read', access_token: t.access_token,
          token_type: 'user', refresh_token: t.refresh_token, expires_in: 43200 },
      }),
      // The refresh answers the user token at the top level.
      refreshAnswer: (t) => ({ ok: true, access_token: t.access_token, token_type: 'user', refresh_token: t.refresh_token, expires_in: 43200 }),
      error: (code) => slackError({ invalid_grant: 'invalid_refresh_token', invalid_client: 'bad_client_secret' }[code] ?? code),
    },
    // auth.revoke revokes the token it is given, which must be an access token.
    revoke: { at: 'slack.com/api/auth.revoke', clientAuth: 'basic',
      answer: (r) => (r.form.token.startsWith('slack-rt-') ? { ok: false, error: 'invalid_auth' } : { ok: true, revoked: true }) },
    api: [
      { at: 'slack.com/api/auth.test', method: 'POST', answer: () => ({ ok: true, user: 'ann', team: 'Slack Softball Team', user_id: 'U1234' }) },
      { at: 'slack.com/api/chat.postMessage', method: 'POST', answer: (grant, r) => ({ ok: true, channel: r.json.channel, ts: '1503435956.000247' }) },
    ],
    // A bad or expired token: HTTP 200 with ok false.
    unauthorized: () => slackError('token_expired'),
  },

  connected(sim, connected) {
    assert.equal(connected.identity, 'ann (Slack Softball Team)');
    assert.equal(connected.owner_id, 'U1234');
    assert.notEqual(connected.connection.access_token, 'xoxb-bot-token-not-for-users', 'the user token, not the bot token');
    assert.equal(connected.connection.team_id, 'T9TK3CUKW');
    assert.equal(sim.authorizationUrl.searchParams.get('user_scope'), 'chat:write,channels:read');
    assert.equal(sim.authorizationUrl.searchParams.get('scope') ?? '', '', 'no bot scopes');
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/api/oauth.v2.access');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.match(refresh.headers.authorization, /^Basic /);
    assert.equal(sim.connection.refresh_token, sim.fake.grant.refresh);
  },
  revoked(sim, { request, response }) {
    // With token rotation the engine sends the refresh token, which auth.revoke
    // refuses (the entry's description says so).
    assert.equal(request.form.token, sim.connection.refresh_token);
    assert.deepEqual(JSON.parse(response.body), { ok: false, error: 'invalid_auth' });
  },
};
