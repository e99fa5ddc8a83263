// Verified session tokens, per isolate: a caller sends the same token with
// every request until it expires, and verifying its HS256 signature
// (crypto.subtle, asynchronous) is one of the larger costs of a proxied
// request. Only tokens whose signature verified under the current keys
// (SESSION_SECRET or SESSION_JWKS, session_keys.mjs: one object while the
// configuration lasts) and whose claims have the required shape are kept, with
// those claims; the time checks (exp, nbf, SPEC §7) run on every request
// against the clock, so a cached token expires exactly when an uncached one
// would. A token is looked up by the exact text of the Authorization header
// that carried it ("Bearer <token>"), so a known one is not even parsed
// again; a forged or altered token is never in here and goes through the
// full check. Bounded (LRU by count and by total header length); the tokens
// stay in memory only.
import { Lru } from './lru.mjs';

const verified = new Lru({ maxEntries: 2048, maxWeight: 4 * 1024 * 1024 });

/** The claims of the token in `header` if it verified under `secret` before, else undefined. */
export function cachedClaims(header, secret) {
  const entry = verified.get(header);
  return entry?.secret === secret ? entry.claims : undefined;
}

/** Remembers that the token in `header` verified under `secret` with `claims`. */
export function rememberClaims(header, secret, claims) {
  verified.set(header, { secret, claims }, header.length + 256);
}

/** Forgets the token in `header` (it expired: no need to keep it). */
export function forgetToken(header) {
  verified.delete(header);
}
