// The demo resource server: a small JSON API that accepts only bearer tokens
// (RFC 6750 §2.1, Authorization header) which the demo provider confirms by
// token introspection (RFC 7662) on every request. Nothing is cached, so a
// revoked or expired token is refused at once: exactly what an engine's
// refresh-on-401 logic must handle.
//
//   const api = await startDemoApi({ provider: op });
//   GET  {api.url}/api/me        {id, email, name}
//   GET  {api.url}/api/contacts  [{id, name, email}, ...]          needs scope contacts:read
//   POST {api.url}/api/contacts  {name, email} → 201 {id, ...}      needs scope contacts:write
//   api.counters.requests, api.lastAuthorization
import crypto from 'node:crypto';
import { describeAccount } from './accounts.mjs';
import { readBody, sendJson, serve, LOOPBACK } from './http-server.mjs';

const REALM = 'connauth-demo';

export const DEFAULT_REQUIRED_SCOPES = {
  'GET /api/contacts': 'contacts:read',
  'POST /api/contacts': 'contacts:write',
};

function seedContacts() {
  return [
    { id: 'c1', name: 'Ada Lovelace', email: 'ada@example.com' },
    { id: 'c2', name: 'Alan Turing', email: 'alan@example.com' },
  ];
}

// RFC 6750 §3: 401/403 with a Bearer challenge. A request that carried no
// token at all gets no error attribute (§3.1); the JSON body always names one.
function challenge(res, status, { error, description, scope }) {
  const params = [`realm="${REALM}"`];
  if (error) params.push(`error="${error}"`);
  if (scope) params.push(`scope="${scope}"`);
  sendJson(res, status, { error: error ?? 'invalid_token', error_description: description },
    { 'www-authenticate': `Bearer ${params.join(', ')}` });
}

function bearerToken(header) {
  const match = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header ?? ''); // RFC 6750 §2.1 b64token
  return match ? match[1] : undefined;
}

// options:
//   provider        handle from startProvider (its introspect() is used), or
//   introspect      async (token) => RFC 7662 response, instead of provider
//   port            listen port (default 0)
//   requiredScopes  { 'METHOD /path': scope } (default DEFAULT_REQUIRED_SCOPES; {} = none)
export async function startDemoApi(options = {}) {
  const introspect = options.introspect ?? ((token) => options.provider.introspect(token));
  const requiredScopes = options.requiredScopes ?? DEFAULT_REQUIRED_SCOPES;
  const contactsByAccount = new Map();
  const counters = { requests: 0, authorized: 0, rejected: 0 };
  const requests = [];
  const state = { lastAuthorization: undefined, lastRequest: undefined };

  // Who the token speaks for: the user (sub) or, for client credentials
  // tokens (RFC 6749 §4.4), the client itself.
  function principal(info) {
    if (info.sub) return describeAccount(info.sub);
    return { id: info.client_id, email: null, name: info.client_id };
  }

  async function route(req, res, url, info, body) {
    const who = principal(info);
    const key = `${req.method} ${url.pathname}`;
    if (key === 'GET /api/me') return sendJson(res, 200, who);
    if (url.pathname === '/api/contacts') {
      if (!contactsByAccount.has(who.id)) contactsByAccount.set(who.id, seedContacts());
      const contacts = contactsByAccount.get(who.id);
      if (req.method === 'GET') return sendJson(res, 200, contacts);
      if (req.method === 'POST') {
        let input;
        try { input = JSON.parse(body); } catch { input = undefined; }
        if (!input || typeof input !== 'object' || Array.isArray(input)) {
          return sendJson(res, 400, { error: 'invalid_json', error_description: 'body must be a JSON object' });
        }
        const created = { ...input, id: `c${crypto.randomUUID()}` };
        contacts.push(created);
        return sendJson(res, 201, created);
      }
      return sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'GET, POST' });
    }
    return sendJson(res, 404, { error: 'not_found' });
  }

  async function handle(req, res) {
    const url = new URL(req.url, `http://${LOOPBACK}`); // never the Host header: it is caller-controlled
    counters.requests += 1;
    let body = '';
    try {
      body = await readBody(req);
    } catch (err) {
      return sendJson(res, err.status ?? 400, { error: 'request_too_large' });
    }
    const authorization = req.headers.authorization;
    state.lastAuthorization = authorization;
    state.lastRequest = { method: req.method, path: url.pathname + url.search, headers: { ...req.headers }, body };
    const log = { method: req.method, path: url.pathname + url.search, authorization, status: 0 };
    requests.push(log);
    res.on('finish', () => { log.status = res.statusCode; });

    if (url.pathname === '/health') return sendJson(res, 200, { ok: true });
    if (!url.pathname.startsWith('/api/')) return sendJson(res, 404, { error: 'not_found' });

    const token = bearerToken(authorization);
    if (!token) {
      counters.rejected += 1;
      return challenge(res, 401, { description: 'a bearer token is required' });
    }
    let info;
    try {
      info = await introspect(token);
    } catch (err) {
      // The provider cannot vouch for the token right now; not the caller's fault.
      return sendJson(res, 503, { error: 'temporarily_unavailable', error_description: String(err.message ?? err) },
        { 'retry-after': '1' });
    }
    if (!info?.active) {
      counters.rejected += 1;
      return challenge(res, 401, { error: 'invalid_token', description: 'the access token is invalid, expired or revoked' });
    }
    const needed = requiredScopes[`${req.method} ${url.pathname}`];
    if (needed && !String(info.scope ?? '').split(' ').includes(needed)) {
      counters.rejected += 1;
      // RFC 6750 §3.1 insufficient_scope, naming the scope that is missing.
      return challenge(res, 403, { error: 'insufficient_scope', description: `scope ${needed} is required`, scope: needed });
    }
    counters.authorized += 1;
    return route(req, res, url, info, body);
  }

  const server = await serve((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: String(err.message ?? err) });
      else res.destroy();
    });
  }, { port: options.port ?? 0 });

  return {
    get url() { return server.url; },
    get port() { return server.port; },
    counters,
    requests,
    get lastAuthorization() { return state.lastAuthorization; },
    get lastRequest() { return state.lastRequest; },
    resetCounters() {
      Object.assign(counters, { requests: 0, authorized: 0, rejected: 0 });
      requests.length = 0;
      state.lastAuthorization = undefined;
      state.lastRequest = undefined;
    },
    start: () => server.start().then(() => undefined),
    stop: () => server.stop(),
  };
}
