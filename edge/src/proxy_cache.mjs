// The isolate-level cache of what a proxied request needs (SPEC §7 proxy),
// so that a request on a warm connection makes no Durable Object call:
//
//   apps         (org, app) → the app entry: OrgStore.appForUse's answer (the
//                app, its opened secrets, the connector definition in force)
//                plus what the proxy derives from it once — the egress list
//                (egress.allowedHosts).
//   connections  (org, app, user) → ProxyCredentials (proxy_credentials.mjs):
//                ConnectionStore.getCredentials' answer at one version, and
//                the engine context built from it, for that app entry.
//
// How long (edge/README.md "Caching on the request path"):
// - at most the TTL (env PROXY_CACHE_TTL_MS, default 5 s; 0 = no caching,
//   every request asks the Durable Objects as before);
// - credentials never past their proactive-refresh point (SPEC §3:
//   expires_at - refresh_buffer): from then on requests go to the
//   ConnectionStore, which refreshes inside its single flight;
// - credentials are cached only while the connection is `connected`; a
//   failure (not_connected, lost, degraded) is never cached, nor is a
//   degraded connection's still-valid token;
// - credentials belong to the app entry they were loaded with: when the app
//   entry is reloaded (TTL) or invalidated, they are loaded again.
// Invalidation: the route handlers that change an app, a connector or a
// connection call invalidate*() after the change is stored, so it takes
// effect at once in this isolate; other isolates see it within the TTL.
// Every invalidation also bumps `epoch`: a load that started before it (and
// may have read the old state) is answered to its caller but not cached.
//
// Concurrent misses for one key share one Durable Object call (a burst on a
// cold isolate makes one call, not one per request). Bounded: LRU by count
// and by weight (definition and hash sizes), so memory cannot grow without
// limit. Secrets stay in this isolate's memory; nothing here is logged.
import { ok } from './result.mjs';
import { Lru } from './lru.mjs';
import { getEngine, readyEngine } from './engine.mjs';
import { orgStore, connectionRef, connectionStore } from './stores.mjs';
import { allowedHosts } from './egress.mjs';
import { ProxyCredentials, refreshDeadlineMs } from './proxy_credentials.mjs';

/** Default lifetime of a cached entry (ms): the staleness bound across isolates. */
export const DEFAULT_TTL_MS = 5_000;
/** Longest lifetime PROXY_CACHE_TTL_MS may ask for (ms). */
export const MAX_TTL_MS = 60_000;

const apps = new Lru({ maxEntries: 256, maxWeight: 8 * 1024 * 1024 });
const connections = new Lru({ maxEntries: 4096, maxWeight: 16 * 1024 * 1024, onEvict: (c) => c.retire() });
const loading = new Map(); // "<epoch> <key>" -> the load in flight
let epoch = 0;

/**
 * The cache lifetime in ms from env PROXY_CACHE_TTL_MS: unset → 5 s; a
 * number of ms from 0 (no caching) to 60 s (larger values are capped);
 * anything else → 0 (a misconfiguration must not make answers staler).
 */
export function cacheTtlMs(env) {
  const raw = env?.PROXY_CACHE_TTL_MS;
  if (raw === undefined || raw === null || raw === '') return DEFAULT_TTL_MS;
  const ms = Number(raw);
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_TTL_MS) : 0;
}

/**
 * The app entry for a proxied request: {org, id, use, egress, expiresAt}, or OrgStore.appForUse's failure (never cached). `enabled` is
 * the caller's to check (a disabled app is cached like any other state).
 */
export async function proxyApp(env, org, id) {
  const cached = cachedProxyApp(org, id);
  if (cached) return ok(cached);
  const ttl = cacheTtlMs(env);
  const key = appKey(org, id);
  return once(`a${key}`, ttl, async (started) => {
    const found = await orgStore(env, org).appForUse(org, id);
    if (!found.ok) return found;
    const use = found.value;
    const entry = {
      org, id, use,
      egress: allowedHosts(await getEngine(), use),
      expiresAt: Date.now() + ttl,
    };
    if (ttl > 0 && started === epoch) apps.set(key, entry, use.connector.definition.length + 1024);
    return ok(entry);
  });
}

/**
 * `user`'s credentials on the app entry `app`, leased: the caller must
 * release() them when its last engine call is done. Failures
 * (not_connected, connection_lost) come straight from
 * ConnectionStore.getCredentials; whether they must be renewed first is the
 * connection loop's decision (proxy.mjs).
 */
export async function proxyCredentials(env, app, user) {
  const cached = cachedProxyCredentials(app, user);
  if (cached) return ok(cached);
  const ttl = cacheTtlMs(env);
  const key = connectionKey(app.org, app.id, user);
  const ref = connectionRef(app.org, app.id, app.use.app.generation, user);
  const loaded = await once(`c${key}`, ttl, async (started) => {
    const got = await connectionStore(env, ref).getCredentials(ref);
    return got.ok ? ok(remember({ ttl, started, app, ref, key, answer: got.value })) : got;
  });
  return loaded.ok ? ok(loaded.value.retain()) : loaded;
}

/**
 * proxyApp's entry when the cache holds a fresh one, else undefined:
 * synchronous, so that a warm request takes it without an await.
 */
export function cachedProxyApp(org, id, now = Date.now()) {
  const cached = apps.get(appKey(org, id));
  return cached && now < cached.expiresAt ? cached : undefined;
}

/** proxyCredentials' entry, leased, when the cache holds a fresh one for `app`, else undefined (synchronous). */
export function cachedProxyCredentials(app, user, now = Date.now()) {
  const cached = connections.get(connectionKey(app.org, app.id, user));
  return cached && cached.app === app && now < cached.expiresAt ? cached.retain() : undefined;
}

// Cache keys: the parts with their lengths, so that no two (org, app, user)
// share a key whatever characters they hold (a session's sub and org are
// any printable text), and cheaper to build than JSON.
const appKey = (org, id) => `${org.length}:${org}${id}`;
export const connectionKey = (org, id, user) => `${org.length}:${org}${id.length}:${id}${user}`;

/**
 * SPEC §2.5 refresh-and-retry: the ConnectionStore's compare-and-refresh for
 * the version `current` was used at (single flight; a newer version is
 * answered without a token request). New credentials replace the cached
 * ones; a failure drops them (the connection is lost or degraded now).
 * Answers leased credentials (`current` itself, retained again, when the
 * version did not change) or the failure.
 */
export async function refreshProxyCredentials(env, current) {
  const started = epoch;
  const { app, ref } = current;
  const refreshed = await connectionStore(env, ref).refresh(ref, current.version, app.use);
  if (!refreshed.ok) {
    invalidateConnection(ref.org, ref.app, ref.user);
    return refreshed;
  }
  if (refreshed.value.version === current.version) return ok(current.retain());
  const key = connectionKey(ref.org, ref.app, ref.user);
  return ok(remember({ ttl: cacheTtlMs(env), started, app, ref, key, answer: refreshed.value }).retain());
}

/** A connection changed (connect, callback, disconnect, check, a failure recorded). */
export function invalidateConnection(org, app, user) {
  epoch += 1;
  connections.delete(connectionKey(org, app, user));
}

/** An app changed (update, enable, disable, reset, delete): it and its connections. */
export function invalidateApp(org, app) {
  epoch += 1;
  apps.delete(appKey(org, app));
  connections.deleteWhere((c) => c.app.org === org && c.app.id === app);
}

/** A connector changed (new version, rollback): every app of the org may use it. */
export function invalidateOrg(org) {
  epoch += 1;
  apps.deleteWhere((a) => a.org === org);
  connections.deleteWhere((c) => c.app.org === org);
}

// Credentials from a ConnectionStore answer {hash, version, status}, cached
// when allowed (see the top of this file), otherwise retired at once (so
// whatever a request derives from them is freed when it releases them).
function remember({ ttl, started, app, ref, key, answer }) {
  const now = Date.now();
  // The engine's refresh deadline only for credentials that may be cached.
  const cacheable = ttl > 0 && started === epoch && answer.status === 'connected';
  const expiresAt = Math.min(now + ttl, app.expiresAt, cacheable ? refreshDeadlineMs(readyEngine(), answer.hash, app.use.app) : now);
  const entry = new ProxyCredentials({ app, ref, hash: answer.hash, version: answer.version, status: answer.status, expiresAt });
  if (cacheable && now < expiresAt) {
    connections.set(key, entry, entry.context.length + 256);
  } else {
    entry.retire();
  }
  return entry;
}

// Runs `load(epoch)` once for concurrent callers with the same key, unless
// caching is off (ttl 0: every request makes its own call, as without a
// cache). A call that started before an invalidation is not joined by
// requests that come after it.
function once(key, ttl, load) {
  if (ttl <= 0) return load(epoch);
  const slot = `${epoch} ${key}`;
  let pending = loading.get(slot);
  if (!pending) {
    pending = load(epoch).finally(() => loading.delete(slot));
    loading.set(slot, pending);
  }
  return pending;
}
