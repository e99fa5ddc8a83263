// Miniflare options for the edge worker, from edge/wrangler.toml as wrangler
// reads it (wrangler_config.mjs) so that local runs (scripts/dev) and tests
// run what `wrangler deploy` deploys: the same entry module, compatibility
// date and flags, and Durable Object bindings (SQLite-backed as the
// migrations declare).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readWranglerConfig } from './wrangler_config.mjs';

/** The repository root (modules are resolved under it: edge/, wasm/, build/web/). */
export const root = fileURLToPath(new URL('../../', import.meta.url));

export { readWranglerConfig };

/**
 * How workerd loads the edge's modules: the engine's .wasm compiled, and ES
 * modules (jose, which session_keys.mjs imports, ships them as .js files).
 */
export const MODULES_RULES = Object.freeze([
  { type: 'CompiledWasm', include: ['**/*.wasm'] },
  { type: 'ESModule', include: ['**/*.mjs', 'node_modules/jose/**/*.js'] },
]);

/**
 * The edge as one miniflare worker: its script, the .wasm rule, the
 * compatibility date and Durable Objects of wrangler.toml. `bindings`:
 * {SESSION_SECRET, ENCRYPTION_KEY, PUBLIC_ORIGIN?}; `persistDir`: where
 * Durable Object storage lives (omitted: in memory).
 */
export function edgeWorker({ bindings, persistDir }) {
  const config = readWranglerConfig();
  const durableObjects = {};
  for (const [name, className] of Object.entries(config.durableObjects)) durableObjects[name] = { className, useSQLite: config.sqliteClasses.includes(className) };
  return {
    modules: true,
    modulesRoot: root,
    scriptPath: join(root, 'edge', config.main),
    modulesRules: MODULES_RULES,
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: config.compatibilityFlags,
    bindings,
    durableObjects,
    ...(persistDir ? { durableObjectsPersist: persistDir } : {}),
  };
}

/**
 * Miniflare options for the worker alone (edgeWorker's). `host`/`port`:
 * where workerd listens (port 0: any free one); anything in `extra`
 * (outboundService, log...) is passed on.
 */
export function workerOptions({ bindings, persistDir, host = '127.0.0.1', port, extra = {} }) {
  return {
    ...edgeWorker({ bindings, persistDir }),
    host,
    ...(port !== undefined ? { port } : {}),
    ...extra,
  };
}

// Hop-by-hop headers (RFC 9110 §7.6.1): a forwarder does not pass them on.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host'];

/**
 * A miniflare `outboundService` for local runs: the worker's outbound
 * requests (already through its egress check) are sent by Node's fetch
 * instead of workerd's own client. Why: workerd keeps pooled keep-alive
 * connections that a server closed while idle and fails the next request on
 * them ("Network connection lost"); the demo servers close idle connections
 * after 1 s, so bursts of proxied requests a second apart lost a few. Node's
 * client honours the servers' Keep-Alive hints. A host that cannot be
 * reached answers 502 (a worker cannot be handed a network error from
 * here), which the engine diagnoses like an unreachable provider (5xx →
 * provider_unavailable). Redirects are not followed, as in the worker.
 */
export async function forwardOutbound(request) {
  const headers = new Headers(request.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
  try {
    return await fetch(request.url, { method: request.method, headers, body, redirect: 'manual' });
  } catch (error) {
    const why = error?.cause?.code ?? error?.message ?? 'connection failed';
    return new Response(`connauth (local): ${new URL(request.url).host} could not be reached (${why})`, {
      status: 502, headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
}
