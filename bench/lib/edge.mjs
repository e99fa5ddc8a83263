// The edge worker in real workerd (miniflare), as the benchmarks run it:
// configured from edge/wrangler.toml (edge/dev/worker_options.mjs, the reader
// scripts/dev and the tests share), served on miniflare's real HTTP port
// (127.0.0.1, port chosen at run time) and WITHOUT an outboundService, so
// upstream fetches take workerd's own network path instead of a detour
// through Node.
//
// Beside the edge, the same workerd runs two reference workers (routes):
//   /pass/{path}   bench/fixtures/passthrough_worker.mjs: forwards to `upstream`, no auth work
//   /hello/{path}  bench/fixtures/hello_worker.mjs: answers at once (the HTTP layer's ceiling)
// and the edge a second time with its request-path cache off
// (PROXY_CACHE_TTL_MS=0: both Durable Object calls on every proxied request),
// over the same Durable Objects, for requests whose Host is NO_CACHE_HOST.
// With `baseEdge` (a directory beside edge/src holding another version of
// its modules: bench/ab_proxy.mjs), that version runs as a third edge over
// the same Durable Objects, for requests whose Host is BASE_HOST.
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { signSession } from '../../edge/src/session.mjs';
import { root, readWranglerConfig, edgeWorker } from '../../edge/dev/worker_options.mjs';

export { root };
export const SESSION_SECRET = 'bench-session-secret-0123456789abcdef0123456789';
export const ENCRYPTION_KEY = 'bench-encryption-key-fedcba9876543210fedcba9876';
/** Requests with this Host go to the edge with PROXY_CACHE_TTL_MS=0. */
export const NO_CACHE_HOST = 'nocache.bench';
/** Requests with this Host go to the `baseEdge` version of the edge. */
export const BASE_HOST = 'base.bench';

/** The deployed compatibility date, so the benchmarks run what `wrangler deploy` runs. */
export const compatibilityDate = readWranglerConfig().compatibilityDate;

/**
 * Starts workerd with the edge (and, when `upstream` is given, the
 * passthrough and hello workers and the edge without its cache). Answers {url, api, session, dispose}.
 * `inspectorPort` opens workerd's DevTools inspector (bench/profile_proxy.mjs);
 * `cacheTtlMs` sets the edge's PROXY_CACHE_TTL_MS (bench/count_proxy.mjs:
 * under valgrind the default 5 s pass within a measurement); `baseEdge`
 * adds another version of the edge (bench/ab_proxy.mjs; needs `upstream`);
 * `persistDir` keeps the Durable Objects' storage there, across restarts
 * (bench/crash.mjs).
 */
export async function startEdge({ upstream, inspectorPort, cacheTtlMs, baseEdge, persistDir } = {}) {
  const config = readWranglerConfig();
  // The upstreams are loopback servers: allowed as scripts/dev allows them.
  const bindings = { SESSION_SECRET, ENCRYPTION_KEY, EGRESS_ALLOW_PRIVATE: '1', ...(cacheTtlMs === undefined ? {} : { PROXY_CACHE_TTL_MS: String(cacheTtlMs) }) };
  // durableObjectsPersist is one of miniflare's shared options: with
  // `workers` it is set beside them, not in a worker's.
  const { durableObjectsPersist, ...edgeOptions } = edgeWorker({ bindings, persistDir });
  const edge = { name: 'edge', ...edgeOptions };
  const borrowed = {};
  for (const [name, className] of Object.entries(config.durableObjects)) borrowed[name] = { className, scriptName: 'edge', useSQLite: true };
  const references = upstream ? [
    {
      ...edge,
      name: 'edge-nocache',
      bindings: { ...edge.bindings, PROXY_CACHE_TTL_MS: '0' },
      durableObjects: borrowed,
      routes: [`${NO_CACHE_HOST}/*`],
    },
    ...(baseEdge ? [{
      ...edge,
      name: 'edge-base',
      scriptPath: join(baseEdge, 'index.mjs'),
      durableObjects: borrowed,
      routes: [`${BASE_HOST}/*`],
    }] : []),
    {
      name: 'pass',
      modules: true,
      scriptPath: join(root, 'bench/fixtures/passthrough_worker.mjs'),
      compatibilityDate,
      bindings: { UPSTREAM: upstream },
      routes: ['*/pass/*'],
    },
    {
      name: 'hello',
      modules: true,
      scriptPath: join(root, 'bench/fixtures/hello_worker.mjs'),
      compatibilityDate,
      routes: ['*/hello/*'],
    },
  ] : [];
  const mf = new Miniflare({ host: '127.0.0.1', port: 0, ...(inspectorPort ? { inspectorPort } : {}), ...(durableObjectsPersist ? { durableObjectsPersist } : {}), workers: [edge, ...references] });
  const url = await mf.ready;
  const origin = url.origin;

  /** One API call over HTTP: api('POST', '/api/apps', {token, json}) -> {status, data, text}. */
  async function api(method, path, { token, json, headers = {} } = {}) {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let body;
    if (json !== undefined) {
      h['content-type'] = 'application/json';
      body = JSON.stringify(json);
    }
    const res = await fetch(origin + path, { method, headers: h, body, redirect: 'manual' });
    const text = await res.text();
    let data = null;
    try {
      data = JSON.parse(text);
    } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, text, data };
  }

  /** A session token for (org, user, role), one hour long. */
  const session = (org, sub, role = 'member') => signSession({ org, sub, role }, SESSION_SECRET);

  return { mf, url, origin, api, session, dispose: () => mf.dispose() };
}

/** Throws with the answer's text unless `response.status` is `status`. */
export function expectStatus(response, status, what) {
  if (response.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${response.status}: ${response.text.slice(0, 300)}`);
  }
  return response.data;
}
