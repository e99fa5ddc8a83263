// A scriptable OAuth-ish server for the provider behaviours that real, strict
// servers (demo/provider.mjs) never show but real-world providers do: errors
// in 200 responses, string or missing expires_in, outages, resets, malformed
// bodies, and APIs that hide errors in 2xx bodies. It records every request so
// tests can assert the exact token request an engine built.
//
//   const odd = await startOddProvider();
//   odd.next('token', 'github_error');              // the next /token call only
//   odd.next('token', { status: 503, headers: { 'retry-after': '1' } });
//   odd.setDefault('token', 'expires_in_string');   // every call without a queued answer
//   odd.requestsTo('/token')[0].form.code_verifier
//
// Routes and their default answers:
//   POST /token          a valid token response (fresh access and refresh token)
//   GET  /api/current    200 only for the access token /token issued last, else 401:
//                        "401, refresh, then 200" as the engine sees it
//   GET  /api/once-401   401 on its first call (since clear()), 200 after
//   GET  /api/detect     200 {"status":"error","message":"Session expired"}: only a
//                        detect_on regex tells it is an error (SPEC §2.5)
//   anything else        404, unless a test queued or set an answer for that path
import { parseBasicAuthorization } from './client-auth.mjs';
import { readBody, sendJson, serve } from './http-server.mjs';

// Named token endpoint behaviours. Each is a response spec:
//   { status, body (object → JSON, string → raw), headers, reset, delayMs }
// `token: true` fills the body with freshly issued tokens first.
export const PRESETS = {
  ok: { status: 200, token: true },
  no_refresh_token: { status: 200, token: true, omit: ['refresh_token'] },
  // GitHub answers a bad code with HTTP 200 and an error member.
  github_error: {
    status: 200,
    body: {
      error: 'bad_verification_code',
      error_description: 'The code passed is incorrect or expired.',
      error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
    },
  },
  expires_in_string: { status: 200, token: true, set: { expires_in: '3600' } },
  expires_in_missing: { status: 200, token: true, omit: ['expires_in'] },
  expires_in_abc: { status: 200, token: true, set: { expires_in: 'abc' } },
  expires_in_negative: { status: 200, token: true, set: { expires_in: -5 } },
  server_error: { status: 500, body: 'Internal Server Error', headers: { 'content-type': 'text/plain' } },
  unavailable: { status: 503, body: { error: 'temporarily_unavailable' }, headers: { 'retry-after': '1' } },
  rate_limited: { status: 429, body: { error: 'rate_limited' }, headers: { 'retry-after': '1' } },
  reset: { reset: true }, // the TCP connection is closed with no response
  not_json: { status: 200, body: '<html><body>Welcome</body></html>', headers: { 'content-type': 'text/html' } },
  no_access_token: { status: 200, body: { token_type: 'Bearer', expires_in: 3600 } },
  // RFC 6749 §5.2 error responses.
  invalid_client: { status: 400, body: { error: 'invalid_client', error_description: 'client authentication failed' } },
  invalid_grant: { status: 400, body: { error: 'invalid_grant', error_description: 'the refresh token is invalid or revoked' } },
  unauthorized_client: { status: 400, body: { error: 'unauthorized_client', error_description: 'grant type not allowed' } },
};

const ALIASES = { token: '/token', current: '/api/current', once401: '/api/once-401', detect: '/api/detect' };
const pathOf = (name) => ALIASES[name] ?? name;

function resolve(spec) {
  if (typeof spec === 'string') {
    if (!PRESETS[spec]) throw new Error(`odd provider: unknown preset ${spec}`);
    return { ...PRESETS[spec] };
  }
  if (spec?.preset) return { ...resolve(spec.preset), ...spec };
  return { status: 200, ...spec };
}

function parseBody(contentType, text) {
  const out = {};
  if (/application\/x-www-form-urlencoded/i.test(contentType ?? '')) {
    out.form = Object.fromEntries(new URLSearchParams(text));
  } else if (/json/i.test(contentType ?? '')) {
    try { out.json = JSON.parse(text); } catch { /* recorded raw */ }
  }
  return out;
}

// options: port (default 0)
export async function startOddProvider(options = {}) {
  const queues = new Map(); // path -> [spec]
  const defaults = new Map(); // path -> spec
  const requests = [];
  const issued = []; // every access token /token handed out, oldest first
  const timers = new Map(); // delayed answers: timer -> resolve, settled early by stop()
  let serial = 0;
  let once401Calls = 0;

  function issueTokens(spec) {
    serial += 1;
    const body = {
      access_token: `odd-at-${serial}`,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: `odd-rt-${serial}`,
      scope: 'read',
    };
    for (const key of spec.omit ?? []) delete body[key];
    return { ...body, ...spec.set };
  }

  function latestToken() { return issued[issued.length - 1]; }

  function builtIn(path, record) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(record.headers.authorization ?? '')?.[1];
    if (path === '/token' && record.method === 'POST') return PRESETS.ok;
    if (path === '/api/current') {
      return bearer && bearer === latestToken()
        ? { status: 200, body: { ok: true, token: bearer } }
        : { status: 401, body: { error: 'invalid_token' }, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
    }
    if (path === '/api/once-401') {
      once401Calls += 1;
      return once401Calls === 1
        ? { status: 401, body: { error: 'invalid_token' }, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }
        : { status: 200, body: { ok: true } };
    }
    if (path === '/api/detect') return { status: 200, body: { status: 'error', message: 'Session expired' } };
    return { status: 404, body: { error: 'not_found' } };
  }

  async function answer(req, res, spec) {
    if (spec.delayMs) {
      await new Promise((done) => {
        const timer = setTimeout(() => { timers.delete(timer); done(); }, spec.delayMs);
        timers.set(timer, done);
      });
      if (res.destroyed) return;
    }
    if (spec.reset) { req.socket.destroy(); return; }
    let body = spec.token ? issueTokens(spec) : spec.body;
    if (body && typeof body === 'object' && typeof body.access_token === 'string') issued.push(body.access_token);
    const headers = { ...spec.headers };
    if (body !== undefined && typeof body !== 'string') {
      sendJson(res, spec.status ?? 200, body, headers);
      return;
    }
    body ??= '';
    res.writeHead(spec.status ?? 200, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://127.0.0.1');
    const text = await readBody(req);
    const record = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body: text,
      ...parseBody(req.headers['content-type'], text),
      basic: parseBasicAuthorization(req.headers.authorization),
      at: Date.now(),
    };
    requests.push(record);
    const queued = queues.get(url.pathname)?.shift();
    let spec = queued ?? defaults.get(url.pathname) ?? builtIn(url.pathname, record);
    if (typeof spec === 'function') spec = await spec(record);
    await answer(req, res, resolve(spec));
  }

  const server = await serve((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'odd_provider_failure', message: String(err.message ?? err) });
    });
  }, { port: options.port ?? 0 });

  return {
    get url() { return server.url; },
    get port() { return server.port; },
    get tokenUrl() { return `${server.url}/token`; },
    requests,
    issued,
    get latestAccessToken() { return latestToken(); },
    // Queue answers for the next calls to a path (or alias: token, current,
    // once401, detect). spec: preset name, response spec, or
    // (record) => spec. Several specs queue in order.
    next(path, ...specs) {
      for (const spec of specs) if (typeof spec !== 'function') resolve(spec); // unknown preset: throw now
      queues.set(pathOf(path), [...(queues.get(pathOf(path)) ?? []), ...specs]);
    },
    // The answer for every call to the path that has nothing queued; null restores the built-in one.
    setDefault(path, spec) {
      if (spec == null) { defaults.delete(pathOf(path)); return; }
      if (typeof spec !== 'function') resolve(spec);
      defaults.set(pathOf(path), spec);
    },
    requestsTo(path) { return requests.filter((r) => r.path === pathOf(path)); },
    // Forgets requests, queues, defaults and the once-401 state (issued tokens stay valid).
    clear() {
      requests.length = 0;
      queues.clear();
      defaults.clear();
      once401Calls = 0;
    },
    start: () => server.start().then(() => undefined),
    async stop() {
      const pending = [...timers];
      timers.clear();
      await server.stop();
      for (const [timer, done] of pending) { clearTimeout(timer); done(); }
    },
  };
}
