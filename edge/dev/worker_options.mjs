// Miniflare options for the edge worker, read from edge/wrangler.toml so that
// local runs (scripts/dev) and tests run what `wrangler deploy` deploys: the
// same entry module, compatibility date, CompiledWasm rule and Durable
// Object bindings (all SQLite-backed, as the migrations declare).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (modules are resolved under it: edge/, wasm/, build/web/). */
export const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What the worker needs from wrangler.toml: {main, compatibilityDate,
 * durableObjects: {BINDING: className}}. A deliberately small reader for the
 * keys this project writes there, not a TOML parser.
 */
export function readWranglerConfig(text = readFileSync(join(root, 'edge/wrangler.toml'), 'utf8')) {
  const value = (key) => new RegExp(`^${key}\\s*=\\s*"([^"]+)"`, 'm').exec(text)?.[1];
  const durableObjects = {};
  for (const block of text.split(/^\[\[durable_objects\.bindings\]\]\s*$/m).slice(1)) {
    const name = /^name\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    const className = /^class_name\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    if (name && className) durableObjects[name] = className;
  }
  return { main: value('main'), compatibilityDate: value('compatibility_date'), durableObjects };
}

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
  for (const [name, className] of Object.entries(config.durableObjects)) durableObjects[name] = { className, useSQLite: true };
  return {
    modules: true,
    modulesRoot: root,
    scriptPath: join(root, 'edge', config.main),
    modulesRules: MODULES_RULES,
    compatibilityDate: config.compatibilityDate,
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
