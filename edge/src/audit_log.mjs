// The org's audit log (SPEC §9): who did what to which app, connector,
// webhook or connection, when, and which fields changed — by name, never
// with a value, so a secret cannot be in it. Stored in the OrgStore as
// `audit:<0-padded sequence>`, read newest first; the oldest entries beyond
// AUDIT_LIMIT are dropped.
import { ok } from './result.mjs';

export const AUDIT_LIMIT = 10_000;
const PREFIX = 'audit:';
const pad = (n) => String(n).padStart(12, '0');

export class AuditLog {
  constructor(storage, now) {
    this.storage = storage;
    this.now = now; // epoch ms
  }

  /**
   * Appends {at, actor, action, target: {type, id, name?}, changed?}.
   * `changed` is a list of field names.
   */
  async append(actor, action, target, changed = null) {
    const seq = ((await this.storage.get('audit_seq')) ?? 0) + 1;
    const entry = { at: new Date(this.now()).toISOString(), actor, action, target };
    if (changed) entry.changed = changed;
    await this.storage.put({ audit_seq: seq, [`${PREFIX}${pad(seq)}`]: entry });
    if (seq > AUDIT_LIMIT) await this.storage.delete(`${PREFIX}${pad(seq - AUDIT_LIMIT)}`);
  }

  /** Newest first: {items, next_cursor} (the cursor is the last sequence answered). */
  async page({ cursor, limit }) {
    const end = cursor === null ? undefined : `${PREFIX}${cursor}`;
    if (cursor !== null && !/^[0-9]{12}$/.test(cursor)) return ok({ items: [], next_cursor: null });
    const found = await this.storage.list({ prefix: PREFIX, end, reverse: true, limit: limit + 1 });
    const entries = [...found.entries()];
    const items = entries.slice(0, limit).map(([, entry]) => entry);
    const next = entries.length > limit ? entries[limit - 1][0].slice(PREFIX.length) : null;
    return ok({ items, next_cursor: next });
  }
}
