// A bounded map that forgets its least recently used entries first: the
// isolate-level caches (proxy_cache.mjs, session_cache.mjs) must not grow
// with the number of users, apps or tokens an isolate happens to see. Two
// bounds: a number of entries, and a total weight (roughly the bytes an
// entry holds: a connector definition, a connection hash), so that a few
// large values cannot exhaust the isolate's memory either. A Map keeps
// insertion order; a use only marks its entry (a hit is one Map lookup: the
// proxy makes three per request), and eviction gives a marked
// entry a second chance (moved to the end, mark cleared) before it takes
// the oldest unmarked one — the CLOCK approximation of least recently used.
// `onEvict(value)` runs for every value that leaves the map (evicted,
// deleted, replaced or cleared), so a value holding WebAssembly memory can
// free it.

export class Lru {
  #map = new Map(); // key -> {value, weight, used}
  #maxEntries;
  #maxWeight;
  #weight = 0;
  #onEvict;

  /** `maxWeight` defaults to unbounded; `weight` is given per set(). */
  constructor({ maxEntries, maxWeight = Infinity, onEvict = () => {} }) {
    this.#maxEntries = Math.max(1, maxEntries);
    this.#maxWeight = maxWeight;
    this.#onEvict = onEvict;
  }

  get size() {
    return this.#map.size;
  }

  get weight() {
    return this.#weight;
  }

  /** The value for `key` (marked as used), or undefined. */
  get(key) {
    const slot = this.#map.get(key);
    if (slot === undefined) return undefined;
    slot.used = true;
    return slot.value;
  }

  /**
   * Stores `value` under `key`, then evicts the oldest entries while a bound
   * is exceeded. A value heavier than `maxWeight` by itself is not kept.
   */
  set(key, value, weight = 1) {
    this.delete(key, value);
    if (weight > this.#maxWeight) {
      this.#onEvict(value);
      return;
    }
    this.#map.set(key, { value, weight, used: false });
    this.#weight += weight;
    // Ends: a pass over a marked entry clears its mark, and the entry just
    // set (never evicted by its own set) fits the bounds alone.
    while (this.#map.size > this.#maxEntries || this.#weight > this.#maxWeight) {
      const [oldest, slot] = this.#map.entries().next().value;
      if (slot.used || oldest === key) {
        slot.used = false;
        this.#map.delete(oldest);
        this.#map.set(oldest, slot);
      } else {
        this.delete(oldest);
      }
    }
  }

  /** Removes `key` (its value is evicted unless it is `keep`). */
  delete(key, keep = undefined) {
    const slot = this.#map.get(key);
    if (slot === undefined) return false;
    this.#map.delete(key);
    this.#weight -= slot.weight;
    if (slot.value !== keep) this.#onEvict(slot.value);
    return true;
  }

  /** Removes every entry for which `predicate(value, key)` holds. */
  deleteWhere(predicate) {
    for (const [key, slot] of [...this.#map]) {
      if (predicate(slot.value, key)) this.delete(key);
    }
  }

  clear() {
    this.deleteWhere(() => true);
  }
}
