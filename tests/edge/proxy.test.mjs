// The proxy and the caller's connection in real workerd with the real
// engine (SPEC §4, §5, §7): credentials applied by the connector, the
// caller's own credentials and hop-by-hop headers stripped, bodies streamed,
// refusals, egress and path-escape attempts that never reach the upstream,
// reset/delete/disable semantics and user isolation.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';

const edge = await startEdge();
after(() => edge.dispose());
const { api, upstream } = edge;

const admin = await session('org-a', 'alice', 'admin');
const userA = await session('org-a', 'user-a', 'member');
const userB = await session('org-a', 'user-b', 'member');
const KEY_A = 'key-of-user-a-5d1e';
const KEY_B = 'key-of-user-b-c0ff';

async function newApp(fields = {}, connector = 'acme') {
  const r = await api('POST', '/api/apps', { token: admin, json: { name: 'Acme', prompt: 'Connect Acme', connector, ...fields } });
  assert.equal(r.status, 201, r.text);
  return r.data.id;
}

// Sends a request with exactly the given path and headers (no URL
// normalization by the client), straight to workerd.
function raw(method, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: edge.url.hostname, port: edge.url.port, method, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// Writes an HTTP/1.1 request head byte for byte (any header, even ones
// Node's client refuses) and reads the answer's status and headers.
function rawHead(method, path, headerLines) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(edge.url.port), edge.url.hostname, () => {
      socket.write(`${method} ${path} HTTP/1.1\r\nhost: edge.test\r\n${headerLines.map((l) => `${l}\r\n`).join('')}connection: close\r\n\r\n`);
    });
    let data = '';
    let done = false;
    // Answers as soon as the head is complete: the request's own
    // "connection: keep-alive" may keep the socket open.
    const finish = () => {
      if (done || !data.includes('\r\n\r\n')) return;
      done = true;
      socket.destroy();
      const [head] = data.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers });
    };
    socket.on('data', (c) => {
      data += c;
      finish();
    });
    socket.on('end', finish);
    socket.on('error', (e) => (done ? undefined : reject(e)));
  });
}

let app;
before(async () => {
  assert.equal((await api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector() })).status, 201);
  app = await newApp();
});

describe('connect (non-oauth2)', () => {
  test('not connected yet: status, and the proxy refuses with 409 not_connected', async () => {
    const c = await api('GET', `/api/apps/${app}/connection`, { token: userA });
    assert.equal(c.status, 200);
    assert.equal(c.data.status, 'not_connected');
    upstream.reset();
    const p = await api('GET', `/proxy/${app}/me`, { token: userA });
    assert.equal(p.status, 409);
    assert.equal(p.data.error, 'not_connected');
    assert.equal(upstream.requests.length, 0);
  });

  test('fields are checked against the connector', async () => {
    const missing = await api('POST', `/api/apps/${app}/connect`, { token: userA, json: { fields: { region: 'eu' } } });
    assert.equal(missing.status, 400);
    assert.equal(missing.data.error, 'invalid_fields');
    assert.deepEqual(missing.data.details.map((d) => d.path), ['/fields/api_key']);
    const unknown = await api('POST', `/api/apps/${app}/connect`, { token: userA, json: { fields: { api_key: 'k', access_token: 'x' } } });
    assert.deepEqual(unknown.data.details.map((d) => d.path), ['/fields/access_token']);
    const notObject = await api('POST', `/api/apps/${app}/connect`, { token: userA, json: { fields: 'k' } });
    assert.equal(notObject.status, 400);
  });

  test('connect stores the values and answers the connection without them', async () => {
    const r = await api('POST', `/api/apps/${app}/connect`, { token: userA, json: { fields: { api_key: KEY_A } } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.status, 'connected');
    assert.equal(r.data.lost, null);
    assert.equal(r.data.history.length, 1);
    assert.deepEqual(Object.keys(r.data.history[0]).sort(), ['at', 'cause', 'detail', 'from', 'to']);
    assert.ok(!r.text.includes(KEY_A));
    const c = await api('GET', `/api/apps/${app}/connection`, { token: userA });
    assert.equal(c.data.status, 'connected');
    assert.ok(!c.text.includes(KEY_A));
  });

  test('connect runs the connector\'s test first: rejected → 422 connect_failed, down → 503; nothing stored', async () => {
    const id = await newApp();
    upstream.reset();
    upstream.handler = () => new Response('no', { status: 401 });
    const rejected = await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: 'wrong-key' } } });
    assert.equal(rejected.status, 422);
    assert.equal(rejected.data.error, 'connect_failed');
    assert.equal(rejected.data.lost.cause, 'credentials_rejected');
    assert.match(rejected.data.message, /Enter new credentials/);
    assert.equal(upstream.requests[0].headers['x-api-key'], 'wrong-key');
    upstream.handler = () => new Response('maintenance', { status: 503 });
    const down = await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: KEY_A } } });
    assert.equal(down.status, 503);
    assert.equal(down.data.error, 'provider_unavailable');
    assert.equal((await api('GET', `/api/apps/${id}/connection`, { token: userA })).data.status, 'not_connected');
    upstream.reset();
  });

  test('a field value a header cannot carry is refused at connect, saying where', async () => {
    const id = await newApp();
    upstream.reset();
    const r = await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: 'k-\u65e5\u672c' } } });
    assert.equal(r.status, 422);
    assert.equal(r.data.error, 'connect_failed');
    assert.deepEqual(r.data.details.map((d) => d.path), ['/authorization/apply/0/headers/X-Api-Key']);
    assert.match(r.data.details[0].message, /above U\+00FF .*X-Api-Key header/);
    assert.equal(upstream.requests.length, 0, 'nothing is sent');
    assert.equal((await api('GET', `/api/apps/${id}/connection`, { token: userA })).data.status, 'not_connected');
  });

  test('oauth2 connect answers the authorization URL; an unknown state gets the callback page', async () => {
    const oauth = {
      name: 'oauthy',
      connection: { base_uri: 'https://api.oauthy.test/' },
      authorization: { type: 'oauth2', authorization_url: 'https://oauthy.test/authorize', token_url: 'https://oauthy.test/token' },
    };
    assert.equal((await api('PUT', '/api/connectors/oauthy', { token: admin, json: oauth })).status, 201);
    const id = await newApp({ client_id: 'c', client_secret: 's', prompt: 'Connect Oauthy' }, 'oauthy');
    upstream.reset();
    const r = await api('POST', `/api/apps/${id}/connect`, { token: userA, json: {} });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.data).sort(), ['authorization_url', 'binding', 'noopener', 'prompt', 'state']);
    assert.equal(r.data.prompt, 'Connect Oauthy');
    const authorization = new URL(r.data.authorization_url);
    assert.equal(authorization.origin + authorization.pathname, 'https://oauthy.test/authorize');
    assert.equal(authorization.searchParams.get('state'), r.data.state);
    assert.equal(authorization.searchParams.get('redirect_uri'), 'http://edge.test/oauth/callback');
    assert.ok(!r.text.includes('"s"') && !r.text.includes('verifier'));
    const cb = await api('GET', '/oauth/callback?state=not-a-state-we-issued-x&code=y');
    assert.equal(cb.status, 400);
    assert.match(cb.headers.get('content-type'), /text\/html/);
    assert.equal(upstream.requests.length, 0, 'nothing is sent to the provider');
  });
});

describe('proxy', () => {
  test('applies the key, strips the caller\'s credentials, keeps path, query and other headers', async () => {
    upstream.reset();
    upstream.handler = () => new Response('{"id":1}', { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'yes' } });
    const r = await api('GET', `/proxy/${app}/users/1?fields=a,b&x=%20y`, {
      token: userA, headers: { cookie: 'session=abc', 'x-custom': 'kept', accept: 'application/json', 'X-API-KEY': 'the-caller-s-own' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.text, '{"id":1}');
    assert.equal(r.headers.get('x-request-id'), 'yes');
    assert.equal(upstream.requests.length, 1);
    const seen = upstream.requests[0];
    assert.equal(seen.url, 'https://api.acme.test/v1/users/1?fields=a,b&x=%20y');
    assert.equal(seen.headers['x-api-key'], KEY_A);
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers.cookie, undefined);
    assert.equal(seen.headers['x-custom'], 'kept');
    assert.equal(seen.headers.accept, 'application/json');
  });

  test('hop-by-hop headers (RFC 9110 §7.6.1) go neither up nor down', async () => {
    upstream.reset();
    upstream.handler = () => new Response('ok', {
      headers: { 'x-up-private': 'p', connection: 'x-up-private', 'keep-alive': 'timeout=5', 'proxy-authenticate': 'Basic', 'set-cookie': 'u=1' },
    });
    const r = await rawHead('GET', `/proxy/${app}/hop`, [
      `authorization: Bearer ${userA}`,
      'cookie: session=abc',
      'connection: keep-alive, x-drop-me',
      'x-drop-me: secret-ish',
      'keep-alive: timeout=5',
      'te: trailers',
      'trailer: x-t',
      'proxy-authorization: Basic abc',
      'proxy-foo: bar',
      'x-kept: 1',
    ]);
    assert.equal(r.status, 200);
    const seen = upstream.requests[0].headers;
    for (const h of ['x-drop-me', 'keep-alive', 'te', 'trailer', 'proxy-authorization', 'proxy-foo', 'authorization', 'cookie', 'upgrade', 'transfer-encoding']) {
      assert.equal(seen[h], undefined, h);
    }
    assert.equal(seen['x-kept'], '1');
    assert.equal(r.headers['x-up-private'], undefined);
    assert.equal(r.headers['proxy-authenticate'], undefined);
    assert.equal(r.headers['set-cookie'], undefined);
    assert.equal(r.headers['keep-alive'], undefined);

    // The usual answer of an HTTP/1.1 server: its hop-by-hop fields never
    // reach the caller, its allowed ones do (response_headers.mjs).
    upstream.handler = () => new Response('ok', { headers: { connection: 'keep-alive', 'keep-alive': 'timeout=61', upgrade: 'h2c', 'x-request-id': 'u' } });
    const plain = await rawHead('GET', `/proxy/${app}/hop`, [`authorization: Bearer ${userA}`]);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['x-request-id'], 'u');
    assert.equal(plain.headers['keep-alive'], undefined);
    assert.equal(plain.headers.upgrade, undefined);
    assert.notEqual(plain.headers.connection, 'keep-alive');
  });

  test('the upstream body is streamed, not buffered', async () => {
    upstream.reset();
    let release;
    const gate = new Promise((r) => (release = r));
    upstream.handler = () => new Response(new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('first-chunk;'));
      },
      async pull(c) {
        await gate; // only after the caller has read the first chunk
        c.enqueue(new TextEncoder().encode('second-chunk'));
        c.close();
      },
    }));
    // identity: workerd's own gzip of the answer would hold small chunks back.
    const res = await edge.mf.dispatchFetch(`http://edge.test/proxy/${app}/stream`, {
      headers: { authorization: `Bearer ${userA}`, 'accept-encoding': 'identity' },
    });
    assert.equal(res.status, 200);
    const reader = res.body.getReader();
    let text = '';
    const timeout = setTimeout(() => release(), 5000); // a buffering proxy would wait for this
    const started = Date.now();
    while (!text.includes('first-chunk;')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.ok(Date.now() - started < 4000, 'the first chunk arrived before the upstream finished');
    release();
    clearTimeout(timeout);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.equal(text, 'first-chunk;second-chunk');
  });

  test('request bodies: JSON and bytes arrive intact; over 10 MiB → 413', async () => {
    upstream.reset();
    const json = await api('POST', `/proxy/${app}/items`, { token: userA, json: { a: 1, b: 'ü' } });
    assert.equal(json.status, 200);
    assert.equal(upstream.requests[0].method, 'POST');
    assert.deepEqual(JSON.parse(upstream.requests[0].body), { a: 1, b: 'ü' });
    const bytes = new Uint8Array(100_000).map((_, i) => i % 251);
    upstream.handler = async (seen, req) => new Response(String(seen.body.length));
    const bin = await edge.mf.dispatchFetch(`http://edge.test/proxy/${app}/upload`, {
      method: 'PUT', body: bytes, headers: { authorization: `Bearer ${userA}`, 'content-type': 'application/octet-stream' },
    });
    assert.equal(bin.status, 200);
    await bin.text();
    upstream.reset();
    const big = await api('POST', `/proxy/${app}/big`, { token: userA, body: new Uint8Array(10 * 1024 * 1024 + 1), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(big.status, 413);
    assert.equal(upstream.requests.length, 0);
  });

  test('redirects are answered to the caller, never followed', async () => {
    upstream.reset();
    upstream.handler = () => new Response(null, { status: 302, headers: { location: 'https://evil.example/steal' } });
    const r = await api('GET', `/proxy/${app}/redirect`, { token: userA });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), 'https://evil.example/steal');
    assert.equal(upstream.requests.length, 1);
  });

  test('an upstream answer that is not a refresh goes back as is', async () => {
    upstream.reset();
    upstream.handler = () => new Response('{"error":"nope"}', { status: 404 });
    // refresh_on: [401] → a 404 is an error returned to the caller (SPEC §2.5)
    const r = await api('GET', `/proxy/${app}/missing`, { token: userA });
    assert.equal(r.status, 404);
    assert.equal(r.text, '{"error":"nope"}');
    assert.equal((await api('GET', `/api/apps/${app}/connection`, { token: userA })).data.status, 'connected');
  });
});

describe('path escapes and egress', () => {
  const attempts = [
    '//evil.example/x', '..%2f..%2fx', '%2e%2e/x', 'a/%2e%2e/%2e%2e/x', '@evil.example', 'x@evil.example/y',
    'http://evil.example/x', 'http:%2f%2fevil.example', 'https:evil.example', '..\\..\\x', 'a%5c..%5cb', '%5c%5cevil.example',
    '%252e%252e/x', '%25252e%25252e/x', '.%2e/x', 'a//b', '%2f%2fevil.example', 'x%00y', 'x%0d%0aHost:%20evil', '%40evil.example', 'a/%zz',
  ];

  test('refused, and the upstream is never reached', async () => {
    upstream.reset();
    for (const attempt of attempts) {
      for (const send of ['raw', 'fetch']) {
        const r = send === 'raw'
          ? await raw('GET', `/proxy/${app}/${attempt}`, { authorization: `Bearer ${userA}` })
          : await api('GET', `/proxy/${app}/${attempt}`, { token: userA });
        assert.ok([400, 403, 404].includes(r.status), `${send} ${attempt}: ${r.status}`);
      }
    }
    assert.deepEqual(upstream.requests.map((r) => r.url), []);
  });

  test('escapes that reach the worker answer 403 egress_denied', async () => {
    for (const attempt of ['//evil.example/x', '..%2f..%2fx', '@evil.example', 'http://evil.example/x', '%5c%5cevil.example', '%252e%252e/x', 'x%00y']) {
      const r = await raw('GET', `/proxy/${app}/${attempt}`, { authorization: `Bearer ${userA}` });
      assert.equal(r.status, 403, attempt);
      assert.equal(JSON.parse(r.body).error, 'egress_denied', attempt);
    }
  });

  test('an explicit egress list without the connector\'s host refuses', async () => {
    const id = await newApp({ egress: ['other.example'] });
    upstream.reset();
    const connect = await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: KEY_A } } });
    assert.equal(connect.status, 403, 'the connection test cannot be sent either');
    assert.equal(connect.data.error, 'egress_denied');
    await api('PATCH', `/api/apps/${id}`, { token: admin, json: { egress: ['api.acme.test'] } });
    assert.equal((await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: KEY_A } } })).status, 200);
    await api('PATCH', `/api/apps/${id}`, { token: admin, json: { egress: ['other.example'] } });
    upstream.reset();
    const r = await api('GET', `/proxy/${id}/me`, { token: userA });
    assert.equal(r.status, 403);
    assert.equal(r.data.error, 'egress_denied');
    assert.equal(upstream.requests.length, 0);
    await api('PATCH', `/api/apps/${id}`, { token: admin, json: { egress: ['api.acme.test'] } });
    assert.equal((await api('GET', `/proxy/${id}/me`, { token: userA })).status, 200);
    await api('PATCH', `/api/apps/${id}`, { token: admin, json: { egress: ['api.acme.test:8443'] } });
    assert.equal((await api('GET', `/proxy/${id}/me`, { token: userA })).status, 403, 'port must match');
  });

  test('a host from a user field needs an explicit egress; app settings render it', async () => {
    const tenant = apiKeyConnector({ name: 'tenant' });
    tenant.connection = {
      fields: [{ name: 'api_key', secret: true }, { name: 'subdomain' }],
      base_uri: 'https://{{connection.subdomain}}.acme.test/api/',
    };
    assert.equal((await api('PUT', '/api/connectors/tenant', { token: admin, json: tenant })).status, 201);

    const derived = await newApp({}, 'tenant');
    upstream.reset();
    const denied = await api('POST', `/api/apps/${derived}/connect`, { token: userA, json: { fields: { api_key: KEY_A, subdomain: 'evil.example/' } } });
    assert.equal(denied.status, 403);
    assert.equal(denied.data.error, 'egress_denied');
    assert.match(denied.data.message, /egress/);
    const good = await api('POST', `/api/apps/${derived}/connect`, { token: userA, json: { fields: { api_key: KEY_A, subdomain: 'good' } } });
    assert.equal(good.status, 403, 'still no derivable egress');
    assert.equal((await api('GET', `/proxy/${derived}/me`, { token: userA })).status, 409, 'nothing was stored');
    assert.equal(upstream.requests.length, 0);

    const wildcard = await newApp({ egress: ['*.acme.test'] }, 'tenant');
    assert.equal((await api('POST', `/api/apps/${wildcard}/connect`, { token: userA, json: { fields: { api_key: KEY_A, subdomain: 'good' } } })).status, 200);
    assert.equal((await api('GET', `/proxy/${wildcard}/me`, { token: userA })).status, 200);
    assert.equal(upstream.requests.at(-1).url, 'https://good.acme.test/api/me');
    upstream.reset();
    assert.equal((await api('POST', `/api/apps/${wildcard}/connect`, { token: userA, json: { fields: { api_key: KEY_A, subdomain: 'evil.example/' } } })).status, 403);
    assert.equal(upstream.requests.length, 0);

    const fromSettings = await newApp({ settings: { subdomain: 'fixed' } }, 'tenant');
    await api('POST', `/api/apps/${fromSettings}/connect`, { token: userA, json: { fields: { api_key: KEY_A, subdomain: 'ignored' } } });
    assert.equal((await api('GET', `/proxy/${fromSettings}/me`, { token: userA })).status, 200);
    assert.equal(upstream.requests.at(-1).url, 'https://fixed.acme.test/api/me');
  });
});

describe('app lifecycle and isolation', () => {
  test('disable: proxy 403 app_disabled, status disabled, no new connections; enable restores', async () => {
    await api('POST', `/api/apps/${app}/disable`, { token: admin });
    upstream.reset();
    const p = await api('GET', `/proxy/${app}/me`, { token: userA });
    assert.equal(p.status, 403);
    assert.equal(p.data.error, 'app_disabled');
    assert.equal(upstream.requests.length, 0);
    assert.equal((await api('GET', `/api/apps/${app}/connection`, { token: userA })).data.status, 'disabled');
    const c = await api('POST', `/api/apps/${app}/connect`, { token: userB, json: { fields: { api_key: KEY_B } } });
    assert.equal(c.status, 403);
    assert.equal(c.data.error, 'app_disabled');
    assert.equal((await api('POST', `/api/apps/${app}/check`, { token: userA })).data.error, 'app_disabled');
    await api('POST', `/api/apps/${app}/enable`, { token: admin });
    assert.equal((await api('GET', `/api/apps/${app}/connection`, { token: userA })).data.status, 'connected');
    assert.equal((await api('GET', `/proxy/${app}/me`, { token: userA })).status, 200);
    assert.equal(upstream.requests.at(-1).headers['x-api-key'], KEY_A);
  });

  test('user B never sees or uses A\'s connection', async () => {
    assert.equal((await api('GET', `/api/apps/${app}/connection`, { token: userB })).data.status, 'not_connected');
    upstream.reset();
    assert.equal((await api('GET', `/proxy/${app}/me`, { token: userB })).status, 409);
    assert.equal(upstream.requests.length, 0);
    await api('POST', `/api/apps/${app}/connect`, { token: userB, json: { fields: { api_key: KEY_B } } });
    upstream.reset();
    await api('GET', `/proxy/${app}/me`, { token: userB });
    await api('GET', `/proxy/${app}/me`, { token: userA });
    assert.deepEqual(upstream.requests.map((r) => r.headers['x-api-key']), [KEY_B, KEY_A]);
    // B disconnecting leaves A connected.
    const d = await api('DELETE', `/api/apps/${app}/connection`, { token: userB });
    assert.equal(d.data.status, 'not_connected');
    assert.equal((await api('GET', `/api/apps/${app}/connection`, { token: userA })).data.status, 'connected');
    assert.equal((await api('GET', `/proxy/${app}/me`, { token: userB })).status, 409);
  });

  test('a rejected key (refresh signal, nothing to refresh, the test fails too) loses the connection: credentials_rejected', async () => {
    const id = await newApp();
    await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: 'revoked-key' } } });
    upstream.reset();
    upstream.handler = () => new Response('unauthorized', { status: 401 });
    const r = await api('GET', `/proxy/${id}/me`, { token: userA });
    assert.equal(r.status, 409);
    assert.equal(r.data.error, 'connection_lost');
    assert.equal(r.data.lost.cause, 'credentials_rejected');
    assert.equal(typeof r.data.lost.message, 'string');
    assert.equal(typeof r.data.lost.action, 'string');
    assert.deepEqual(upstream.requests.map((q) => q.url), ['https://api.acme.test/v1/me', 'https://api.acme.test/v1/me'],
      'the request, then the connector\'s test to diagnose; no retry without new credentials');
    const c = await api('GET', `/api/apps/${id}/connection`, { token: userA });
    assert.equal(c.data.status, 'lost');
    assert.equal(c.data.lost.cause, 'credentials_rejected');
    assert.deepEqual(c.data.history.map((h) => h.to), ['connected', 'lost']);
    assert.equal(c.data.history[1].cause, 'credentials_rejected');
    assert.ok(!c.text.includes('revoked-key'));
    upstream.reset();
    const again = await api('GET', `/proxy/${id}/me`, { token: userA });
    assert.equal(again.status, 409);
    assert.equal(again.data.lost.cause, 'credentials_rejected');
    assert.equal(upstream.requests.length, 0);
    // New credentials connect again.
    await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: 'new-key' } } });
    upstream.handler = () => new Response('ok');
    assert.equal((await api('GET', `/proxy/${id}/me`, { token: userA })).status, 200);
  });

  test('concurrent rejected requests share one refresh attempt (single flight)', async () => {
    const id = await newApp();
    await api('POST', `/api/apps/${id}/connect`, { token: userB, json: { fields: { api_key: 'revoked-too' } } });
    upstream.reset();
    upstream.handler = async () => {
      await new Promise((r) => setTimeout(r, 50)); // let every request reach the upstream first
      return new Response('denied', { status: 401 });
    };
    const answers = await Promise.all(Array.from({ length: 5 }, () => api('GET', `/proxy/${id}/me`, { token: userB })));
    for (const r of answers) {
      assert.equal(r.status, 409);
      assert.equal(r.data.lost.cause, 'credentials_rejected');
    }
    assert.equal(upstream.requests.length, 6, 'each request was sent once, none retried; one test diagnosed them all');
    const c = await api('GET', `/api/apps/${id}/connection`, { token: userB });
    assert.deepEqual(c.data.history.map((h) => h.to), ['connected', 'lost'], 'one refresh, one status change');
    upstream.reset();
  });

  test('body signals: the body is read to classify it, then reaches the caller whole', async () => {
    // refresh_on looks at bodies (SPEC §2.5); detect_on reads 2xx bodies.
    const base = apiKeyConnector();
    const connector = { ...base, name: 'acme_signals',
      authorization: { ...base.authorization, refresh_on: [401, { regex: 'key (was )?revoked' }], detect_on: [{ regex: '"status":\\s*"error"' }] } };
    assert.equal((await api('PUT', '/api/connectors/acme_signals', { token: admin, json: connector })).status, 201);
    const id = await newApp({}, 'acme_signals');
    await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: KEY_A } } });

    // A large 2xx body (read up to 1 MiB, then the rest unread): every byte arrives, in order.
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => 97 + (i % 26));
    upstream.reset();
    upstream.handler = () => new Response(big);
    const whole = await edge.mf.dispatchFetch(`http://edge.test/proxy/${id}/export`, { headers: { authorization: `Bearer ${userA}` } });
    assert.equal(whole.status, 200);
    assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), big);

    // An error body that is no refresh signal goes back as is; one that is
    // makes the edge diagnose the key (the test fails: the connection is lost).
    upstream.reset();
    upstream.handler = () => new Response('{"status":"error","message":"bad filter"}', { status: 200 });
    const detected = await api('GET', `/proxy/${id}/items`, { token: userA });
    assert.equal(detected.status, 200);
    assert.equal(detected.data.message, 'bad filter');
    assert.equal(upstream.requests.length, 1, 'an error signal is not a refresh signal: no test, no retry');
    upstream.reset();
    upstream.handler = (seen) => (seen.url.endsWith('/me') ? new Response('key revoked', { status: 403 }) : new Response('your key was revoked', { status: 400 }));
    const rejected = await api('GET', `/proxy/${id}/items`, { token: userA });
    assert.equal(rejected.status, 409, rejected.text);
    assert.equal(rejected.data.lost.cause, 'credentials_rejected');
    assert.deepEqual(upstream.requests.map((q) => q.url), ['https://api.acme.test/v1/items', 'https://api.acme.test/v1/me']);
    upstream.reset();
  });

  test('a rejection the test does not confirm leaves the connection alone and answers as is', async () => {
    const id = await newApp();
    await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: KEY_A } } });
    upstream.reset();
    upstream.handler = (seen) => (seen.url.endsWith('/me') ? new Response('me') : new Response('no such thing', { status: 401 }));
    const r = await api('GET', `/proxy/${id}/thing`, { token: userA });
    assert.equal(r.status, 401);
    assert.equal(r.text, 'no such thing');
    assert.deepEqual(upstream.requests.map((q) => q.url), ['https://api.acme.test/v1/thing', 'https://api.acme.test/v1/me']);
    assert.equal((await api('GET', `/api/apps/${id}/connection`, { token: userA })).data.status, 'connected');
    upstream.reset();
  });

  test('check: not connected → 409; runs the test now: ok, rejected → lost, 5xx → degraded, then recovers', async () => {
    const id = await newApp();
    assert.equal((await api('POST', `/api/apps/${id}/check`, { token: userA })).status, 409);
    await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: KEY_A } } });
    upstream.reset();
    const okCheck = await api('POST', `/api/apps/${id}/check`, { token: userA });
    assert.equal(okCheck.status, 200);
    assert.equal(okCheck.data.status, 'connected');
    assert.equal(upstream.requests[0].headers['x-api-key'], KEY_A);

    upstream.handler = () => new Response('down', { status: 503 });
    const down = await api('POST', `/api/apps/${id}/check`, { token: userA });
    assert.equal(down.status, 200);
    assert.equal(down.data.status, 'degraded');
    assert.equal(down.data.lost.cause, 'provider_unavailable');
    assert.equal(typeof down.data.next_retry_at, 'number');
    upstream.handler = () => new Response('ok');
    const back = await api('POST', `/api/apps/${id}/check`, { token: userA });
    assert.equal(back.data.status, 'connected', 'check retries at once, whatever the backoff');

    upstream.handler = () => new Response('no', { status: 401 });
    const rejected = await api('POST', `/api/apps/${id}/check`, { token: userA });
    assert.equal(rejected.data.status, 'lost');
    assert.equal(rejected.data.lost.cause, 'credentials_rejected');
    upstream.handler = () => new Response('ok');
    const fixed = await api('POST', `/api/apps/${id}/check`, { token: userA });
    assert.equal(fixed.data.status, 'connected', 'a lost connection is checked too (e.g. after a fix)');
    assert.deepEqual(fixed.data.history.map((h) => h.to), ['connected', 'degraded', 'connected', 'lost', 'connected']);
    upstream.reset();
  });

  test('reset: every user is not_connected, the old tokens are wiped', async () => {
    const id = await newApp();
    await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: KEY_A } } });
    await api('POST', `/api/apps/${id}/connect`, { token: userB, json: { fields: { api_key: KEY_B } } });
    const r = await api('POST', `/api/apps/${id}/reset`, { token: admin });
    assert.equal(r.status, 200);
    for (const token of [userA, userB]) {
      assert.equal((await api('GET', `/api/apps/${id}/connection`, { token })).data.status, 'not_connected');
      const p = await api('GET', `/proxy/${id}/me`, { token });
      assert.equal(p.status, 409);
      assert.equal(p.data.error, 'not_connected');
    }
    // The objects of the old generation hold nothing and accept nothing.
    const old = await connectionObject('org-a', id, 1, 'user-a');
    const view = await old.stub.view(old.ref);
    assert.equal(view.value.state, null, 'nothing left, not even the history');
    const write = await old.stub.saveCredentials(old.ref, { hash: { api_key: 'late' } });
    assert.equal(write.error.code, 'conflict');
    // Connecting again works, in the new generation.
    await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: KEY_A } } });
    assert.equal((await api('GET', `/proxy/${id}/me`, { token: userA })).status, 200);
  });

  test('delete: the app is gone (404 everywhere) and so are the tokens', async () => {
    const id = await newApp();
    await api('POST', `/api/apps/${id}/connect`, { token: userA, json: { fields: { api_key: KEY_A } } });
    assert.equal((await api('DELETE', `/api/apps/${id}`, { token: admin })).status, 204);
    for (const [method, path] of [['GET', `/api/apps/${id}`], ['GET', `/api/apps/${id}/connection`], ['GET', `/proxy/${id}/me`], ['POST', `/api/apps/${id}/connect`]]) {
      assert.equal((await api(method, path, { token: userA, json: method === 'POST' ? { fields: {} } : undefined })).status, 404, path);
    }
    const old = await connectionObject('org-a', id, 1, 'user-a');
    assert.equal((await old.stub.view(old.ref)).value.state, null);
  });
});

// Test-only access to a connection object: the Durable Object namespace
// through miniflare, addressed like edge/src/stores.mjs does.
async function connectionObject(org, app, generation, user) {
  const ns = await edge.mf.getDurableObjectNamespace('CONNECTION_STORE');
  const stub = ns.get(ns.idFromName(JSON.stringify(['connection', org, app, generation, user])));
  return { stub, ref: { org, app, generation, user } };
}
