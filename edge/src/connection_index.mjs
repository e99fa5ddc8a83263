// The org's index of its connections (SPEC §9 "every connection of the
// org"), kept in the OrgStore from what each ConnectionStore reports when
// its status, identity, expiry, last success or last use change: one
// summary per (app, user), `conn:<app id>:<user>`, so the admin list is one
// storage scan rather than one call per connection. Summaries of an app's
// earlier generation (before a reset) are ignored and dropped.
import { ok, fail } from './result.mjs';

const PREFIX = 'conn:';
/** Summaries read per page at most, whatever the filter (bounded work per request). */
const SCAN_LIMIT = 2000;

const keyOf = (app, user) => `${PREFIX}${app}:${user}`;

export class ConnectionIndex {
  constructor(storage) {
    this.storage = storage;
  }

  /**
   * Stores a ConnectionStore's report: {app, generation, user, seq, status,
   * identity, scope, lost, expires_at, last_success_at, last_used_at,
   * connector_version}. Reports are numbered per connection object; an
   * older one than the stored summary (delivered late, retried) changes
   * nothing. Answers whether it was stored.
   */
  async update(report, appGeneration) {
    if (report.generation !== appGeneration) return false;
    const key = keyOf(report.app, report.user);
    const stored = await this.storage.get(key);
    if (stored && stored.generation === report.generation && stored.seq >= report.seq) return false;
    await this.storage.put(key, report);
    return true;
  }

  /** The stored summary of (app, user), or undefined. */
  get(app, user) {
    return this.storage.get(keyOf(app, user));
  }

  /** Drops every summary of app `id` (deleted, or reset: its connections are gone). */
  async dropApp(id) {
    for (;;) {
      const batch = await this.storage.list({ prefix: `${PREFIX}${id}:`, limit: 128 });
      if (batch.size === 0) return;
      await this.storage.delete([...batch.keys()]);
    }
  }

  /**
   * One page: summaries matching `app`, `user` and `status` (`statusOf(summary)`,
   * the status as shown: `disabled` while the app is), in key order after
   * `cursor`. The cursor is the last key read, so a page that scanned
   * SCAN_LIMIT summaries without filling up still moves on.
   */
  async page({ app, status, user = null, cursor, limit }, statusOf) {
    const prefix = app ? `${PREFIX}${app}:` : PREFIX;
    let after = cursor === null ? null : decodeCursor(cursor);
    if (cursor !== null && (after === null || !after.startsWith(prefix))) return fail('invalid_request', 'cursor is not from this list', { details: [{ path: '/cursor', message: 'is not from this list' }] });
    const items = [];
    let scanned = 0;
    let last = null;
    let exhausted = false;
    while (items.length < limit && scanned < SCAN_LIMIT) {
      const want = Math.min(256, SCAN_LIMIT - scanned);
      const batch = await this.storage.list({ prefix, limit: want, ...(after ? { startAfter: after } : {}) });
      for (const [key, summary] of batch) {
        scanned++;
        last = key;
        if ((status === null || statusOf(summary) === status) && (user === null || summary.user === user)) items.push(summary);
        if (items.length === limit) break;
      }
      if (batch.size < want) {
        // Nothing after this batch: done, unless the page filled up before its end.
        exhausted = batch.size === 0 || [...batch.keys()].at(-1) === last;
        break;
      }
      after = last;
    }
    return ok({ items, next_cursor: exhausted || last === null ? null : encodeCursor(last) });
  }
}

// A cursor is the last key read, base64url: user ids may hold any character.
function encodeCursor(key) {
  return btoa(String.fromCharCode(...new TextEncoder().encode(key))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeCursor(cursor) {
  try {
    const text = new TextDecoder('utf-8', { fatal: true })
      .decode(Uint8Array.from(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
    return text.startsWith(PREFIX) ? text : null;
  } catch {
    return null;
  }
}
