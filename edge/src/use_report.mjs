// The proxy's note that a connection was used (SPEC §9: last_used_at, and
// the keep-alive counts from the last use). The warm path does not call the
// ConnectionStore per request (proxy_cache.mjs), so each isolate tells it at
// most once per REPORT_MS per connection, after the answer is sent
// (waitUntil). The cost on the request path: one property read per request,
// one map lookup per cached credentials entry (they live seconds).
import { connectionStore } from './stores.mjs';
import { connectionKey } from './proxy_cache.mjs';

const REPORT_MS = 60_000;
const MAX_TRACKED = 10_000; // connections remembered per isolate; beyond, the map starts over

const reported = new Map(); // connection key → when this isolate last reported its use (epoch ms)

/**
 * The connection of `credentials` (proxy_credentials.mjs) was used at `now`
 * (epoch ms) under `app` (its keepalive_seconds); `execution` keeps the
 * report alive after the answer.
 */
export function noteUse(env, execution, credentials, app, now) {
  if (credentials.useNoted) return;
  credentials.useNoted = true;
  const { ref } = credentials;
  const key = connectionKey(ref.org, ref.app, ref.user);
  if (now - (reported.get(key) ?? 0) < REPORT_MS) return;
  if (reported.size >= MAX_TRACKED) reported.clear();
  reported.set(key, now);
  const touched = connectionStore(env, ref).touch(ref, { at: now, keepaliveSeconds: app.keepalive_seconds })
    .catch(() => reported.delete(key)); // told again by the next request
  execution?.waitUntil(touched);
}
