// The proxy against hostile upstreams and callers, in real workerd with the
// real engine (docs/security.md): a redirect that would send the caller's
// client back to this service with its session, headers that would act on
// the console's origin, "..;" path segments some servers read as "..", and
// private addresses (refused unless the operator allows them).
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';

const edge = await startEdge();
after(() => edge.dispose());
const { api, upstream } = edge;

const admin = await session('org-h', 'admin-h', 'admin');
const member = await session('org-h', 'member-h', 'member');

async function connectedApp(fields = {}) {
  const created = await api('POST', '/api/apps', { token: admin, json: { name: 'Acme', prompt: 'Connect', connector: 'acme', ...fields } });
  assert.equal(created.status, 201, created.text);
  const id = created.data.id;
  upstream.reset();
  const connected = await api('POST', `/api/apps/${id}/connect`, { token: member, json: { fields: { api_key: 'member-key-77' } } });
  assert.equal(connected.status, 200, connected.text);
  upstream.reset();
  return id;
}

let app;
before(async () => {
  assert.equal((await api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector() })).status, 201);
  app = await connectedApp();
});

describe('redirects from the upstream', () => {
  test('a relative Location outside base_uri goes back absolute, on the upstream\'s host', async () => {
    upstream.handler = () => new Response(null, { status: 307, headers: { location: `/api/apps/${app}/disable` } });
    const r = await api('POST', `/proxy/${app}/items`, { token: member, json: { a: 1 } });
    assert.equal(r.status, 307);
    assert.equal(r.headers.get('location'), `https://api.acme.test/api/apps/${app}/disable`);
  });

  test('a Location under base_uri is rewritten to the same app\'s proxy path', async () => {
    upstream.handler = () => new Response(null, { status: 302, headers: { location: 'https://api.acme.test/v1/items/2?page=3' } });
    const r = await api('GET', `/proxy/${app}/items`, { token: member });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), `/proxy/${app}/items/2?page=3`);
    upstream.handler = () => new Response(null, { status: 303, headers: { location: '../next' } });
    const relative = await api('GET', `/proxy/${app}/items/1`, { token: member });
    assert.equal(relative.headers.get('location'), `/proxy/${app}/next`);
  });

  test('a Location on the edge\'s own origin is refused with 502, the caller\'s client never sees it', async () => {
    for (const location of [`http://edge.test/api/apps/${app}/disable`, '//edge.test/proxy/other/x', `https://edge.test:8443/api/apps`]) {
      upstream.handler = () => new Response('moved', { status: 307, headers: { location } });
      const r = await api('POST', `/proxy/${app}/items`, { token: member, json: { a: 1 } });
      assert.equal(r.status, 502, location);
      assert.equal(r.data.error, 'upstream_redirect_refused');
      assert.equal(r.headers.get('location'), null);
    }
    // The app was not touched by anything the caller's client might have followed.
    assert.equal((await api('GET', `/api/apps/${app}`, { token: admin })).data.enabled, true);
  });

  test('Refresh is dropped; Content-Location is rewritten like Location', async () => {
    upstream.handler = () => new Response('x', {
      headers: { refresh: `0; url=/api/apps/${app}/disable`, 'content-location': '/v1/items/5', 'content-type': 'text/plain' },
    });
    const r = await api('GET', `/proxy/${app}/items`, { token: member });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('refresh'), null);
    assert.equal(r.headers.get('content-location'), `/proxy/${app}/items/5`);
  });
});

describe('response headers from the upstream', () => {
  test('only allowed headers pass; every proxied answer is sandboxed and not sniffed', async () => {
    upstream.handler = () => new Response('<script>parent.postMessage(localStorage.token, "*")</script>', {
      headers: {
        'content-type': 'text/html', 'clear-site-data': '"cookies", "storage"', 'access-control-allow-origin': '*',
        'access-control-allow-credentials': 'true', 'www-authenticate': 'Basic realm="upstream"', 'content-security-policy': "script-src 'unsafe-inline'",
        'x-content-type-options': 'sniff', 'strict-transport-security': 'max-age=0', 'x-frame-options': 'ALLOWALL',
        'etag': '"e1"', 'x-ratelimit-remaining': '41', 'cache-control': 'private, max-age=5',
      },
    });
    const r = await api('GET', `/proxy/${app}/page`, { token: member });
    assert.equal(r.status, 200);
    for (const name of ['clear-site-data', 'access-control-allow-origin', 'access-control-allow-credentials', 'www-authenticate',
      'strict-transport-security', 'x-frame-options']) {
      assert.equal(r.headers.get(name), null, name);
    }
    assert.equal(r.headers.get('content-security-policy'), 'sandbox');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('content-type'), 'text/html');
    assert.equal(r.headers.get('etag'), '"e1"');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '41');
    assert.equal(r.headers.get('cache-control'), 'private, max-age=5');
  });

  test('a 401 with a challenge: the status passes, the challenge does not', async () => {
    upstream.handler = () => new Response('no', { status: 403, headers: { 'www-authenticate': 'Basic realm="x"' } });
    const r = await api('GET', `/proxy/${app}/secret`, { token: member });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('www-authenticate'), null);
  });
});

describe('path segments with parameters', () => {
  test('"..;" and ".;" segments (in any encoding) are refused before the upstream', async () => {
    upstream.reset();
    for (const path of ['..;/x', 'a/..;/x', '..;foo=bar/x', '.;/x', '%2e%2e;/x', '.%2e;x/y', '%252e%252e%253b/x', 'a/..;']) {
      const r = await api('GET', `/proxy/${app}/${path}`, { token: member });
      assert.equal(r.status, 403, path);
      assert.equal(r.data.error, 'egress_denied', path);
    }
    assert.equal(upstream.requests.length, 0);
    // A ";" elsewhere in a segment is a character like any other.
    upstream.handler = () => new Response('ok');
    const kept = await api('GET', `/proxy/${app}/a;v=1/b..;c`, { token: member });
    assert.equal(kept.status, 200);
    assert.equal(upstream.requests[0].url, 'https://api.acme.test/v1/a;v=1/b..;c');
  });
});

describe('private addresses (EGRESS_ALLOW_PRIVATE)', () => {
  let server;
  let hits = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      hits += 1;
      res.end('internal');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
  });
  after(() => new Promise((r) => server.close(r)));

  const loopbackConnector = (port) => apiKeyConnector({ name: 'internal', connection: { ...apiKeyConnector().connection, base_uri: `http://127.0.0.1:${port}/` } });

  test('refused by default, even when the app\'s egress list names the address', async () => {
    const { port } = server.address();
    const guarded = await startEdge({ network: true, allowPrivate: false });
    try {
      const a = await session('org-p', 'a', 'admin');
      assert.equal((await guarded.api('PUT', '/api/connectors/internal', { token: a, json: loopbackConnector(port) })).status, 201);
      const created = await guarded.api('POST', '/api/apps', {
        token: a, json: { name: 'Internal', prompt: 'p', connector: 'internal', egress: [`127.0.0.1:${port}`, `localhost:${port}`] },
      });
      assert.equal(created.status, 201, created.text);
      // The connect runs the connector's test request: refused before the socket.
      const connect = await guarded.api('POST', `/api/apps/${created.data.id}/connect`, { token: a, json: { fields: { api_key: 'k' } } });
      assert.equal(connect.status, 403, connect.text);
      assert.equal(connect.data.error, 'egress_denied');
      assert.match(connect.data.message, /127\.0\.0\.1 is a loopback, link-local or private address.*EGRESS_ALLOW_PRIVATE=1/);
      assert.equal(hits, 0);
    } finally {
      await guarded.dispose();
    }
  });

  test('allowed when the operator enables it (as scripts/dev does)', async () => {
    const { port } = server.address();
    const open = await startEdge({ network: true }); // allowPrivate follows network
    try {
      const a = await session('org-p', 'a', 'admin');
      assert.equal((await open.api('PUT', '/api/connectors/internal', { token: a, json: loopbackConnector(port) })).status, 201);
      const created = await open.api('POST', '/api/apps', { token: a, json: { name: 'Internal', prompt: 'p', connector: 'internal' } });
      const connect = await open.api('POST', `/api/apps/${created.data.id}/connect`, { token: a, json: { fields: { api_key: 'k' } } });
      assert.equal(connect.status, 200, connect.text);
      const proxied = await open.api('GET', `/proxy/${created.data.id}/x`, { token: a });
      assert.equal(proxied.text, 'internal');
      assert.ok(hits >= 2);
    } finally {
      await open.dispose();
    }
  });
});

describe('app-level secrets in apply rules', () => {
  test('PUT connector answers warnings for client_secret and names the secret fields apply rules send', async () => {
    const leaky = apiKeyConnector({ name: 'leaky' });
    leaky.authorization = { ...leaky.authorization, apply: [{ headers: { 'X-Api-Key': '{{connection.api_key}}', 'X-Client-Secret': '{{client_secret}}' } }] };
    const r = await api('PUT', '/api/connectors/leaky', { token: admin, json: leaky });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.data.warnings.map((w) => w.path), ['/authorization/apply/0/headers/X-Client-Secret']);
    assert.match(r.data.warnings[0].message, /client_secret .*any member can read it back/);
    assert.deepEqual(r.data.secret_fields_applied, [{ field: 'api_key', path: '/authorization/apply/0/headers/X-Api-Key' }]);
    const clean = await api('PUT', '/api/connectors/clean', { token: admin, json: { ...apiKeyConnector({ name: 'clean' }), connection: { base_uri: 'https://api.acme.test/v1/' }, authorization: { type: 'api_key', apply: [{ headers: { 'X-App': '{{client_id}}' } }] } } });
    assert.equal(clean.status, 201, clean.text);
    assert.equal(clean.data.warnings, undefined);
  });
});
