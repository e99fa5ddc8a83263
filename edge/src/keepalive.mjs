// Keep-alive (SPEC §9): a connection nobody used for the app's
// `keepalive_seconds` is renewed — refreshed, or checked with the
// connector's test when it cannot refresh — so a revoked authorization shows
// as `lost`, with its event, before an automation needs it. The timing
// lives here; the renewal is the connection loop's (ConnectionStore.refresh).

/** The app setting's default: one day. 0 turns keep-alive off. */
export const DEFAULT_KEEPALIVE_SECONDS = 86_400;
/**
 * How much of the window the due times of connections idle since the same
 * moment are spread over (the last tenth), so that a thousand connections
 * made together are not all renewed at one instant.
 */
export const KEEPALIVE_SPREAD = 0.1;
/** Keep-alive renewals per provider and org, per minute at most. */
export const KEEPALIVE_PER_PROVIDER_PER_MINUTE = 30;
const SLOT_MS = 60_000 / KEEPALIVE_PER_PROVIDER_PER_MINUTE;

/**
 * When (epoch ms) the connection's keep-alive is due, or null when it has
 * none: `activity` is its last use, success or keep-alive (epoch seconds),
 * `spread` its fixed place in [0, 1) (spreadOf).
 */
export function keepaliveDue(activity, keepaliveSeconds, spread) {
  const window = keepaliveSeconds ?? DEFAULT_KEEPALIVE_SECONDS;
  if (!(window > 0) || !Number.isFinite(activity)) return null;
  return Math.round((activity + window * (1 - KEEPALIVE_SPREAD * spread)) * 1000);
}

/**
 * A connection's fixed place in the spread, in [0, 1): from its identity
 * (FNV-1a), so it stays the same across restarts without being stored.
 */
export function spreadOf(ref) {
  let h = 0x811c9dc5;
  for (const ch of JSON.stringify([ref.org, ref.app, ref.generation, ref.user])) {
    h ^= ch.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}

/**
 * The per-provider bound: given the provider's next free slot (epoch ms,
 * or undefined) and now, the slot this renewal takes and the next free one.
 * Renewals due together are run one SLOT_MS apart.
 */
export function takeSlot(nextFree, now) {
  const at = Math.max(now, nextFree ?? 0);
  return { at, nextFree: at + SLOT_MS };
}

/**
 * The provider a connection's keep-alive counts against: the hosts its
 * requests may reach (the app's egress list, or the one the engine derives
 * from the connector), sorted, so apps of one provider share a bound.
 */
export function providerKey(hosts) {
  return [...hosts].sort().join(',') || 'unknown';
}
