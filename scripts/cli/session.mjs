// One connection in use by the CLI: the single place that runs the
// request → classify → refresh → retry-once loop (SPEC §2.5) and the
// connection test (SPEC §4 "Check connection"), for `request`, `connect`
// and `authorize`. Every decision is the engine's: whether to refresh
// (refreshNeeded), how (refreshBegin/Finish), what a response means
// (classify, testFinish) and whether to retry (requestNextStep). This file
// only sends what the engine builds and keeps the connection hash current.
//
// Results are the engine's envelopes, passed through unchanged:
//   {ok: true, value}
//   {ok: false, errors: [{path, message}]}                       bad input or connector
//   {ok: false, error: {code, cause, message, action, detail}}   the flow failed (SPEC §4 cause)
import { send as httpSend } from './http.mjs';

const TOKEN_KEYS = ['access_token', 'refresh_token', 'expires_at'];

export class ConnectionSession {
  /**
   * @param engine      the loaded module (wasm/connauth.mjs)
   * @param definition  connector JSON text
   * @param app         the engine's `app` context (context.mjs appContext)
   * @param store       ConnectionFile | MemoryConnection (connection-store.mjs)
   * @param send        request → response | {network_error} (http.mjs; injectable for tests)
   */
  constructor(engine, definition, { app, store, send = httpSend }) {
    this.engine = engine;
    this.definition = definition;
    this.app = app;
    this.store = store;
    this.send = send;
    this.connection = store.read();
    /** What happened to the tokens, for the command's summary: [{why, by}] */
    this.refreshes = [];
    this.warnings = [];
  }

  context() {
    return { connection: this.connection, app: this.app };
  }

  /** Adopts a hash the caller obtained (acquire) and stores it. */
  adopt(hash) {
    this.connection = hash;
    this.store.write(hash);
  }

  /**
   * Obtains fresh credentials (refresh grant, the connector's refresh, or a
   * re-acquire: the engine picks) and stores them. Single flight: under the
   * store's lock, a hash whose tokens another process already renewed is
   * adopted instead of refreshing again.
   */
  async refresh(why) {
    return this.store.exclusive(async (current) => {
      if (TOKEN_KEYS.some((k) => current[k] !== this.connection[k])) {
        this.connection = current;
        this.refreshes.push({ why, by: 'another process' });
        return { ok: true, value: { connection: current, warnings: [] } };
      }
      this.connection = current;
      const begin = this.engine.refreshBegin(this.definition, this.context());
      if (!begin.ok) return begin;
      const response = await this.send(begin.value.request);
      const finish = this.engine.refreshFinish(this.definition, this.context(), response);
      if (!finish.ok) return finish;
      this.warnings.push(...finish.value.warnings);
      this.adopt(finish.value.connection);
      this.refreshes.push({ why, by: 'this process' });
      return finish;
    });
  }

  /** SPEC §3 proactive refresh: true when one was made. */
  async #refreshIfDue() {
    const due = this.engine.refreshNeeded(this.context());
    if (!due.ok) return due;
    if (!due.value) return { ok: true, value: false };
    const refreshed = await this.refresh('the token expires within the refresh buffer');
    return refreshed.ok ? { ok: true, value: true } : refreshed;
  }

  /**
   * Sends `request` ({method, url, headers, body}; url may be relative to the
   * connector's base_uri) with credentials applied. SPEC §2.5: a response
   * classified `refresh` causes one refresh and exactly one retry, whose
   * outcome is final. -> {response, classification, refreshed, sent} where
   * `response` may be {network_error}.
   */
  async request(request) {
    const due = await this.#refreshIfDue();
    if (!due.ok) return due;
    let refreshed = due.value;
    for (;;) {
      const applied = this.engine.apply(this.definition, this.context(), request);
      if (!applied.ok) return applied;
      const response = await this.send(applied.value);
      if (response.network_error !== undefined) {
        return { ok: true, value: { response, classification: null, refreshed, sent: applied.value } };
      }
      const classified = this.engine.classify(this.definition, this.context(), response);
      if (!classified.ok) return classified;
      const step = this.engine.requestNextStep(classified.value.action, refreshed);
      if (!step.ok) return step;
      if (step.value.next !== 'refresh_and_retry') {
        return { ok: true, value: { response, classification: classified.value, refreshed, sent: applied.value } };
      }
      const renewed = await this.refresh(`the provider answered HTTP ${response.status} (${classified.value.reason})`);
      if (!renewed.ok) return renewed;
      refreshed = true;
    }
  }

  /**
   * Runs the connector's test (SPEC §2 `test`), refreshing once when the
   * engine asks for it. `options.refreshed`: the tokens are already fresh,
   * so a refusal is final. -> {outcome: 'ok' | 'none', request?, status?}.
   */
  async test(options = {}) {
    let refreshed = Boolean(options.refreshed);
    if (!refreshed) {
      const due = await this.#refreshIfDue();
      if (!due.ok) return due;
      refreshed = due.value;
    }
    for (;;) {
      const begin = this.engine.testBegin(this.definition, this.context());
      if (!begin.ok) return begin;
      const request = begin.value.request;
      if (!request) return { ok: true, value: { outcome: 'none' } };
      const response = await this.send(request);
      const finish = this.engine.testFinish(this.definition, this.context(), response, { refreshed });
      if (!finish.ok) return finish;
      if (finish.value.outcome !== 'refresh' || refreshed) {
        return { ok: true, value: { outcome: finish.value.outcome, request: describeRequest(request), status: response.status } };
      }
      const renewed = await this.refresh(`the test answered HTTP ${response.status}`);
      if (!renewed.ok) return renewed;
      refreshed = true;
    }
  }
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
