// One connection in use by the CLI: the CLI's side of the engine's
// connection loop (wasm/connection_loop.mjs, core/connection_loop.h), for
// `request`, `connect` and `authorize`. The engine decides every step
// (refresh when due, classify, refresh and retry once, test a connection
// that has nothing to refresh with); this file only sends, keeps the
// connection hash current in its store, and holds the store's lock while
// it renews.
//
// Results are the engine's: {ok: true, value} or {ok: false, error} in the
// one failure shape {code, message, cause?, action?, detail?, problems?, lost?}.
import { runConnection, refreshState, lifecycleSettings } from '../../wasm/connection_loop.mjs';
import { send as httpSend } from './http.mjs';

const TOKEN_KEYS = ['access_token', 'refresh_token', 'expires_at'];

export class ConnectionSession {
  /**
   * @param engine      the loaded module (wasm/connauth.mjs)
   * @param definition  connector JSON text
   * @param app         the engine's `app` context (context.mjs appContext)
   * @param store       ConnectionFile | MemoryConnection (connection-store.mjs)
   * @param send        request → response | {network_error} (http.mjs; injectable for tests)
   * @param onSent      (step, request, response): the connector's own requests, for the command's log
   */
  constructor(engine, definition, { app, store, send = httpSend, onSent = () => {} }) {
    this.onSent = onSent;
    this.engine = engine;
    this.definition = definition;
    this.app = app;
    this.store = store;
    this.send = send;
    this.connection = store.read();
    /** The connection's state as far as this process saw it (the file keeps only credentials). */
    this.state = null;
    /** What happened to the tokens, for the command's summary: [{why, by}] */
    this.refreshes = [];
    /** Granted scopes a refresh changed (RFC 6749 §6), for the summary: [{from, to}] */
    this.scopeChanges = [];
    this.warnings = [];
  }

  context() {
    return { connection: this.connection, app: this.app };
  }

  /**
   * Adopts a hash the caller obtained (acquire, refresh) and stores it;
   * `scope` is the granted scope a refresh answered (null: unchanged).
   */
  adopt(hash, { scope = null } = {}) {
    const before = this.store.account?.scope ?? null;
    this.connection = hash;
    this.store.write(hash, { scope });
    if (typeof scope === 'string' && scope !== before) this.scopeChanges.push({ from: before, to: scope });
  }

  // The host's half of the loop: sending, storing and recording.
  #host(extra) {
    return {
      context: () => this.context(),
      now: () => Math.floor(Date.now() / 1000),
      send: async (request, step) => {
        const response = await this.send(request);
        this.onSent(step, request, response);
        return { ok: true, value: response };
      },
      store: ({ connection, scope }) => this.adopt(connection, { scope }),
      record: ({ outcome, cause, detail }) => {
        const next = outcome === 'success'
          ? this.engine.stateSuccess(this.state)
          : this.engine.stateFailure(this.state, cause, detail ?? '', { settings: lifecycleSettings(this.app) });
        if (next.ok) this.state = next.value;
        return this.state;
      },
      renew: ({ force, reason }) => this.renew(reason, { force }),
      ...extra,
    };
  }

  /**
   * New credentials (the refresh grant, the connector's refresh, a
   * re-acquire, or for a connection with nothing to refresh with, its test):
   * the engine's renew operation, under the store's lock. A hash whose
   * tokens another process already renewed is adopted instead.
   * -> {changed} or the failure.
   */
  async renew(why, { force = false } = {}) {
    return this.store.exclusive(async (current) => {
      if (TOKEN_KEYS.some((k) => current[k] !== this.connection[k])) {
        this.connection = current;
        this.refreshes.push({ why: reasonText(why), by: 'another process' });
        return { ok: true, value: { changed: true } };
      }
      this.connection = current;
      const renewed = await runConnection(this.engine, this.definition, 'renew',
        { force, connection_state: this.state }, this.#host());
      if (renewed.ok && renewed.value.changed) {
        this.warnings.push(...(renewed.value.warnings ?? []));
        this.refreshes.push({ why: reasonText(why), by: 'this process' });
      }
      return renewed;
    });
  }

  /**
   * Sends `request` ({method, url, headers, body}; url may be relative to the
   * connector's base_uri) with credentials applied, through the engine's
   * `use` operation. -> {response, classification, sent, attempt} (attempt 2:
   * the retry after a renewal); a
   * provider that could not be reached fails with upstream_unreachable.
   */
  async request(request) {
    const attempts = [];
    const used = await runConnection(this.engine, this.definition, 'use', this.#due(), this.#host({
      sendCaller: async (attempt) => {
        const applied = this.engine.apply(this.definition, this.context(), request);
        if (!applied.ok) return { ok: false, error: { code: 'apply_failed', problems: applied.errors ?? [] } };
        const response = await this.send(applied.value);
        if (response.network_error !== undefined) {
          return { ok: false, error: { code: 'upstream_unreachable', cause: 'provider_unavailable',
            message: 'the provider could not be reached', detail: response.network_error } };
        }
        const classified = this.engine.classify(this.definition, this.context(), response);
        if (!classified.ok) return { ok: false, error: { code: 'apply_failed', problems: classified.errors ?? [] } };
        attempts[attempt] = { response, classification: classified.value, sent: applied.value };
        return { ok: true, value: { classification: classified.value.action } };
      },
      renew: ({ force, reason }) => this.renew(reason === 'refresh_signal'
        ? `the provider answered HTTP ${attempts[1].response.status} (${attempts[1].classification.reason})`
        : reason, { force }),
    }));
    if (!used.ok) return used;
    const { attempt } = used.value;
    return { ok: true, value: { ...attempts[attempt], attempt } };
  }

  /**
   * The engine's `connect` operation for the session's fields: acquire (if
   * any), then the test. `previous` ({identity, owner_id}, or null) is the
   * account of the connection this one replaces: a different one comes back
   * as `account_changed` (SPEC §10).
   */
  async connect(previous = null) {
    return runConnection(this.engine, this.definition, 'connect', { previous }, this.#host());
  }

  /** "Check connection" (the engine's `check` operation). -> {outcome: 'ok' | 'none' | 'failed'}. */
  async check() {
    return runConnection(this.engine, this.definition, 'check', this.#due(), this.#host());
  }

  #due() {
    return refreshState(this.engine, this.context(), Math.floor(Date.now() / 1000));
  }
}

function reasonText(reason) {
  if (reason === 'due') return 'the token expires within the refresh buffer';
  if (reason === 'refresh_signal') return 'the provider answered with a refresh signal';
  return reason;
}

// "GET https://host/path" without the query (it may carry a key: api_key apply rules).
export function describeRequest(request) {
  let url = request.url;
  try {
    const u = new URL(request.url);
    url = `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch { /* shown as built */ }
  return `${request.method} ${url}`;
}
