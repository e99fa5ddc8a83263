// The route table (SPEC §7) and the one function that decides, for each
// request, which handler runs and whether the caller may run it:
//   unknown path → 404, known path with another method → 405,
//   no valid session → 401, member on an admin route → 403,
//   a "connect"-scope token outside the 'connect' routes → 403 (SPEC §8).
// /api/* answers browsers on the CONSOLE_ORIGINS (cors.mjs).
// Handlers answer a Response or a failed Result; errors.mjs renders the latter.
import { fail, isFailure } from './result.mjs';
import { errorResponse, forbidden } from './errors.mjs';
import { verifyAuthorization, knownSession } from './session.mjs';
import { sessionKeys, MIN_SESSION_SECRET_LENGTH } from './session_keys.mjs';
import { preflight, withCors } from './cors.mjs';
import { completeOAuthConnect } from './consent_completion.mjs';
import { checkHeaderSize } from './limits.mjs';
import { readRequestHead } from './http_headers.mjs';
import { requestTarget } from './request_url.mjs';
import * as connectors from './connectors.mjs';
import * as apps from './apps.mjs';
import * as connection from './connection.mjs';
import * as webhooks from './webhooks.mjs';
import * as operations from './operations.mjs';
import { proxy } from './proxy.mjs';
import { oauthCallback } from './oauth.mjs';
import { staticPage, staticAsset } from './static.mjs';

export { MIN_SESSION_SECRET_LENGTH };

// [method ('*' = any), pattern, handler, who: 'public' | 'connect' | 'member' | 'admin'].
// 'connect': any session, including a "connect"-scope one (SPEC §8: read
// the apps, manage one's own connections); 'member': any session without
// that scope.
// ':x' matches one non-empty segment; '*x' the rest of the path (raw).
// The proxy, the hot path, comes first: no other pattern starts with /proxy/,
// so the order changes no answer, only how many patterns a proxied request
// is compared with.
const ROUTES = [
  ['*', '/proxy/:id/*rest', proxy, 'member'],
  ['GET', '/', staticPage, 'public'],
  ['GET', '/assets/*path', staticAsset, 'public'],
  ['GET', '/api/connectors', connectors.listConnectors, 'admin'],
  ['PUT', '/api/connectors/:name', connectors.putConnector, 'admin'],
  ['GET', '/api/connectors/:name', connectors.getConnector, 'admin'],
  ['POST', '/api/connectors/:name/rollback', connectors.rollbackConnector, 'admin'],
  ['POST', '/api/apps', apps.createApp, 'admin'],
  ['GET', '/api/apps', apps.listApps, 'connect'],
  ['GET', '/api/apps/:id', apps.getApp, 'connect'],
  ['PATCH', '/api/apps/:id', apps.updateApp, 'admin'],
  ['DELETE', '/api/apps/:id', apps.deleteApp, 'admin'],
  ['POST', '/api/apps/:id/reset', apps.resetApp, 'admin'],
  ['POST', '/api/apps/:id/enable', apps.enableApp, 'admin'],
  ['POST', '/api/apps/:id/disable', apps.disableApp, 'admin'],
  ['GET', '/api/apps/:id/connection', connection.getConnection, 'connect'],
  ['DELETE', '/api/apps/:id/connection', connection.disconnect, 'connect'],
  ['POST', '/api/apps/:id/connect', connection.connect, 'connect'],
  ['POST', '/api/apps/:id/connect/complete', completeOAuthConnect, 'connect'],
  ['POST', '/api/apps/:id/check', connection.check, 'connect'],
  ['GET', '/oauth/callback', oauthCallback, 'public'],
  ['GET', '/api/connections', operations.listConnections, 'admin'],
  ['GET', '/api/audit', operations.listAudit, 'admin'],
  ['POST', '/api/webhooks', webhooks.createWebhook, 'admin'],
  ['GET', '/api/webhooks', webhooks.listWebhooks, 'admin'],
  ['DELETE', '/api/webhooks/:id', webhooks.deleteWebhook, 'admin'],
  ['GET', '/api/webhooks/:id/deliveries', webhooks.listDeliveries, 'admin'],
].map(([method, pattern, handler, who]) => ({ method, segments: pattern.split('/').slice(1), handler, who }));

// Path parameters are ids and names: nothing that needs decoding.
const PARAM = /^[A-Za-z0-9_-]{1,128}$/;

function match(segments, parts) {
  const params = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.startsWith('*')) {
      params[s.slice(1)] = parts.slice(i).join('/');
      return params;
    }
    if (i >= parts.length) return null;
    if (s.startsWith(':')) {
      if (!PARAM.test(parts[i])) return null;
      params[s.slice(1)] = parts[i];
    } else if (s !== parts[i]) {
      return null;
    }
  }
  return parts.length === segments.length ? params : null;
}

// The hot path: a proxied request is routed without walking the table, as
// the table's first row ('/proxy/:id/*rest') would route it; "/proxy/{id}"
// alone is the base URL itself (rest ""). A path that row would not match
// (no id, an id PARAM refuses) is left to the table, where no other row
// starts with /proxy/: 404 or 405 as before.
const PROXY_ROUTE = ROUTES[0];
const PROXY_PREFIX = '/proxy/';

function proxyRoute(pathname) {
  if (!pathname.startsWith(PROXY_PREFIX)) return null;
  const slash = pathname.indexOf('/', PROXY_PREFIX.length);
  const id = pathname.slice(PROXY_PREFIX.length, slash < 0 ? pathname.length : slash);
  if (!PARAM.test(id)) return null;
  return { route: PROXY_ROUTE, params: { id, rest: slash < 0 ? '' : pathname.slice(slash + 1) } };
}

// {route, params} for `pathname`, or {error}: 404, or 405 naming the
// methods the path has.
function tableRoute(pathname, method) {
  const allowed = [];
  const parts = pathname.split('/').slice(1);
  for (const r of ROUTES) {
    const params = match(r.segments, parts);
    if (!params) continue;
    if (r.method === '*' || r.method === method) return { route: r, params };
    allowed.push(r.method);
  }
  return {
    error: allowed.length
      ? fail('method_not_allowed', `use ${allowed.join(' or ')}`, { allow: allowed }).error
      : fail('not_found', 'no such route').error,
  };
}

// What a handler gets: {request, env, params, session, head, search, now,
// url, execution (the worker's ExecutionContext: waitUntil)}. `head` is the request's header fields read once
// (http_headers.readRequestHead), `search` its raw query, `now` the clock
// read once for the request (epoch ms: the session's and the caches' time
// checks), `url` the parsed URL, made only when a handler reads it (the
// proxy does not). A class, so that the getter is not made anew per request.
class RequestContext {
  #url;

  constructor(request, env, head, search, params, execution) {
    this.request = request;
    this.execution = execution;
    this.env = env;
    this.head = head;
    this.search = search;
    this.params = params;
    this.session = null;
    this.now = Date.now();
  }

  get url() {
    this.#url ??= new URL(this.request.url);
    return this.#url;
  }
}

/**
 * Routes one request; never throws for anything a caller sends (index.mjs
 * catches the rest).
 */
export async function route(request, env, execution) {
  // Checked first: a worker configured with the published development
  // secret serves nothing (session_keys.mjs).
  const keys = sessionKeys(env);
  if (!keys.ok && keys.error.publishedSecret) return errorResponse(keys.error);
  const head = readRequestHead(request.headers);
  const size = checkHeaderSize(head.size);
  if (!size.ok) return errorResponse(size.error);
  const { pathname, search } = requestTarget(request.url);
  const found = proxyRoute(pathname);
  if (found) return routed(request, env, execution, head, search, found, keys);
  if (!pathname.startsWith(API_PREFIX)) {
    return routed(request, env, execution, head, search, tableRoute(pathname, request.method), keys);
  }
  // The API, callable from the consoles of CONSOLE_ORIGINS (cors.mjs).
  const origin = request.headers.get('origin');
  if (request.method === 'OPTIONS') return preflight(env, origin);
  return withCors(await routed(request, env, execution, head, search, tableRoute(pathname, request.method), keys), env, origin);
}

const API_PREFIX = '/api/';

async function routed(request, env, execution, head, search, found, keys) {
  if (!found.route) return errorResponse(found.error);
  const ctx = new RequestContext(request, env, head, search, found.params, execution);
  if (found.route.who !== 'public') {
    if (!keys.ok) return errorResponse(keys.error);
    const authorization = head.fields.authorization;
    const seconds = Math.floor(ctx.now / 1000);
    const session = knownSession(authorization, keys.value, seconds)
      ?? await verifyAuthorization(authorization, keys.value, seconds);
    if (!session.ok) return errorResponse(session.error);
    if (found.route.who === 'admin' && session.value.role !== 'admin') return errorResponse(forbidden().error);
    if (session.value.scope && found.route.who !== 'connect') {
      return errorResponse(forbidden('a connect-scope session may only read apps and manage its own connections').error);
    }
    ctx.session = session.value;
  }
  const answer = await found.route.handler(ctx);
  return isFailure(answer) ? errorResponse(answer.error) : answer;
}
