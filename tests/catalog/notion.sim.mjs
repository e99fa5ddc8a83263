// Notion public integrations, as documented at
// https://developers.notion.com/docs/authorization and
// https://developers.notion.com/reference/create-a-token: owner=user on the
// consent page, HTTP Basic client auth with a JSON body, the token response's
// workspace and owner, the Notion-Version header on every call, and the
// API's 401 {"object": "error", "code": "unauthorized"}.
import assert from 'node:assert/strict';

const CLIENT = { id: '463558a3-725e-4f37-b6d3-0889894f68de', secret: 'secret_fakeNotionOAuthSecret' };
const VERSION = { 'Notion-Version': '2022-06-28' };

export default {
  title: 'Notion',
  connector: 'notion',
  call: { method: 'POST', url: 'search', headers: [['content-type', 'application/json']], body: '{"query":"Roadmap"}' },
  provider: {
    client: CLIENT,
    authorize: { at: 'api.notion.com/v1/oauth/authorize', pkce: false, require: { owner: 'user' } },
    token: {
      at: 'api.notion.com/v1/oauth/token',
      format: 'json',
      clientAuth: 'basic',
      answer: (t) => ({ access_token: t.access_token, token_type: 'bearer', refresh_token: t.refresh_token,
        bot_id: 'b3414d65-9f5b-4b0c-a3a2-5b6f3e1d2c11', workspace_name: 'Acme', workspace_icon: null, workspace_id: 'f1a2b3c4-0000-4000-8000-000000000001',
        owner: { type: 'user', user: { object: 'user', id: 'e79a0b74', type: 'person', name: 'Ann', person: { email: 'ann@example.com' } } },
        duplicated_template_id: null, request_id: '3c90c3cc-0d44-4b50-8888-8dd25736052a' }),
    },
    api: [
      { at: 'api.notion.com/v1/users/me', headers: VERSION, answer: () => ({ object: 'user', id: 'b3414d65', type: 'bot',
        bot: { owner: { type: 'user', user: { object: 'user', id: 'e79a0b74', person: { email: 'ann@example.com' } } }, workspace_name: 'Acme' } }) },
      { at: 'api.notion.com/v1/search', method: 'POST', headers: VERSION, answer: () => ({ object: 'list', results: [], has_more: false }) },
    ],
    unauthorized: () => ({ status: 401, body: { object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.',
      request_id: 'e0f2b4f6-0000-4000-8000-000000000002' } }),
  },

  connected(sim, connected) {
    assert.equal(connected.identity, 'ann@example.com');
    const [exchange] = sim.fake.requestsTo('api.notion.com/v1/oauth/token');
    assert.match(exchange.headers.authorization, /^Basic /);
    assert.equal(exchange.json.grant_type, 'authorization_code');
    assert.equal(exchange.json.client_secret, undefined, 'the secret only in the Basic header');
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/v1/oauth/token');
    assert.deepEqual(Object.keys(refresh.json).sort(), ['grant_type', 'refresh_token']);
    assert.match(refresh.headers.authorization, /^Basic /);
  },
};
