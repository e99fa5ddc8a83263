// ConnectionStore: the Durable Object holding ONE user's connection to one
// app (SPEC §4), addressed by (org, app, app generation, user) — see
// stores.mjs. It is the only place tokens and field values are read or
// written, and the place where refresh is single-flight (SPEC §3): every
// concurrent request that needs a refresh awaits the one promise in flight
// inside this object.
//
// Storage keys:
//   record  {ref, state (engine ConnectionState JSON), sealed (the connection
//           hash — field values, tokens, expires_at — as AES-GCM, AAD =
//           ["connection", org, app, generation, user]), identity, expires_at,
//           lost, connector_version, updated_at}. Never a plaintext secret.
//   wiped   true once the app was reset or deleted: the object refuses all
//           writes from then on (so a connect racing a reset leaves nothing).
//
// Every method takes the ref first and answers a Result. `use` is what
// OrgStore.appForUse answers: {app, secrets, connector}.
import { DurableObject } from 'cloudflare:workers';
import { ok, fail } from './result.mjs';
import { aad, atRestKey, openJson, sealJson } from './crypto.mjs';
import { getEngine } from './engine.mjs';
import * as flows from './flows.mjs';
import { allowedHosts } from './egress.mjs';
import { fetchUpstream } from './upstream.mjs';

const notConnected = () => fail('not_connected', 'you have not connected this app yet');

export class ConnectionStore extends DurableObject {
  #inflight = null; // the single refresh in flight (SPEC §3)

  constructor(ctx, env, now = () => Date.now()) {
    super(ctx, env);
    this.now = now; // injected clock, milliseconds
  }

  /** The stored connection without secrets: {state, identity, expires_at, lost}. */
  async view(ref) {
    const record = await this.#load(ref);
    if (!record.ok) return record;
    return ok(publicView(record.value));
  }

  /**
   * Stores new credentials — the whole connection hash — (connect, later the
   * OAuth callback) and marks the connection connected. `connectorVersion`
   * is remembered for a later connector_error diagnosis (SPEC §4). (Not
   * named `connect`: a Durable Object stub's connect() opens a socket.)
   */
  async saveCredentials(ref, { hash, identity = null, expires_at = null, connectorVersion = null, detail = '' }) {
    const key = await atRestKey(this.env.ENCRYPTION_KEY);
    if (!key.ok) return key;
    const sealed = await sealJson(key.value, hash, this.#aad(ref));
    // From here to the put only storage is awaited, so no other call on this
    // object (a wipe) can interleave (Durable Object input gates).
    const record = await this.#load(ref);
    if (!record.ok) return record;
    if (await this.ctx.storage.get('wiped')) return fail('conflict', 'the app was reset meanwhile; try again');
    const now = this.#seconds();
    const next = {
      ...record.value,
      ref,
      sealed,
      identity,
      expires_at,
      lost: null,
      connector_version: connectorVersion,
      state: flows.stateSuccess(record.value.state, { now, connectorVersion, detail }),
      updated_at: now,
    };
    await this.ctx.storage.put('record', next);
    return ok(publicView(next));
  }

  /**
   * The connection hash for a request. not_connected / connection_lost
   * (with `lost`) when it cannot be used. A proactive refresh (SPEC §3,
   * flows.needsRefresh) joins the single flight.
   */
  async getCredentials(ref, use) {
    const usable = await this.#usable(ref);
    if (!usable.ok) return usable;
    const { hash } = usable.value;
    const engine = await getEngine();
    if (flows.needsRefresh({ engine, use, hash, now: this.#seconds() })) {
      return this.refresh(ref, hash.access_token ?? null, use);
    }
    return ok({ hash, refreshed: false });
  }

  /**
   * Compare-and-refresh, single-flight (SPEC §3). `failedAccessToken` is the
   * access token the caller's request failed with (null if none): if the
   * stored one already differs, another request refreshed meanwhile and the
   * stored hash is answered without a token request. Otherwise one refresh
   * runs, and every concurrent caller awaits it.
   * Answers {hash, refreshed} or not_connected / connection_lost /
   * not_implemented.
   */
  async refresh(ref, failedAccessToken, use) {
    if (this.#inflight) return this.#inflight;
    this.#inflight = this.#refreshOnce(ref, failedAccessToken ?? null, use).finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #refreshOnce(ref, failedAccessToken, use) {
    const usable = await this.#usable(ref);
    if (!usable.ok) return usable;
    const { hash, record, key } = usable.value;
    if ((hash.access_token ?? null) !== failedAccessToken) return ok({ hash, refreshed: false });

    const engine = await getEngine();
    // Token requests obey the app's egress list like proxied ones.
    const egress = allowedHosts(engine, use);
    const send = (url, init) => fetchUpstream(url, init, egress);
    const refreshed = await flows.refreshCredentials({ engine, use, hash, fetch: send, now: this.#seconds() });
    if (!refreshed.ok && refreshed.error.code === 'not_implemented') return refreshed;

    const sealed = refreshed.ok ? await sealJson(key, refreshed.value.hash, this.#aad(ref)) : null;

    // The token request awaited the network: other calls may have run. Never
    // overwrite a connection that changed meanwhile (disconnect, reconnect,
    // reset): SPEC §3 "never lost to a concurrent writer". From here to the
    // put only storage is awaited (input gates: nothing interleaves).
    const current = await this.ctx.storage.get('record');
    if ((await this.ctx.storage.get('wiped')) || current?.sealed?.iv !== record.sealed.iv) {
      return this.#usable(ref).then((r) => (r.ok ? ok({ hash: r.value.hash, refreshed: false }) : r));
    }
    const now = this.#seconds();
    if (refreshed.ok) {
      const next = {
        ...current,
        sealed,
        expires_at: refreshed.value.expires_at ?? null,
        identity: refreshed.value.identity ?? current.identity,
        state: flows.stateSuccess(current.state, { now, connectorVersion: use.connector.version }),
        lost: null,
        updated_at: now,
      };
      await this.ctx.storage.put('record', next);
      return ok({ hash: refreshed.value.hash, refreshed: true });
    }
    const { cause, detail } = refreshed.error;
    const state = flows.stateFailure(current.state, { cause, detail, now, connectorVersion: use.connector.version });
    const lost = state.status === 'lost' ? flows.diagnose(cause, state.last_working_version) : null;
    await this.ctx.storage.put('record', { ...current, state, lost, updated_at: now });
    return lost
      ? fail('connection_lost', 'the connection is lost', { lost })
      : fail('upstream_unreachable', 'the provider is unavailable; the connection is degraded');
  }

  /** DELETE /api/apps/{id}/connection: tokens and field values deleted, history kept. */
  async disconnect(ref) {
    const record = await this.#load(ref);
    if (!record.ok) return record;
    if (!record.value.sealed && record.value.state.status === 'not_connected') return ok(publicView(record.value));
    const now = this.#seconds();
    const next = {
      ...record.value,
      sealed: null, identity: null, expires_at: null, lost: null,
      state: flows.stateDisconnect(record.value.state, { now, detail: 'disconnected by the user' }),
      updated_at: now,
    };
    await this.ctx.storage.put('record', next);
    return ok(publicView(next));
  }

  /**
   * App reset or deletion (SPEC §5): everything this object stored is
   * deleted, and it refuses writes from now on. Called by OrgStore only.
   */
  async wipe(ref) {
    const stored = await this.ctx.storage.get('record');
    if (stored && !sameRef(stored.ref, ref)) throw new Error('ConnectionStore called for another connection');
    await this.ctx.storage.deleteAll();
    await this.ctx.storage.put('wiped', true);
    return ok(true);
  }

  // ---- internals ----------------------------------------------------------

  // The stored record (or a fresh not_connected one, without writing).
  async #load(ref) {
    const stored = await this.ctx.storage.get('record');
    if (stored && !sameRef(stored.ref, ref)) throw new Error('ConnectionStore called for another connection');
    return ok(stored ?? { ref, state: flows.initialState(), sealed: null, identity: null, expires_at: null, lost: null });
  }

  // The opened hash of a usable connection, or why it is not usable.
  async #usable(ref) {
    const record = await this.#load(ref);
    if (!record.ok) return record;
    const r = record.value;
    if (!r.sealed || r.state.status === 'not_connected') return notConnected();
    if (r.state.status === 'lost') {
      return fail('connection_lost', 'the connection is lost', { lost: r.lost ?? flows.diagnose(r.state.cause) });
    }
    const key = await atRestKey(this.env.ENCRYPTION_KEY);
    if (!key.ok) return key;
    const hash = await openJson(key.value, r.sealed, this.#aad(ref));
    if (!hash.ok) return hash;
    return ok({ hash: hash.value, record: r, key: key.value });
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

// What may leave the object: never `sealed`.
function publicView(record) {
  return {
    state: record.state,
    identity: record.identity ?? null,
    expires_at: record.expires_at ?? null,
    lost: record.state.status === 'lost' ? (record.lost ?? flows.diagnose(record.state.cause)) : null,
  };
}
