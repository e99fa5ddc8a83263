// The host side of the consent popup. The decisions are the engine's
// (wasm/core/consent_flow.h: consentStep(state, event) → {state, effects});
// this class only observes the browser (clicks, window.open, messages,
// BroadcastChannel, timers, popup.closed, API answers), reports each
// observation as an event and carries out the effects it gets back.
//
// The popup is opened synchronously inside the user's click (confirm() runs
// the open_popup effect before it returns), on about:blank: a same-origin
// page we can write a waiting message into, navigate once the edge has
// answered the authorization URL, and cut from its opener for `noopener`
// connectors. Results come from the edge's /oauth/callback page:
// postMessage({type: 'connauth:oauth', state, ok, error, callback}) to this
// page's origin, or BroadcastChannel('connauth:' + state) when it has no
// opener and this page is on the edge's origin. A result with the
// provider's answer (`callback`) is completed here, with this page's
// session and the binding POST connect answered it (SPEC §8), before the
// engine sees it: the popup proves nothing by itself.

const POPUP_WIDTH = 520;
const POPUP_HEIGHT = 700;
const WATCH_INTERVAL_MS = 400;

export class ConsentController extends EventTarget {
  #engine;
  #api;
  #app;
  #appName;
  #fields = {}; // sent with the connect: a `multi` connector's choice
  #state = null;
  #queue = [];
  #running = false;
  #popup = null;
  #watch = null;
  #timer = null;
  #channel = null;
  #onMessage = null;
  #binding = null;
  #completing = false;
  #completion = null; // the edge's answer to the latest completion

  /**
   * @param {{engine, api: import('./api.mjs').Api, app: string, appName?: string}} options
   */
  constructor({ engine, api, app, appName }) {
    super();
    this.#engine = engine;
    this.#api = api;
    this.#app = app;
    this.#appName = appName ?? 'the app';
  }

  /** The machine's state: {phase, step?, reason?, message?, action?, identity?...}. */
  get state() {
    return this.#state ?? { phase: 'idle' };
  }

  /**
   * What the edge's completion said about the account (SPEC §10): {identity,
   * scope, identity_problem?, account_changed?: {from, to}}, or null.
   */
  get completion() {
    return this.#completion;
  }

  get hasPopup() {
    return Boolean(this.#popup && !this.#popup.closed);
  }

  /**
   * The user clicked Connect / Reconnect (or clicked it again while the popup
   * is open). `fields`: values the connect sends (the option a `multi` form chose).
   */
  start({ prompt, noopener = false, fields = {}, timeoutMs } = {}) {
    this.#fields = fields;
    this.dispatch({ type: 'start', app: this.#app, prompt: prompt ?? '', origin: this.#api.origin, noopener,
      ...(timeoutMs ? { timeout_ms: timeoutMs } : {}) });
  }

  /** Must run inside the click handler: it opens the popup before returning. */
  confirm() { this.dispatch({ type: 'confirm' }); }
  cancel() { this.dispatch({ type: 'cancel' }); }
  linkOpened() { this.dispatch({ type: 'link_opened' }); }
  reset() { this.dispatch({ type: 'reset' }); }

  /** Reports one observation; effects run in order, events they cause are queued behind. */
  dispatch(event) {
    this.#queue.push(event);
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#queue.length) {
        const next = this.#queue.shift();
        const result = this.#engine.consentStep(this.#state, next);
        if (!result.ok) {
          console.error('connauth: consent step refused', next.type, result.errors);
          continue;
        }
        this.#state = result.value.state;
        for (const effect of result.value.effects) this.#run(effect);
        this.dispatchEvent(new CustomEvent('change', { detail: { event: next.type, channel: next.channel, state: this.#state, effects: result.value.effects } }));
      }
    } finally {
      this.#running = false;
    }
  }

  #run(effect) {
    switch (effect.type) {
      case 'show_prompt':
      case 'hide_prompt':
        break; // the element renders the prompt from state.phase
      case 'open_popup':
        this.#openPopup(effect.name);
        break;
      case 'request_authorization':
        this.#requestAuthorization(effect.attempt);
        break;
      case 'listen':
        this.#listen(effect.state);
        break;
      case 'stop_listening':
        this.#stopListening();
        break;
      case 'navigate_popup':
        this.#navigate(effect.url, effect.noopener);
        break;
      case 'watch_popup':
        this.#watchPopup(effect.attempt);
        break;
      case 'start_timer':
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.dispatch({ type: 'timeout', attempt: effect.attempt }), effect.ms);
        break;
      case 'stop_timer':
        clearTimeout(this.#timer);
        this.#timer = null;
        break;
      case 'focus_popup':
        try { this.#popup?.focus(); } catch { /* gone */ }
        break;
      case 'close_popup':
        this.#closePopup();
        break;
      case 'offer_link':
        break; // the element renders state.authorization_url as a link
      case 'load_connection':
        this.#loadConnection();
        break;
      case 'ignored':
        console.debug('connauth: consent event ignored:', effect.reason);
        break;
      default:
        console.warn('connauth: unknown consent effect', effect.type);
    }
  }

  #openPopup(name) {
    const left = Math.max(0, Math.round(window.screenX + (window.outerWidth - POPUP_WIDTH) / 2));
    const top = Math.max(0, Math.round(window.screenY + (window.outerHeight - POPUP_HEIGHT) / 3));
    let popup = null;
    try {
      popup = window.open('about:blank', name, `popup,width=${POPUP_WIDTH},height=${POPUP_HEIGHT},left=${left},top=${top}`);
    } catch {
      popup = null;
    }
    if (!popup) {
      this.dispatch({ type: 'popup_blocked', attempt: this.state.attempt });
      return;
    }
    this.#popup = popup;
    paintWaitingPage(popup, this.#appName);
    this.dispatch({ type: 'popup_opened', attempt: this.state.attempt });
  }

  async #requestAuthorization(attempt) {
    const answer = await this.#api.connect(this.#app, this.#fields);
    if (answer.ok && answer.value?.authorization_url) {
      this.#binding = { state: answer.value.state, value: answer.value.binding };
      this.dispatch({ type: 'authorization_ready', attempt, authorization_url: answer.value.authorization_url,
        state: answer.value.state, noopener: answer.value.noopener === true });
      return;
    }
    if (answer.ok || answer.error.code === 'invalid_fields') {
      // Not an OAuth app after all (a member cannot read the connector to
      // know beforehand): it connected at once, or it needs field values.
      this.reset();
      this.dispatchEvent(new CustomEvent('not-oauth', { detail: answer }));
      return;
    }
    this.dispatch({ type: 'authorization_failed', attempt, error: answer.error.code, message: answer.error.message });
  }

  #listen(state) {
    this.#stopListening();
    this.#onMessage = (event) => {
      // Only plain objects can be ours; the engine checks origin, type and state.
      if (!event.data || typeof event.data !== 'object') return;
      this.#received({ type: 'message', origin: event.origin, data: event.data, channel: 'window' });
    };
    window.addEventListener('message', this.#onMessage);
    if (typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(`connauth:${state}`);
      this.#channel.onmessage = (event) => {
        if (!event.data || typeof event.data !== 'object') return;
        // A BroadcastChannel only carries messages of this origin; the event's
        // origin says which (HTML §9.5), checked like a window message.
        this.#received({ type: 'message', origin: event.origin || globalThis.location.origin, data: event.data, channel: 'broadcast' });
      };
    }
  }

  // A message from the callback page: the provider's answer of this
  // attempt, from the edge's origin, is completed by the edge first; the
  // engine then gets its outcome as the result. Anything else goes to the
  // engine as it came (it ignores or reports it).
  async #received(event) {
    const { data } = event;
    const ours = event.origin === this.#api.origin && data.type === 'connauth:oauth' && data.ok === true &&
      typeof data.callback === 'string' && this.#binding && data.state === this.#binding.state;
    if (!ours) {
      // Success is only what the edge completed: a bare `ok` is not.
      this.dispatch(data.ok === true ? { ...event, data: { type: data.type, state: data.state, ok: false, error: 'state_mismatch' } } : event);
      return;
    }
    if (this.#completing) return; // the same answer by window and BroadcastChannel
    const binding = this.#binding;
    this.#binding = null;
    this.#completing = true;
    let answer;
    try {
      answer = await this.#api.completeConnect(this.#app, { state: binding.state, callback: data.callback, binding: binding.value });
    } finally {
      this.#completing = false;
    }
    this.#completion = answer.ok ? answer.value : null;
    const outcome = answer.ok
      ? { type: 'connauth:oauth', state: data.state, ok: true }
      : { type: 'connauth:oauth', state: data.state, ok: false, error: answer.error.reason ?? answer.error.code,
        message: [answer.error.message, answer.error.action].filter(Boolean).join(' ') };
    this.dispatch({ ...event, data: outcome });
  }

  #stopListening() {
    if (this.#onMessage) window.removeEventListener('message', this.#onMessage);
    this.#onMessage = null;
    this.#channel?.close();
    this.#channel = null;
  }

  #navigate(url, noopener) {
    const popup = this.#popup;
    if (!popup || popup.closed) return; // popup_closed follows from the watch
    if (noopener) {
      // SPEC §2.2 `noopener`: the provider's page gets no window.opener; the
      // callback page then answers by BroadcastChannel.
      try { popup.opener = null; } catch { /* already cross-origin */ }
    }
    try {
      popup.location.replace(url);
    } catch {
      popup.location.href = url;
    }
  }

  #watchPopup(attempt) {
    clearInterval(this.#watch);
    this.#watch = setInterval(() => {
      // The callback page closes itself once it handed on its answer: not the user closing it.
      if (this.#completing) return;
      if (!this.#popup || this.#popup.closed) {
        clearInterval(this.#watch);
        this.#watch = null;
        this.dispatch({ type: 'popup_closed', attempt });
      }
    }, WATCH_INTERVAL_MS);
  }

  #closePopup() {
    clearInterval(this.#watch);
    this.#watch = null;
    try { this.#popup?.close(); } catch { /* gone */ }
    this.#popup = null;
  }

  async #loadConnection() {
    const answer = await this.#api.getConnection(this.#app);
    this.dispatch(answer.ok
      ? { type: 'connection_loaded', connection: answer.value }
      : { type: 'connection_failed', error: answer.error.code, message: answer.error.message });
  }
}

// The popup's first page, written into its about:blank document (same origin,
// so no extra request; CSSOM styles are allowed under the console's CSP).
function paintWaitingPage(popup, appName) {
  try {
    const doc = popup.document;
    doc.title = `Connecting ${appName}`;
    const box = doc.createElement('main');
    box.style.cssText = 'font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2024;'
      + 'max-width:22rem;margin:30vh auto 0;text-align:center;padding:0 1.5rem';
    const title = doc.createElement('h1');
    title.style.cssText = 'font-size:1.1rem;font-weight:600;margin:0 0 .5rem';
    title.textContent = `Opening the sign-in page for ${appName}…`;
    const note = doc.createElement('p');
    note.style.cssText = 'color:#5f6b7a;margin:0';
    note.textContent = 'This window closes by itself when you are done.';
    box.append(title, note);
    doc.body.style.cssText = 'margin:0;background:#f6f7f9';
    doc.body.replaceChildren(box);
  } catch {
    // A browser that gave us a cross-origin or restricted window: it still navigates.
  }
}
