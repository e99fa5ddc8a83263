// One connection's credentials as a proxied request uses them: the opened
// connection hash at one `version` (ConnectionStore's compare-and-set token),
// for one app entry (proxy_cache.mjs: the app, its secrets and connector),
// plus what is derived from them once instead of per request — the engine
// context JSON, and any object a caller derives with `derive()` (e.g. an
// engine-side bound connection) that must be freed with `dispose()`.
//
// Lifetime: the cache `retire()`s an entry when it evicts or invalidates it;
// requests hold a lease (`retain()` … `release()`) from the moment they get
// the entry until their last engine call, so a derived object is disposed
// only once it is retired AND no request is using it (never freed between a
// request's apply and its classify).
//
// Secrets (tokens, field values, the client secret in the context) live in
// this object's memory only: nothing here is logged or written anywhere.
import { engineContext } from './flows.mjs';

export class ProxyCredentials {
  #context = null;
  #derived = new Map();
  #leases = 0;
  #retired = false;

  /**
   * `app`: the proxy cache's app entry {org, id, use, ...}; `ref`: the
   * ConnectionStore ref; `hash`, `version`, `status`: what the
   * ConnectionStore answered; `expiresAt`: until when (ms) the cache may
   * hand this entry out.
   */
  constructor({ app, ref, hash, version, status, expiresAt }) {
    this.app = app;
    this.ref = ref;
    this.hash = hash;
    this.version = version;
    this.status = status;
    this.expiresAt = expiresAt;
    this.useNoted = false; // use_report.mjs: this entry's use was noted
  }

  /** The engine context (flows.engineContext) as JSON text, built once. */
  get context() {
    this.#context ??= JSON.stringify(engineContext(this.hash, this.app.use));
    return this.#context;
  }

  /** `make()`'s value, made once per entry; freed with its `dispose()` when the entry is. */
  derive(name, make) {
    if (!this.#derived.has(name)) this.#derived.set(name, make());
    return this.#derived.get(name);
  }

  retain() {
    this.#leases += 1;
    return this;
  }

  release() {
    this.#leases -= 1;
    this.#disposeIfUnused();
  }

  /** No longer handed out by the cache: freed when the last lease is released. */
  retire() {
    this.#retired = true;
    this.#disposeIfUnused();
  }

  #disposeIfUnused() {
    if (!this.#retired || this.#leases > 0) return;
    for (const value of this.#derived.values()) value?.dispose?.();
    this.#derived.clear();
  }
}

/**
 * Until when (epoch ms) the credentials need no proactive refresh: the
 * engine's refreshDeadline (SPEC §3: refresh when now >= expires_at -
 * refresh_buffer, the buffer's default the engine's), asked once per
 * connection version. No known expiry: Infinity (refreshed on signals only).
 * Without the engine's answer the credentials are never cached: the
 * ConnectionStore decides every time.
 */
export function refreshDeadlineMs(engine, hash, app) {
  const answer = engine?.refreshDeadline({ connection: { expires_at: hash?.expires_at }, app: { refresh_buffer: app?.refresh_buffer } });
  if (!answer?.ok) return -Infinity;
  return answer.value === null ? Infinity : answer.value * 1000;
}
