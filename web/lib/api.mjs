// The edge API of SPEC §7 as seen from the browser. Every call answers a
// Result, never throws: {ok: true, status, value} | {ok: false, status,
// error: {code, message, details?, lost?}}. The session token goes in the
// Authorization header and nowhere else (no cookie, no URL).

const NETWORK_ERROR = { code: 'network_error', message: 'The connauth service could not be reached. Check your network and try again.' };

export class Api {
  #base;
  #token;
  #onUnauthorized;

  /**
   * @param {{baseUrl?: string, token: string, onUnauthorized?: (error) => void}} options
   *   baseUrl: the edge origin (default: this page's origin).
   */
  constructor({ baseUrl, token, onUnauthorized } = {}) {
    this.#base = new URL(baseUrl ?? globalThis.location.origin).origin;
    this.#token = token;
    this.#onUnauthorized = onUnauthorized;
  }

  /** The edge's exact origin: where consent results must come from. */
  get origin() {
    return this.#base;
  }

  async call(method, path, body) {
    const headers = { accept: 'application/json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store', referrerPolicy: 'no-referrer' };
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
    if (response.status === 401) this.#onUnauthorized?.(error);
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
  check(id) { return this.call('POST', `/api/apps/${enc(id)}/check`); }
  disconnect(id) { return this.call('DELETE', `/api/apps/${enc(id)}/connection`); }

  // Connectors (SPEC §2)
  listConnectors() { return this.call('GET', '/api/connectors'); }
  getConnector(name, version) {
    return this.call('GET', `/api/connectors/${enc(name)}${version ? `?version=${Number(version)}` : ''}`);
  }
  putConnector(name, definition) { return this.call('PUT', `/api/connectors/${enc(name)}`, definition); }
  rollback(name, version) { return this.call('POST', `/api/connectors/${enc(name)}/rollback`, { version }); }
}

const enc = (s) => encodeURIComponent(String(s));
