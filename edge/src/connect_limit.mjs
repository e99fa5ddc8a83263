// How fast one user may start OAuth authorizations in an org (SPEC §3
// connect): each start creates a Durable Object that holds a pending
// authorization for up to 10 minutes, so an unbounded stream of starts is a
// cheap way to exhaust the service. A token bucket per user: CONNECT_BURST
// starts at once, then one more every CONNECT_REFILL_MS. Beyond it the
// connect answers 429 with Retry-After. The OrgStore keeps the buckets in
// memory (one object per org, one thread): an evicted object forgets them,
// which at worst grants one more burst.

/** Authorization starts a user may make at once. */
export const CONNECT_BURST = 20;
/** One more start allowed per this many milliseconds (10 a minute sustained). */
export const CONNECT_REFILL_MS = 6_000;
const MAX_TRACKED = 10_000; // users per org remembered; the oldest are forgotten first

export class ConnectLimit {
  #buckets = new Map(); // user -> {tokens, at}

  /**
   * Takes one start for `user` at `now` (ms): {ok: true} or {ok: false,
   * retryAfter: whole seconds until the next start is allowed}.
   */
  take(user, now) {
    const bucket = this.#buckets.get(user) ?? { tokens: CONNECT_BURST, at: now };
    const refilled = Math.min(CONNECT_BURST, bucket.tokens + Math.max(0, now - bucket.at) / CONNECT_REFILL_MS);
    this.#buckets.delete(user); // re-inserted last: the map's order is least recently used first
    if (refilled < 1) {
      this.#buckets.set(user, { tokens: refilled, at: now });
      return { ok: false, retryAfter: Math.max(1, Math.ceil(((1 - refilled) * CONNECT_REFILL_MS) / 1000)) };
    }
    this.#buckets.set(user, { tokens: refilled - 1, at: now });
    if (this.#buckets.size > MAX_TRACKED) this.#buckets.delete(this.#buckets.keys().next().value);
    return { ok: true };
  }
}
