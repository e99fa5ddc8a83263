// ConnectionStore: the Durable Object holding ONE user's connection to one
// app (SPEC §4), addressed by (org, app, app generation, user) — see
// stores.mjs. It is the only place tokens and field values are read or
// written, and the place where refresh is single-flight (SPEC §3): a Durable
// Object is one instance worldwide, every request for this connection
// reaches it, and every concurrent request that needs a refresh awaits the
// one promise in flight here. So N concurrent requests cause one token
// request, whichever isolate or data centre they come from.
//
// Storage keys:
//   record  {ref, state (engine ConnectionState JSON), sealed (the connection
//           hash — field values, tokens, expires_at — as AES-GCM, AAD =
//           ["connection", org, app, generation, user]), version (counts
//           credential writes: the compare-and-set token), identity,
//           owner_id, scope (granted, SPEC §10), expires_at,
//           connector_version, state_rev (counts state changes: an
//           operation's outcome is recorded only on the state it saw), updated_at}.
//           Never a plaintext secret.
//   wiped   true once the app was reset or deleted: the object refuses all
//           writes from then on (so a connect racing a reset leaves nothing).
//   outbox:<0-padded n>  reports to the OrgStore not yet acknowledged (#report)
//   report_seq, reported  the last report's number and what it said
//   used_at, keepalive_at, keepalive_seconds, keepalive_slot  keep-alive timing (keepalive.mjs)
// Alarm, at the earliest of: while the connection is degraded, the engine's
// next_retry_at (it is checked again: SPEC §4, it recovers by itself); the
// keep-alive (SPEC §9); a retry of reports the OrgStore did not take.
//
// Every method takes the ref first and answers a Result. `use` is what
// OrgStore.appForUse answers: {app, secrets, connector}.
import { DurableObject } from 'cloudflare:workers';
import { ok, fail } from './result.mjs';
import { aad, atRestKeyring, isStale, openJson, sealJson } from './crypto.mjs';
import { getEngine } from './engine.mjs';
import * as flows from './flows.mjs';
import { runConnection } from '../../wasm/connection_loop.mjs';
import { orgStore } from './stores.mjs';
import { readyEngine } from './engine.mjs';
import { connectionEventType } from './events.mjs';
import { allowedHosts } from './egress.mjs';
import { log } from './log.mjs';
import {
  DEFAULT_KEEPALIVE_SECONDS, keepaliveDue, spreadOf, providerKey,
} from './keepalive.mjs';

/** How long a report the OrgStore did not take waits before it is sent again (ms). */
const REPORT_RETRY_MS = 30_000;
/** A use is reported to the org's index at most this often (s): last_used_at is that precise. */
const USE_REPORT_SECONDS = 300;
const pad = (n) => String(n).padStart(12, '0');
import { revokeTokens } from './revocation.mjs';

/** While the app is disabled, how often a degraded connection's alarm looks again (ms, default 15 min). */
const DISABLED_RECHECK_MS = 15 * 60_000;

const notConnected = () => fail('not_connected', 'you have not connected this app yet');

export class ConnectionStore extends DurableObject {
  #inflight = null; // the single refresh in flight (SPEC §3)
  #flushing = null; // the one drain of the outbox in flight (reports stay in order)

  constructor(ctx, env, now = () => Date.now()) {
    super(ctx, env);
    this.now = now; // injected clock, milliseconds
  }

  /** The stored connection without secrets: {state, identity, owner_id, scope, expires_at}. */
  async view(ref) {
    const record = await this.#load(ref);
    return ok(publicView(record));
  }

  /**
   * Stores new credentials — the whole connection hash — (connect, the OAuth
   * callback) and marks the connection connected. `connectorVersion` is
   * remembered for a later connector_error diagnosis (SPEC §4);
   * `account_changed` {from, to} goes with the connection.connected event
   * (SPEC §10). (Not named `connect`: a Durable Object stub's connect()
   * opens a socket.)
   */
  async saveCredentials(ref, {
    hash, identity = null, owner_id: ownerId = null, scope = null, account_changed: accountChanged = null,
    connectorVersion = null, keepaliveSeconds,
  }) {
    const key = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!key.ok) return key;
    const engine = await getEngine();
    const sealed = await sealJson(key.value, hash, this.#aad(ref));
    // From here to the put only storage is awaited, so no other call on this
    // object (a wipe, a refresh finishing) can interleave (input gates).
    const record = await this.#load(ref);
    if (await this.ctx.storage.get('wiped')) return fail('conflict', 'the app was reset meanwhile; try again');
    const now = this.#seconds();
    const next = {
      ...record,
      ref,
      sealed,
      version: (record.version ?? 0) + 1,
      identity,
      owner_id: ownerId,
      scope,
      expires_at: expiresAt(hash),
      connector_version: connectorVersion,
      state: flows.stateSuccess(engine, record.state, { now, connectorVersion }),
      updated_at: now,
    };
    if (keepaliveSeconds !== undefined) await this.ctx.storage.put('keepalive_seconds', keepaliveSeconds);
    await this.#write(next, { newCredentials: true, actor: ref.user, accountChanged });
    return ok(publicView(next));
  }

  /**
   * The connection hash for a request: {hash, version, status}, or
   * not_connected / connection_lost (with `lost`). Whether it must be
   * renewed first is the connection loop's decision (the caller's `use`
   * operation), and the renewal is `refresh`. `status` is the connection's
   * (SPEC §4): the worker caches only `connected` credentials
   * (proxy_cache.mjs).
   */
  async getCredentials(ref) {
    const opened = await this.#open(ref);
    if (!opened.ok) return opened;
    const { record, hash } = opened.value;
    return ok({ hash, version: record.version, status: statusOf(record) });
  }

  /**
   * Compare-and-refresh, single-flight (SPEC §3). `seenVersion` is the
   * credentials version the caller used: if the stored one differs, someone
   * refreshed or reconnected meanwhile and the stored hash is answered
   * without a token request. Otherwise one refresh runs, and every concurrent
   * caller awaits it. The result is written only if the credentials did not
   * change meanwhile, so a rotated refresh token is never overwritten by an
   * older one (and never lost to a concurrent writer).
   *
   * While the connection is degraded and backing off (the engine's
   * next_retry_at), no token request is sent: connection_degraded at once.
   * `force` (Check connection, the alarm) ignores the backoff and also works
   * on a lost connection.
   *
   * A connection with nothing to refresh with (api_key, basic_auth, no
   * refresh token) runs the connector's test instead: if the credentials
   * still pass it, the caller's answer was not about them.
   *
   * Answers {hash, version, refreshed, status} or not_connected / connection_lost
   * (with `lost`) / connection_degraded (with `lost`, `retryAfter`) /
   * egress_denied / conflict.
   */
  async refresh(ref, seenVersion, use, { force = false } = {}) {
    if (this.#inflight) return this.#inflight;
    this.#inflight = this.#refreshOnce(ref, seenVersion, use, force).finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #refreshOnce(ref, seenVersion, use, force) {
    const opened = await this.#open(ref, { allowLost: force });
    if (!opened.ok) return opened;
    const { record, key } = opened.value;
    let { hash } = opened.value;
    if (record.version !== seenVersion) return ok({ hash, version: record.version, refreshed: false, status: statusOf(record) });
    const engine = await getEngine();

    // The engine's renew operation (wasm/connection_loop.mjs); this object
    // stores what it asks for, compare-and-set against the version it read.
    let version = record.version;
    let superseded = false;
    const seen = { rev: record.state_rev ?? 0 }; // the state this operation last saw (#record)
    const renewed = await runConnection(engine, use.connector.definition, 'renew',
      { force, connection_state: record.state ?? null }, {
        context: () => flows.engineContext(hash, use, { state: record.state }),
        now: () => this.#seconds(),
        send: flows.sender(engine, use),
        // `scope`: a refresh answered a granted scope, maybe narrower (RFC 6749 §6);
        // null keeps the stored one (§5.1).
        store: async ({ connection, scope }) => {
          const sealed = await sealJson(key, connection, this.#aad(ref));
          const next = await this.#commit(version, (current) => ({
            ...current, sealed, version: current.version + 1, expires_at: expiresAt(connection),
            ...(typeof scope === 'string' ? { scope } : {}),
          }));
          if (!next) superseded = true;
          else ({ version } = next);
          hash = connection;
        },
        record: async (outcome) => {
          if (superseded) return null;
          const next = await this.#record(engine, version, use, outcome, seen);
          if (!next) superseded = true;
          return next?.state ?? null;
        },
      });
    // The credentials changed meanwhile (reconnected, refreshed): whatever
    // happened was about the old ones; the caller may use the new ones.
    if (superseded) return this.#current(ref);
    if (!renewed.ok) return renewed;
    const stored = await this.ctx.storage.get('record');
    return ok({ hash, version, refreshed: renewed.value.changed, status: statusOf(stored) });
  }

  /**
   * POST /api/apps/{id}/check and the background retry: the engine's check
   * operation, whatever the backoff says (SPEC §4 "Check connection retries
   * now"): renew first when the token is due, run the test, renew and test
   * once more if it asks; without a test, a renewal is the check. Works on a
   * degraded or lost connection too (e.g. after an admin restored a
   * connector version). Answers the view (whatever the outcome), or
   * not_connected / egress_denied / conflict.
   */
  async check(ref, use) {
    const opened = await this.#open(ref, { allowLost: true });
    if (!opened.ok) return opened;
    let { record, hash } = opened.value;
    const engine = await getEngine();
    let version = record.version;
    const seen = { rev: record.state_rev ?? 0 };
    const checked = await runConnection(engine, use.connector.definition, 'check',
      flows.refreshDue({ engine, use, hash, now: this.#seconds() }), {
        context: () => flows.engineContext(hash, use, { state: record.state }),
        now: () => this.#seconds(),
        send: flows.sender(engine, use),
        renew: async () => {
          const renewed = await this.refresh(ref, version, use, { force: true });
          if (!renewed.ok) return renewed;
          ({ hash, version } = renewed.value);
          record = (await this.ctx.storage.get('record')) ?? record;
          seen.rev = record.state_rev ?? 0; // what the renewal recorded is this operation's own
          return ok({ changed: renewed.value.refreshed });
        },
        record: async (outcome) => (await this.#record(engine, version, use, outcome, seen))?.state ?? null,
      });
    if (!checked.ok) return checked;
    return this.view(ref);
  }

  /**
   * Records a failure seen outside this object (a proxied request the
   * connector could not authorize: SPEC §4 connector_error, naming the last
   * working version) for the credentials `seenVersion`. Answers the stored
   * state, or null when the credentials changed meanwhile (the failure was
   * about the old ones).
   */
  async recordFailure(ref, seenVersion, { cause, detail }) {
    await this.#load(ref);
    const engine = await getEngine();
    const next = await this.#commit(seenVersion, (current) => ({
      ...current,
      state: flows.stateFailure(engine, current.state, { cause: cause ?? 'connector_error', detail: detail ?? '', now: this.#seconds() }),
    }));
    return ok(next?.state ?? null);
  }

  /**
   * DELETE /api/apps/{id}/connection: tokens and field values deleted,
   * history kept. Then, with `use` (appForUse's answer), the deleted tokens
   * are revoked at the provider, not awaited (revocation.mjs).
   */
  async disconnect(ref, use = null) {
    const record = await this.#load(ref);
    if (!record.sealed && (record.state?.status ?? 'not_connected') === 'not_connected') return ok(publicView(record));
    const deleted = use ? await this.#sealedHash(ref, record) : null;
    const engine = await getEngine();
    const next = {
      ...record,
      sealed: null,
      version: (record.version ?? 0) + 1,
      identity: null,
      owner_id: null,
      scope: null,
      expires_at: null,
      state: flows.stateDisconnect(engine, record.state, { now: this.#seconds(), detail: 'disconnected by the user' }),
      updated_at: this.#seconds(),
    };
    await this.#write(next, { actor: ref.user });
    if (deleted) this.#revokeLater(use, deleted, ref);
    return ok(publicView(next));
  }

  /**
   * App reset or deletion (SPEC §5): everything this object stored is
   * deleted, and it refuses writes from now on. Called by OrgStore only,
   * with `use` when the deleted tokens are to be revoked (as disconnect).
   */
  async wipe(ref, use = null) {
    const stored = await this.ctx.storage.get('record');
    if (stored && !sameRef(stored.ref, ref)) throw new Error('ConnectionStore called for another connection');
    const deleted = use && stored ? await this.#sealedHash(ref, stored) : null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    await this.ctx.storage.put('wiped', true);
    if (deleted) this.#revokeLater(use, deleted, ref);
    return ok(true);
  }

  /**
   * The background retry of a degraded connection (SPEC §4: retried with
   * exponential backoff and jitter; it recovers by itself), at the engine's
   * next_retry_at. Nothing happens for an app that is gone or was reset; a
   * disabled app's connection is looked at again later.
   */
  async alarm() {
    if (await this.ctx.storage.get('wiped')) return;
    await this.#flushOutbox();
    const record = await this.ctx.storage.get('record');
    if (!record?.sealed) return this.#scheduleAlarm(record);
    const now = this.now();
    const status = record.state?.status;
    const retryDue = status === 'degraded' && (record.state.next_retry_at ?? 0) * 1000 <= now;
    const keepaliveAt = status === 'connected' ? await this.#keepaliveAt(record) : null;
    if (!retryDue && !(keepaliveAt !== null && keepaliveAt <= now)) return this.#scheduleAlarm(record);
    const { ref } = record;
    const found = await orgStore(this.env, ref.org).appForUse(ref.org, ref.app);
    if (!found.ok || found.value.app.generation !== ref.generation) return;
    const use = found.value;
    if (!use.app.enabled) {
      await this.ctx.storage.setAlarm(now + DISABLED_RECHECK_MS);
      return;
    }
    if (retryDue) {
      await this.check(ref, use);
      return;
    }
    await this.#keepalive(ref, record, use);
  }

  /**
   * Key rotation: the OrgStore's sweep (org_store.mjs #resealAll) asks each
   * connection to seal its credentials again under ENCRYPTION_KEY's first
   * key. Answers whether it did (false: nothing stored, or sealed under
   * that key already); a lost connection's credentials are re-sealed too.
   */
  async reseal(ref) {
    const record = await this.#load(ref);
    if (!record.sealed || (await this.ctx.storage.get('wiped'))) return ok(false);
    const key = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!key.ok) return key;
    if (!isStale(key.value, record.sealed)) return ok(false);
    const hash = await openJson(key.value, record.sealed, this.#aad(ref));
    if (!hash.ok) return hash;
    await this.#reseal(ref, record, hash.value, key.value);
    return ok(true);
  }

  /**
   * A proxied request used the connection (reported by the worker at most
   * every few minutes per isolate: use_report.mjs). Moves its keep-alive
   * and, every USE_REPORT_SECONDS, its last_used_at in the org's index.
   */
  async touch(ref, { at, keepaliveSeconds }) {
    const record = await this.#load(ref);
    if (!record.sealed || (await this.ctx.storage.get('wiped'))) return ok(false);
    const usedAt = Math.floor(at / 1000);
    const previous = (await this.ctx.storage.get('used_at')) ?? 0;
    if (usedAt <= previous) return ok(false);
    const entries = { used_at: usedAt };
    if (keepaliveSeconds !== undefined) entries.keepalive_seconds = keepaliveSeconds;
    await this.ctx.storage.put(entries);
    const reported = await this.ctx.storage.get('reported');
    if (!reported || usedAt - (reported.last_used_at ?? 0) >= USE_REPORT_SECONDS) {
      await this.#report(record, record, {});
      await this.#flushOutbox();
    }
    await this.#scheduleAlarm(record);
    return ok(true);
  }

  // The keep-alive renewal (SPEC §9), in the provider's next free slot: the
  // OrgStore hands out slots so that at most KEEPALIVE_PER_PROVIDER_PER_MINUTE
  // renewals reach one provider; a later slot is waited for by the alarm.
  async #keepalive(ref, record, use) {
    const engine = await getEngine();
    const slot = await this.ctx.storage.get('keepalive_slot');
    if (slot === undefined) {
      const taken = await orgStore(this.env, ref.org).keepaliveSlot(ref.org, providerKey(allowedHosts(engine, use).hosts));
      if (taken.ok && taken.value.at > this.now() + 1000) {
        await this.ctx.storage.put('keepalive_slot', taken.value.at);
        await this.ctx.storage.setAlarm(taken.value.at);
        return;
      }
    }
    await this.ctx.storage.delete('keepalive_slot');
    await this.ctx.storage.put({ keepalive_at: this.#seconds(), keepalive_seconds: use.app.keepalive_seconds ?? DEFAULT_KEEPALIVE_SECONDS });
    const renewed = await this.refresh(ref, record.version, use, { force: true });
    if (!renewed.ok) log('keepalive_failed', { org: ref.org, app: ref.app, user: ref.user, cause: renewed.error.lost?.cause ?? renewed.error.code });
    await this.#scheduleAlarm(await this.ctx.storage.get('record'));
  }

  // When the keep-alive is due (epoch ms): a reserved slot, else the app's
  // window after the last use, success or keep-alive; null when off.
  async #keepaliveAt(record) {
    const got = await this.ctx.storage.get(['keepalive_slot', 'used_at', 'keepalive_at', 'keepalive_seconds']);
    if (got.get('keepalive_slot') !== undefined) return got.get('keepalive_slot');
    const activity = Math.max(got.get('used_at') ?? 0, got.get('keepalive_at') ?? 0, record.state?.last_success_at ?? 0);
    return keepaliveDue(activity || null, got.get('keepalive_seconds') ?? DEFAULT_KEEPALIVE_SECONDS, spreadOf(record.ref));
  }

  // ---- internals ----------------------------------------------------------

  // The connection hash sealed in `record`, or null (nothing stored, or it
  // does not open: then there is nothing to revoke with).
  async #sealedHash(ref, record) {
    if (!record.sealed) return null;
    const key = await atRestKeyring(this.env.ENCRYPTION_KEY);
    const hash = key.ok ? await openJson(key.value, record.sealed, this.#aad(ref)) : key;
    return hash.ok ? hash.value : null;
  }

  // Revocation after the deletion, never delaying the caller's answer; it
  // logs its own failures and never rejects.
  #revokeLater(use, hash, ref) {
    const revoking = revokeTokens(use, hash, ref);
    if (typeof this.ctx.waitUntil === 'function') this.ctx.waitUntil(revoking);
  }

  // The stored record, or a fresh not_connected one (without writing).
  async #load(ref) {
    const stored = await this.ctx.storage.get('record');
    if (stored && !sameRef(stored.ref, ref)) throw new Error('ConnectionStore called for another connection');
    return stored ?? { ref, state: null, sealed: null, version: 0, identity: null, expires_at: null };
  }

  // The opened hash of a usable connection, or why it is not usable.
  async #open(ref, { allowLost = false } = {}) {
    const record = await this.#load(ref);
    const status = record.state?.status ?? 'not_connected';
    if (!record.sealed || status === 'not_connected') return notConnected();
    if (status === 'lost' && !allowLost) return this.#failureAnswer(await getEngine(), record.state);
    const key = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!key.ok) return key;
    const hash = await openJson(key.value, record.sealed, this.#aad(ref));
    if (!hash.ok) return hash;
    if (isStale(key.value, record.sealed)) await this.#reseal(ref, record, hash.value, key.value);
    return ok({ record, hash: hash.value, key: key.value });
  }

  // Key rotation (docs/security.md): `record`'s credentials `hash`, sealed
  // under an older key, sealed again under the keyring's first one. Written
  // only if the stored credentials are still those of `record` (sealing
  // awaits WebCrypto, so another call may write meanwhile, under the first
  // key anyway); the version stays, as the credentials are the same.
  async #reseal(ref, record, hash, keyring) {
    const sealed = await sealJson(keyring, hash, this.#aad(ref));
    const current = await this.ctx.storage.get('record');
    if (current?.sealed?.ct !== record.sealed.ct || (await this.ctx.storage.get('wiped'))) return;
    await this.ctx.storage.put('record', { ...current, sealed });
  }

  // The stored credentials after someone else changed them.
  async #current(ref) {
    const opened = await this.#open(ref);
    if (!opened.ok) return opened;
    const { hash, record } = opened.value;
    return ok({ hash, version: record.version, refreshed: false, status: statusOf(record) });
  }

  // Compare-and-set: writes update(current) only if the credentials are
  // still the version `version` (nothing reconnected, disconnected, refreshed
  // or wiped meanwhile). Only storage is awaited between the read and the
  // put, so nothing interleaves (Durable Object input gates). Answers the
  // written record, or null if it changed.
  async #commit(version, update) {
    const current = await this.ctx.storage.get('record');
    if (!current || current.version !== version || (await this.ctx.storage.get('wiped'))) return null;
    const updated = update(current);
    if (updated === current) return current; // nothing to write
    const next = { ...updated, updated_at: this.#seconds() };
    await this.#write(next);
    return next;
  }

  // The connection loop's `record` effect: the engine's state after a success
  // or a failure, compare-and-set at `version`. Answers the written record,
  // or null if the credentials changed meanwhile.
  //
  // `seen` ({rev}): the state revision the calling operation last saw. When
  // another operation recorded a state after that (a concurrent check or
  // refresh finished first), this outcome is older news: the newer state
  // stays, so a failure seen before a recovery does not degrade the
  // recovered connection again (nor a stale success undo a newer refusal).
  async #record(engine, version, use, { outcome, cause, detail }, seen = null) {
    const next = await this.#commit(version, (current) => (seen && (current.state_rev ?? 0) !== seen.rev ? current : {
      ...current,
      state_rev: (current.state_rev ?? 0) + 1, // a recorded outcome is news even when the state reads the same
      state: outcome === 'success'
        ? flows.stateSuccess(engine, current.state, { now: this.#seconds(), connectorVersion: use.connector.version })
        : flows.stateFailure(engine, current.state, { cause, detail, now: this.#seconds(), app: use.app }),
    }));
    if (next && seen) seen.rev = next.state_rev ?? 0;
    return next;
  }

  // Why the connection cannot be used now: connection_lost (409) or, while
  // degraded, connection_degraded (503, Retry-After: the backoff left).
  #failureAnswer(engine, state) {
    const status = state?.status ?? 'not_connected';
    if (status === 'not_connected') return notConnected();
    const lost = flows.diagnosis(engine, state);
    if (status === 'lost') return fail('connection_lost', 'the connection is lost', { lost });
    if (status === 'degraded') {
      const retryAfter = Math.max(1, (state.next_retry_at ?? this.#seconds()) - this.#seconds());
      return fail('connection_degraded', 'the provider is unavailable; the connection is retried automatically', { lost, retryAfter });
    }
    return fail('internal_error', 'internal error', { why: `no failure to report for status ${status}` });
  }

  // Writes the record — with, in the same put, a report to the org when
  // something an admin sees changed (#report) — sends the reports, and keeps
  // the alarm in step.
  async #write(record, { newCredentials = false, actor = null, accountChanged = null } = {}) {
    const before = await this.ctx.storage.get('record');
    // Every new state is a new revision (#record's staleness check).
    const changed = JSON.stringify(before?.state ?? null) !== JSON.stringify(record.state ?? null);
    record.state_rev = Math.max(record.state_rev ?? 0, (before?.state_rev ?? 0) + (changed ? 1 : 0));
    await this.#report(before, record, { newCredentials, actor, accountChanged });
    await this.#flushOutbox();
    await this.#scheduleAlarm(record);
  }

  // Writes `record` and, when the status, diagnosis, identity, expiry, last
  // success or last use differ from what was last reported (or `before` →
  // `record` is a status change: an event), a numbered report in the
  // outbox — one put, so a status change is never stored without its
  // report. The OrgStore keeps the newest report per connection.
  async #report(before, record, { newCredentials = false, actor = null, accountChanged = null }) {
    const engine = readyEngine() ?? await getEngine();
    const event = connectionEventType(before?.state, record.state, { newCredentials });
    const state = record.state ?? null;
    const { ref } = record;
    const stored = await this.ctx.storage.get(['used_at', 'reported', 'report_seq']);
    const usedAt = stored.get('used_at') ?? null;
    const visible = {
      status: state?.status ?? 'not_connected',
      identity: record.identity ?? null,
      scope: record.scope ?? null,
      lost: state && ['degraded', 'lost'].includes(state.status) ? flows.diagnosis(engine, state) : null,
      expires_at: record.expires_at ?? null,
      last_success_at: state?.last_success_at ?? null,
      last_used_at: usedAt,
      connector_version: record.connector_version ?? state?.last_working_version ?? null,
    };
    const entries = before === record ? {} : { record };
    if (event || JSON.stringify(visible) !== JSON.stringify(stored.get('reported') ?? null)) {
      const seq = (stored.get('report_seq') ?? 0) + 1;
      entries.report_seq = seq;
      entries.reported = visible;
      entries[`outbox:${pad(seq)}`] = { app: ref.app, generation: ref.generation, user: ref.user, seq, ...visible, event, actor };
      if (event && accountChanged) entries[`outbox:${pad(seq)}`].account_changed = accountChanged;
      if (event) {
        log('connection_status', {
          org: ref.org, app: ref.app, user: ref.user, type: event, status: visible.status, cause: visible.lost?.cause, detail: visible.lost?.detail,
        });
      }
    }
    if (Object.keys(entries).length) await this.ctx.storage.put(entries);
  }

  // Sends the outbox to the OrgStore in order, one drain at a time; what
  // it does not take stays for the alarm. Answers whether it is empty.
  #flushOutbox() {
    this.#flushing ??= this.#drainOutbox().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #drainOutbox() {
    for (;;) {
      const pending = await this.ctx.storage.list({ prefix: 'outbox:', limit: 16 });
      if (pending.size === 0) return true;
      const org = (await this.ctx.storage.get('record'))?.ref.org;
      for (const [key, report] of pending) {
        try {
          const taken = org === undefined ? { ok: true } : await orgStore(this.env, org).connectionChanged(org, report);
          if (!taken.ok) return false;
        } catch (error) {
          log('report_failed', { app: report.app, user: report.user, error: String(error?.message ?? error) }, 'error');
          return false;
        }
        await this.ctx.storage.delete(key);
      }
    }
  }

  // The alarm at the earliest of what waits: a degraded connection's
  // retry, the keep-alive, reports not yet taken.
  async #scheduleAlarm(record) {
    const times = [];
    const state = record?.state;
    if (record?.sealed && state?.status === 'degraded' && state.next_retry_at) times.push(Math.max(state.next_retry_at * 1000, this.now()));
    if (record?.sealed && state?.status === 'connected') {
      const at = await this.#keepaliveAt(record);
      if (at !== null) times.push(Math.max(at, this.now()));
    }
    if ((await this.ctx.storage.list({ prefix: 'outbox:', limit: 1 })).size) times.push(this.now() + REPORT_RETRY_MS);
    if (times.length) await this.ctx.storage.setAlarm(Math.min(...times));
    else await this.ctx.storage.deleteAlarm();
  }

  #aad(ref) {
    return aad('connection', ref.org, ref.app, ref.generation, ref.user);
  }

  #seconds() {
    return Math.floor(this.now() / 1000);
  }
}

function sameRef(a, b) {
  return a.org === b.org && a.app === b.app && a.generation === b.generation && a.user === b.user;
}

function statusOf(record) {
  return record.state?.status ?? 'not_connected';
}

function expiresAt(hash) {
  return Number.isFinite(hash?.expires_at) ? hash.expires_at : null;
}

// What may leave the object: never `sealed`.
function publicView(record) {
  return {
    state: record.state ?? null,
    identity: record.identity ?? null,
    owner_id: record.owner_id ?? null,
    scope: record.scope ?? null,
    expires_at: record.expires_at ?? null,
  };
}
