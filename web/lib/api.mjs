// The edge API of SPEC §7 as seen from the browser, from the edge's own
// origin or a console on another one (SPEC §8: CORS, CONSOLE_ORIGINS). Every
// call answers a Result, never throws: {ok: true, status, value} | {ok:
// false, status, error: {code, message, details?, lost?, reason?, action?}}.
// The session token goes in the Authorization header and nowhere else (no
// cookie, no URL). With `getToken`, a token the edge refuses (401) is asked
// for again once and the call repeated.

const NETWORK_ERROR = { code: 'network_error', message: 'The connauth service could not be reached. Check your network and try again.' };

export class Api {
  #base;
  #token;
  #getToken;
  #onToken;
  #onUnauthorized;

  /**
   * @param {{baseUrl?: string, token?: string, getToken?: () => Promise<string>,
   *   onToken?: (token) => void, onUnauthorized?: (error) => void}} options
   *   baseUrl: the edge origin (default: this page's origin); getToken: the
   *   host console's source of session tokens, called before the first call
   *   and again when the edge refuses the last one; onToken: told each new one.
   */
  constructor({ baseUrl, token, getToken, onToken, onUnauthorized } = {}) {
    this.#base = new URL(baseUrl ?? globalThis.location.origin).origin;
    this.#token = token;
    this.#getToken = typeof getToken === 'function' ? getToken : null;
    this.#onToken = onToken;
    this.#onUnauthorized = onUnauthorized;
  }

  /** The edge's exact origin: where consent results must come from. */
  get origin() {
    return this.#base;
  }

  // A token from getToken (once per need; concurrent calls share the request).
  #fresh = null;
  async #freshToken() {
    this.#fresh ??= (async () => {
      try {
        const token = await this.#getToken();
        if (typeof token === 'string' && token) {
          this.#token = token;
          this.#onToken?.(token);
        }
      } catch (error) {
        console.error('connauth: getToken failed', error);
      } finally {
        this.#fresh = null;
      }
    })();
    await this.#fresh;
  }

  /** Gets a first token from getToken, if there is none yet. */
  async ready() {
    if (!this.#token && this.#getToken) await this.#freshToken();
  }

  async call(method, path, body) {
    await this.ready();
    const sentWith = this.#token;
    const answer = await this.#send(method, path, body);
    if (answer.status === 401 && this.#getToken) {
      if (this.#token === sentWith) await this.#freshToken();
      if (this.#token !== sentWith) return this.#answered(await this.#send(method, path, body));
    }
    return this.#answered(answer);
  }

  #answered(answer) {
    if (answer.status === 401) this.#onUnauthorized?.(answer.error);
    return answer;
  }

  async #send(method, path, body) {
    const headers = { accept: 'application/json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    // No cookies: the bearer token alone authenticates (SPEC §8).
    const init = { method, headers, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      // A string is sent as it is (a connector's text keeps its layout).
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(`${this.#base}${path}`, init);
    } catch {
      return { ok: false, status: 0, error: NETWORK_ERROR };
    }
    let data = null;
    if (response.status !== 204) {
      try {
        data = await response.json();
      } catch {
        data = null;
      }
    }
    if (response.ok) return { ok: true, status: response.status, value: data };
    const error = {
      code: data?.error ?? `http_${response.status}`,
      message: data?.message ?? `The service answered HTTP ${response.status}.`,
    };
    if (Array.isArray(data?.details)) error.details = data.details;
    if (data?.lost) error.lost = data.lost;
    if (typeof data?.reason === 'string') error.reason = data.reason;
    if (typeof data?.action === 'string') error.action = data.action;
    return { ok: false, status: response.status, error };
  }

  // Apps (SPEC §5)
  listApps() { return this.call('GET', '/api/apps'); }
  getApp(id) { return this.call('GET', `/api/apps/${enc(id)}`); }
  createApp(app) { return this.call('POST', '/api/apps', app); }
  updateApp(id, patch) { return this.call('PATCH', `/api/apps/${enc(id)}`, patch); }
  deleteApp(id) { return this.call('DELETE', `/api/apps/${enc(id)}`); }
  /** action: 'reset' | 'enable' | 'disable' */
  appAction(id, action) { return this.call('POST', `/api/apps/${enc(id)}/${action}`); }

  // The caller's connection (SPEC §4)
  getConnection(id) { return this.call('GET', `/api/apps/${enc(id)}/connection`); }
  connect(id, fields) { return this.call('POST', `/api/apps/${enc(id)}/connect`, fields ? { fields } : {}); }
  /** The consent popup's result handed on: {state, callback, binding} (SPEC §8). */
  completeConnect(id, completion) { return this.call('POST', `/api/apps/${enc(id)}/connect/complete`, completion); }
  check(id) { return this.call('POST', `/api/apps/${enc(id)}/check`); }
  disconnect(id) { return this.call('DELETE', `/api/apps/${enc(id)}/connection`); }

  // Connectors (SPEC §2)
  listConnectors() { return this.call('GET', '/api/connectors'); }
  getConnector(name, version) {
    return this.call('GET', `/api/connectors/${enc(name)}${version ? `?version=${Number(version)}` : ''}`);
  }
  putConnector(name, definition) { return this.call('PUT', `/api/connectors/${enc(name)}`, definition); }
  rollback(name, version) { return this.call('POST', `/api/connectors/${enc(name)}/rollback`, { version }); }

  // Operations (SPEC §9, admin)
  /** Every connection of the org: {app?, status?, cursor?, limit?} → {items, next_cursor}. */
  listOrgConnections(query = {}) { return this.call('GET', `/api/connections${queryString(query)}`); }
  /** The audit log, newest first: {cursor?, limit?} → {items, next_cursor}. */
  listAudit(query = {}) { return this.call('GET', `/api/audit${queryString(query)}`); }
  listWebhooks() { return this.call('GET', '/api/webhooks'); }
  /** {url, events?} → the webhook with its secret (answered this once only). */
  createWebhook(webhook) { return this.call('POST', '/api/webhooks', webhook); }
  deleteWebhook(id) { return this.call('DELETE', `/api/webhooks/${enc(id)}`); }
  listDeliveries(id, query = {}) { return this.call('GET', `/api/webhooks/${enc(id)}/deliveries${queryString(query)}`); }
}

// `?k=v&…` from the entries that have a value ('' for none).
function queryString(query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const enc = (s) => encodeURIComponent(String(s));
