// <connauth-connect app="APP_ID" [timeout="600000"]>: one user's connection
// to one app (SPEC §4): its health (status, identity, expiry, the cause,
// message and recommended action when degraded or lost, history) and the
// actions Connect / Check connection / Reconnect / Disconnect. OAuth apps
// connect through the consent popup (lib/consent.mjs, driven by the engine's
// state machine); other types through a form of the connector's fields.
//
// Events (bubbling, composed): `connauth-connection` {app, status} when the
// connection changes; `connauth-consent` {app, event, channel, phase, step,
// reason, effects} on every step of the popup flow (for the host's logs).
import { h, icon, spinner } from '../lib/dom.mjs';
import { ConnauthElement, define } from '../lib/element.mjs';
import { isAdmin } from '../lib/config.mjs';
import { getEngine, engineNow } from '../lib/engine.mjs';
import { ConsentController } from '../lib/consent.mjs';
import { authInfo, chosen } from '../lib/auth-info.mjs';
import { statusLabel, statusTone, causeLabel, fromNow, when, short, iso } from '../lib/format.mjs';

const FAILURE_TITLE = {
  popup_blocked: 'Pop-up blocked',
  closed_by_user: 'Sign-in window closed',
  access_denied: 'Access denied',
  timed_out: 'Sign-in timed out',
  state_mismatch: 'Security check failed',
  server_error: 'Could not connect',
};

const STYLES = `
.connect { overflow: hidden; container-type: inline-size; }
.head { display: grid; grid-template-columns: 40px minmax(0, 1fr) auto; gap: 4px 12px; align-items: start; }
@container (max-width: 360px) {
  .head { grid-template-columns: 40px minmax(0, 1fr); }
  .head .badge { grid-column: 2; justify-self: start; }
}
.avatar { width: 40px; height: 40px; border-radius: 10px; display: grid; place-items: center; font-weight: 700; font-size: 1.05rem;
  color: #fff; flex: none; background: var(--avatar, var(--ca-primary)); }
.avatar[data-tone="0"] { background: #4338ca; } .avatar[data-tone="1"] { background: #0f766e; }
.avatar[data-tone="2"] { background: #b45309; } .avatar[data-tone="3"] { background: #be185d; }
.avatar[data-tone="4"] { background: #1d4ed8; } .avatar[data-tone="5"] { background: #6d28d9; }
.title-block { min-width: 0; }
.title-block h3 { overflow-wrap: anywhere; }
.progress { display: flex; gap: 12px; align-items: center; padding: 12px 14px; border-radius: var(--ca-radius-sm);
  background: var(--ca-primary-soft); color: var(--ca-primary); }
.progress .text { color: var(--ca-text); }
.prompt { border: 1px solid #c9cffb; background: var(--ca-primary-soft); border-radius: var(--ca-radius-sm); padding: 14px 16px; }
.prompt-text { white-space: pre-line; }
.history { border-top: 1px solid var(--ca-border); padding-top: 10px; }
.history ol { list-style: none; margin: 10px 0 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.history li { display: grid; grid-template-columns: 7.5rem 1fr; gap: 2px 12px; font-size: .86rem; }
.history time { color: var(--ca-muted); white-space: nowrap; }
.history .change { font-weight: 550; }
.history .detail { grid-column: 2; color: var(--ca-muted); overflow-wrap: anywhere; }
@media (max-width: 480px) {
  .history li { grid-template-columns: 1fr; }
  .history .detail { grid-column: 1; }
  .actions .btn { flex: 1 1 auto; }
}
`;

export class ConnauthConnect extends ConnauthElement {
  static styles = STYLES;
  static observedAttributes = ['app'];

  #app = null; // the app view (SPEC §5, without secrets)
  #connection = null;
  #auth = null;
  #loading = false;
  #loadError = null;
  #busy = null; // 'checking' | 'disconnecting' | 'submitting'
  #notice = null; // {tone, title, text}
  #form = null; // {values, errors, option} while the fields form is open
  #consent = null;
  #consentStart = { fields: {}, noopener: false }; // what the popup flow in progress was started with
  #generation = 0;

  /** The app object, when the page already has it (saves a request). */
  set appData(app) {
    this.#app = app;
    if (app?.id && this.getAttribute('app') !== app.id) this.setAttribute('app', app.id);
  }

  get appData() { return this.#app; }

  /** The connection as last read ({status, identity, expires_at, lost, history}). */
  get connection() { return this.#connection; }

  attributeChangedCallback(name, old, value) {
    if (name === 'app' && old !== value && this.isConnected) {
      if (this.#app?.id !== value) this.#app = null;
      this.configChanged();
    }
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.#consent?.reset();
  }

  configChanged() {
    this.#consent?.reset();
    this.#consent = null;
    this.load();
  }

  get #appId() { return this.getAttribute('app') ?? this.#app?.id; }

  async load() {
    const api = this.api;
    const id = this.#appId;
    const generation = ++this.#generation;
    if (!api || !id) {
      this.render();
      return;
    }
    this.#loading = true;
    this.#loadError = null;
    this.render();
    // The engine must be ready before the Connect button is: the consent
    // click opens the popup synchronously and cannot wait for it.
    // The app view from a list has no `auth` (the engine's connect form,
    // GET /api/apps/{id}): the card asks for its own app then.
    const given = this.#app;
    const [fetched, connection] = await Promise.all([given?.auth ? { ok: true, value: given } : api.getApp(id), api.getConnection(id),
      getEngine().catch((error) => console.error('connauth: the engine did not load', error))]);
    if (generation !== this.#generation) return;
    const app = fetched.ok || !given ? fetched : { ok: true, value: given };
    if (!app.ok) {
      this.#loading = false;
      this.#loadError = app.error;
      this.render();
      return;
    }
    this.#app = app.value;
    this.#connection = connection.ok ? connection.value : null;
    if (!connection.ok) this.#loadError = connection.error;
    this.#auth = await authInfo(api, this.#app, { admin: isAdmin(), engine: engineNow() });
    if (generation !== this.#generation) return;
    this.#loading = false;
    this.render();
  }

  async #reloadConnection() {
    const answer = await this.api.getConnection(this.#appId);
    if (answer.ok) this.#setConnection(answer.value);
    return answer;
  }

  #setConnection(connection) {
    const before = this.#connection?.status;
    this.#connection = connection;
    if (before !== connection.status) this.emit('connauth-connection', { app: this.#appId, status: connection.status });
  }

  // ---- the consent popup ------------------------------------------------------

  #controller() {
    if (this.#consent) return this.#consent;
    const engine = engineNow();
    if (!engine) return null;
    const consent = new ConsentController({ engine, api: this.api, app: this.#appId, appName: this.#app?.name });
    consent.addEventListener('change', (event) => this.#onConsent(event.detail));
    consent.addEventListener('not-oauth', (event) => this.#onNotOauth(event.detail));
    this.#consent = consent;
    return consent;
  }

  #onConsent({ event, channel, state, effects }) {
    this.emit('connauth-consent', { app: this.#appId, event, channel, phase: state.phase, step: state.step, reason: state.reason, effects });
    const name = this.#app?.name ?? 'the app';
    switch (state.phase) {
      case 'prompting':
        this.#notice = null;
        this.render();
        this.#focus('continue');
        return;
      case 'awaiting_consent':
        this.render();
        if (state.step === 'consenting') this.announce(`Waiting for you to finish signing in to ${name} in the sign-in window.`);
        return;
      case 'exchanging':
        this.render();
        this.announce(`Finishing the connection to ${name}…`);
        return;
      case 'connected':
        this.#finishConnected();
        return;
      case 'failed':
        this.render();
        if (effects.some((e) => e.type === 'ignored')) return; // nothing new to say
        this.announce(`${FAILURE_TITLE[state.reason] ?? 'Could not connect'}. ${state.message} ${state.action}`);
        this.#focus(state.reason === 'popup_blocked' && state.authorization_url ? 'continue-link' : 'retry');
        return;
      default:
        this.render();
    }
  }

  async #finishConnected() {
    await this.#reloadConnection();
    this.#notice = connectedNotice(this.#app?.name, { identity: this.#connection?.identity, ...this.#consent?.completion });
    this.#consent?.reset();
    this.render();
    this.announce(this.#notice.text);
    this.#focus('check');
  }

  #onNotOauth(answer) {
    if (answer.ok) {
      this.#setConnection(answer.value);
      this.#notice = connectedNotice(this.#app?.name, answer.value);
      this.render();
      return;
    }
    // The edge needs field values: learn the field names from its answer.
    const names = (answer.error.details ?? []).map((d) => /^\/fields\/(.+)$/.exec(d.path)?.[1]).filter(Boolean);
    this.#auth = { type: 'fields', option: null, choiceField: null, options: [], noopener: false, known: true,
      fields: names.map((name) => ({ name, label: name, optional: false, secret: /secret|password|key|token/i.test(name) })) };
    this.#openForm();
  }

  #startConnect() {
    this.#notice = null;
    if (this.#inFlight()) {
      // "Show sign-in window": the flow in progress, with the option it chose.
      this.#startConsent(this.#consentStart.fields, this.#consentStart.noopener);
      return;
    }
    const choice = this.#auth ? chosen(this.#auth, this.#auth.option) : { type: 'oauth2', noopener: false };
    if (this.#auth?.known && choice.type !== 'oauth2') {
      this.#openForm();
      return;
    }
    this.#startConsent({}, choice.noopener);
  }

  // The popup flow; `fields` go with the connect (a `multi` choice).
  #startConsent(fields, noopener) {
    this.#consentStart = { fields, noopener };
    const consent = this.#controller();
    if (!consent) {
      this.#notice = { tone: 'bad', title: 'Not ready', text: 'The connauth engine is still loading. Try again in a moment.' };
      this.render();
      return;
    }
    const timeout = Number(this.getAttribute('timeout'));
    consent.start({ prompt: this.#app?.prompt ?? '', noopener: noopener === true, fields, timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined });
  }

  // ---- the fields form (api_key, basic_auth, custom_auth) ------------------------

  #openForm() {
    this.#form = { values: {}, errors: {}, general: null, option: this.#auth?.option ?? this.#auth?.options?.[0]?.key ?? null };
    this.render();
    const first = this.viewRoot.querySelector('form input, form select');
    (first ?? this.viewRoot.querySelector('[data-key="form-submit"]'))?.focus();
  }

  async #submitForm(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const values = {};
    for (const input of form.querySelectorAll('[name]')) {
      if (input.value !== '') values[input.name] = input.value;
    }
    // The option is chosen through the field the connector's selector reads.
    if (this.#auth.choiceField && this.#form.option) values[this.#auth.choiceField] = this.#form.option;
    this.#form.values = values;
    this.#busy = 'submitting';
    this.render();
    const answer = await this.api.connect(this.#appId, values);
    this.#busy = null;
    if (answer.ok) {
      this.#form = null;
      this.#setConnection(answer.value);
      this.#notice = answer.value.status === 'connected' ? connectedNotice(this.#app.name, answer.value) : null;
      this.render();
      this.announce(this.#notice?.text ?? `Connection status: ${statusLabel(answer.value.status)}`);
      this.#focus('check');
      return;
    }
    const errors = {};
    let general = null;
    for (const d of answer.error.details ?? []) {
      const name = /^\/fields\/(.+)$/.exec(d.path)?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
      if (name) errors[name] = d.message;
    }
    if (!Object.keys(errors).length) general = answer.error.message;
    this.#form.errors = errors;
    this.#form.general = general;
    this.render();
    const firstBad = this.viewRoot.querySelector('[aria-invalid="true"]');
    if (firstBad) firstBad.focus();
    this.announce(general ?? `${Object.keys(errors).length} field${Object.keys(errors).length === 1 ? '' : 's'} need attention.`);
  }

  // ---- check and disconnect -------------------------------------------------------

  async #check() {
    this.#busy = 'checking';
    this.#notice = null;
    this.render();
    this.announce('Checking the connection…');
    const answer = await this.api.check(this.#appId);
    this.#busy = null;
    if (answer.ok) {
      this.#setConnection(answer.value);
      const status = answer.value.status;
      this.#notice = status === 'connected'
        ? { tone: 'ok', title: 'Connection works', text: `${this.#app.name} answered the connection test.` }
        : null;
      this.announce(this.#notice?.text ?? `${statusLabel(status)}. ${answer.value.lost?.message ?? ''}`);
    } else {
      if (answer.error.lost) this.#connection = { ...this.#connection, lost: answer.error.lost };
      this.#notice = { tone: 'bad', title: 'Check failed', text: answer.error.message };
      this.announce(`Check failed: ${answer.error.message}`);
      await this.#reloadConnection();
    }
    this.render();
    this.#focus('check');
  }

  async #disconnect() {
    const name = this.#app.name;
    const ok = await this.confirmDialog({
      title: `Disconnect ${name}?`,
      body: [h('p', {}, `Your stored credentials for ${name} are deleted. Automations that use this connection stop working until you connect again.`),
        h('p', { class: 'muted small' }, 'The connection history is kept.')],
      confirm: 'Disconnect',
      danger: true,
    });
    if (!ok) return;
    this.#busy = 'disconnecting';
    this.render();
    const answer = await this.api.disconnect(this.#appId);
    this.#busy = null;
    if (answer.ok) {
      this.#setConnection(answer.value);
      this.#notice = { tone: 'info', title: 'Disconnected', text: `Your credentials for ${name} were deleted.` };
      this.announce(this.#notice.text);
    } else {
      this.#notice = { tone: 'bad', title: 'Could not disconnect', text: answer.error.message };
    }
    this.render();
    this.#focus('connect');
  }

  #focus(key) {
    queueMicrotask(() => this.viewRoot.querySelector(`[data-key="${key}"]`)?.focus());
  }

  // ---- rendering ----------------------------------------------------------------------

  view() {
    if (!this.api) {
      return h('div', { class: 'card card-body muted' }, 'Not signed in: the host console must call configure({token}).');
    }
    if (!this.#app && this.#loading) {
      return h('div', { class: 'card card-body row', 'aria-busy': 'true' }, spinner(), h('span', {}, 'Loading connection…'));
    }
    if (!this.#app) {
      return h('div', { class: 'card card-body' }, h('div', { class: 'callout tone-bad' }, icon('x-circle'),
        h('div', { class: 'callout-text' }, h('h4', {}, 'This app is not available'), h('p', {}, this.#loadError?.message ?? 'Unknown app.'))));
    }
    const app = this.#app;
    const status = this.#connection?.status ?? 'not_connected';
    const titleId = `app-title`;
    return h('article', { class: 'card connect', 'aria-labelledby': titleId, 'aria-busy': this.#busy || this.#loading || this.#inFlight() ? 'true' : 'false' },
      h('div', { class: 'card-body stack' },
        h('header', { class: 'head' },
          h('div', { class: 'avatar', 'aria-hidden': 'true', dataset: { tone: avatarTone(app.name) } }, initials(app.name)),
          h('div', { class: 'title-block' },
            h('h3', { id: titleId }, app.name),
            app.description ? h('p', { class: 'muted small' }, app.description) : null),
          h('span', { class: ['badge', `tone-${statusTone(status)}`], 'data-testid': 'status' }, statusLabel(status))),
        this.#statusSection(status),
        this.#consentSection(),
        this.#formSection(),
        this.#noticeSection(),
        this.#actions(status),
        this.#historySection()));
  }

  #inFlight() {
    const phase = this.#consent?.state.phase;
    return phase === 'awaiting_consent' || phase === 'exchanging';
  }

  #statusSection(status) {
    const c = this.#connection ?? {};
    const facts = [];
    if (c.identity) facts.push(['Account', c.identity]);
    if (c.scope && status !== 'not_connected') facts.push(['Access granted', h('span', { 'data-testid': 'scope' }, c.scope)]);
    if (status === 'connected' || status === 'degraded' || (status === 'disabled' && c.expires_at)) {
      facts.push(['Access expires', c.expires_at
        ? h('time', { datetime: iso(c.expires_at), title: when(c.expires_at) }, fromNow(c.expires_at))
        : h('span', { class: 'muted' }, 'No expiry reported (renewed when the provider asks)')]);
    }
    if (c.last_success_at) facts.push(['Last worked', h('time', { datetime: iso(c.last_success_at), title: when(c.last_success_at) }, fromNow(c.last_success_at))]);
    const factList = facts.length ? h('dl', { class: 'facts small' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])) : null;

    if (status === 'disabled') {
      return [h('div', { class: 'callout tone-off' }, icon('power'), h('div', { class: 'callout-text' },
        h('h4', {}, 'Disabled by an admin'),
        h('p', {}, 'Your stored credentials are kept but cannot be used, and no new connection can be made until the app is enabled again.'))), factList];
    }
    if ((status === 'lost' || status === 'degraded') && c.lost) {
      const tone = status === 'lost' ? 'bad' : 'warn';
      return [h('div', { class: ['callout', `tone-${tone}`], 'data-testid': 'diagnosis' }, icon(status === 'lost' ? 'x-circle' : 'alert'),
        h('div', { class: 'callout-text stack-sm' },
          h('h4', {}, `${status === 'lost' ? 'Connection lost' : 'Connection degraded'}: ${causeLabel(c.lost.cause)}`),
          h('p', { 'data-testid': 'cause', class: 'sr-only' }, c.lost.cause),
          h('p', {}, c.lost.message),
          h('p', {}, h('strong', {}, 'What to do: '), c.lost.action))), factList];
    }
    if (status === 'not_connected' && !this.#form && !this.#inFlight() && this.#consent?.state.phase !== 'prompting') {
      return h('p', { class: 'muted' }, `Not connected yet. Connect your ${this.#app.name} account so automations can use it on your behalf.`);
    }
    return factList;
  }

  #consentSection() {
    const consent = this.#consent;
    if (!consent) return null;
    const s = consent.state;
    const name = this.#app.name;
    switch (s.phase) {
      case 'prompting':
        return h('section', { class: 'prompt stack', 'aria-label': `Before you connect ${name}` },
          h('div', { class: 'row' }, icon('shield'), h('h4', {}, `Connect ${name}`)),
          h('p', { class: 'prompt-text', 'data-testid': 'prompt' }, s.prompt || this.#app.prompt),
          h('p', { class: 'muted small' }, `A sign-in window from ${name} opens next. Finish there; it closes by itself.`),
          h('div', { class: 'row' },
            h('button', { class: 'btn btn-primary', type: 'button', 'data-key': 'continue', onclick: () => consent.confirm() }, icon('external'), 'Continue'),
            h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => { consent.cancel(); this.#focus('connect'); } }, 'Cancel')));
      case 'awaiting_consent': {
        const opening = s.step !== 'consenting';
        return h('div', { class: 'progress', role: 'status', 'data-testid': 'progress' }, spinner(),
          h('div', { class: 'text grow stack-sm' },
            h('strong', {}, opening ? 'Opening the sign-in window…' : 'Waiting for you to finish signing in…'),
            h('span', { class: 'small muted' }, s.popup === false && !opening
              ? 'Finish in the window that opened from the link.'
              : `Complete the sign-in in the ${name} window. Can't find it? Use "Show sign-in window".`)),
          h('button', { class: 'btn btn-sm btn-ghost', type: 'button', 'data-key': 'cancel-wait', onclick: () => { consent.cancel(); this.#focus('connect'); } }, 'Cancel'));
      }
      case 'exchanging':
        return h('div', { class: 'progress', role: 'status', 'data-testid': 'progress' }, spinner(), h('strong', { class: 'text' }, 'Finishing the connection…'));
      case 'failed': {
        const tone = s.reason === 'popup_blocked' || s.reason === 'closed_by_user' ? 'warn' : 'bad';
        const link = s.reason === 'popup_blocked' && s.authorization_url
          ? h('a', { class: 'btn btn-primary', href: s.authorization_url, target: `connauth-${this.#appId}`, rel: s.noopener ? 'noopener noreferrer' : 'opener',
            'data-key': 'continue-link', onclick: () => setTimeout(() => consent.linkOpened(), 0) }, icon('external'), 'Continue to sign-in')
          : null;
        return h('div', { class: ['callout', `tone-${tone}`], 'data-testid': 'consent-failure', 'data-reason': s.reason },
          icon(tone === 'bad' ? 'x-circle' : 'alert'),
          h('div', { class: 'callout-text stack-sm grow' },
            h('h4', {}, FAILURE_TITLE[s.reason] ?? 'Could not connect'),
            h('p', {}, s.message),
            h('p', { class: 'small' }, s.action),
            h('div', { class: 'row' }, link,
              h('button', { class: ['btn', link ? '' : 'btn-primary'], type: 'button', 'data-key': 'retry', onclick: () => consent.confirm() }, icon('refresh'), 'Try again'),
              h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => { consent.cancel(); this.#focus('connect'); } }, 'Dismiss'))));
      }
      default:
        return null;
    }
  }

  #formSection() {
    if (!this.#form) return null;
    const app = this.#app;
    const info = this.#auth;
    const choice = chosen(info, this.#form.option);
    const fields = choice.fields;
    const submitting = this.#busy === 'submitting';
    const pickerId = `f-${info.choiceField}`;
    const optionPicker = info.choiceField && info.options.length
      ? h('div', { class: 'field' }, h('label', { for: pickerId }, 'Sign-in method'),
        h('select', { id: pickerId, 'data-key': pickerId, onchange: (e) => { this.#form.option = e.target.value; this.render(); } },
          info.options.map((o) => h('option', { value: o.key, selected: o.key === this.#form.option }, `${o.label} (${o.type.replace('_', ' ')})`))))
      : null;
    if (choice.type === 'oauth2') {
      return h('section', { class: 'prompt stack', 'aria-label': `Connect ${app.name}` }, optionPicker,
        h('div', { class: 'row' },
          h('button', { class: 'btn btn-primary', type: 'button', 'data-key': 'continue', onclick: () => this.#startOauthFromForm() }, 'Continue with sign-in'),
          h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => { this.#form = null; this.render(); this.#focus('connect'); } }, 'Cancel')));
    }
    return h('form', { class: 'prompt stack', 'aria-label': `Connect ${app.name}`, novalidate: true, onsubmit: (e) => this.#submitForm(e) },
      h('div', { class: 'row' }, icon('key'), h('h4', {}, `Connect ${app.name}`)),
      h('p', { class: 'prompt-text' }, app.prompt),
      this.#form.general ? h('div', { class: 'field-error', role: 'alert' }, icon('alert', 14), this.#form.general) : null,
      optionPicker,
      fields.length ? h('div', { class: 'form-grid' }, fields.map((f) => {
        const id = `f-${f.name}`;
        const error = this.#form.errors[f.name];
        return h('div', { class: 'field' },
          h('label', { for: id }, f.label || f.name, f.optional ? h('span', { class: 'muted' }, ' (optional)') : null),
          h('input', { id, name: f.name, 'data-key': id, type: f.secret ? 'password' : 'text', autocomplete: f.secret ? 'new-password' : 'off',
            value: f.secret ? '' : (this.#form.values[f.name] ?? (typeof f.default === 'string' ? f.default : '')),
            required: !f.optional, 'aria-invalid': error ? 'true' : false,
            'aria-describedby': [error ? `${id}-err` : '', f.hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || false }),
          f.hint ? h('span', { class: 'hint', id: `${id}-hint` }, f.hint) : null,
          error ? h('span', { class: 'field-error', id: `${id}-err` }, icon('alert', 14), error) : null);
      })) : h('p', { class: 'muted small' }, 'Nothing to enter: the app provides everything.'),
      h('div', { class: 'row' },
        h('button', { class: 'btn btn-primary', type: 'submit', 'data-key': 'form-submit', disabled: submitting }, submitting ? [spinner(), 'Connecting…'] : 'Connect'),
        h('button', { class: 'btn btn-ghost', type: 'button', disabled: submitting, onclick: () => { this.#form = null; this.render(); this.#focus('connect'); } }, 'Cancel')));
  }

  #startOauthFromForm() {
    const fields = this.#auth.choiceField ? { [this.#auth.choiceField]: this.#form?.option } : {};
    const { noopener } = chosen(this.#auth, this.#form?.option);
    this.#form = null;
    this.#notice = null;
    this.#startConsent(fields, noopener);
  }

  #noticeSection() {
    if (this.#busy === 'checking') {
      return h('div', { class: 'progress', role: 'status', 'data-testid': 'progress' }, spinner(), h('strong', { class: 'text' }, 'Checking the connection…'));
    }
    if (this.#busy === 'disconnecting') {
      return h('div', { class: 'progress', role: 'status', 'data-testid': 'progress' }, spinner(), h('strong', { class: 'text' }, 'Disconnecting…'));
    }
    if (!this.#notice) return null;
    const n = this.#notice;
    return h('div', { class: ['callout', `tone-${n.tone}`], 'data-testid': 'notice' },
      icon(n.tone === 'ok' ? 'check-circle' : n.tone === 'bad' ? 'x-circle' : n.tone === 'warn' ? 'alert' : 'info'),
      h('div', { class: 'callout-text grow' }, h('h4', {}, n.title), h('p', {}, n.text)),
      h('button', { class: 'btn btn-sm btn-ghost', type: 'button', 'aria-label': 'Dismiss message', onclick: () => { this.#notice = null; this.render(); } }, icon('x')));
  }

  #actions(status) {
    if (this.#form) return null;
    const phase = this.#consent?.state.phase ?? 'idle';
    // The prompt and the failure panel carry their own buttons.
    if (phase === 'prompting' || phase === 'failed' || phase === 'exchanging') return null;
    const busy = Boolean(this.#busy) || phase === 'exchanging';
    const waiting = phase === 'awaiting_consent';
    const engineReady = Boolean(engineNow()) || (this.#auth?.known && chosen(this.#auth, this.#auth.option).type !== 'oauth2');
    const connectLabel = waiting ? 'Show sign-in window' : status === 'not_connected' ? 'Connect' : 'Reconnect';
    const connect = h('button', {
      class: ['btn', status === 'not_connected' || status === 'lost' || waiting ? 'btn-primary' : ''], type: 'button', 'data-key': 'connect',
      disabled: busy || phase === 'prompting' || phase === 'failed' || !this.#auth || (!engineReady && !waiting),
      onclick: () => this.#startConnect(),
    }, icon(waiting ? 'external' : status === 'not_connected' ? 'plug' : 'refresh'), connectLabel);
    if (status === 'disabled') {
      return this.#connection?.identity || this.#connection?.last_success_at
        ? h('div', { class: 'row actions' }, this.#disconnectButton(busy || waiting))
        : null;
    }
    if (status === 'not_connected' || waiting) return h('div', { class: 'row actions' }, connect);
    const check = h('button', { class: 'btn', type: 'button', 'data-key': 'check', disabled: busy || waiting || phase === 'prompting', onclick: () => this.#check() },
      this.#busy === 'checking' ? spinner() : icon('check'), 'Check connection');
    return h('div', { class: 'row actions' }, status === 'lost' ? [connect, check] : [check, connect], this.#disconnectButton(busy || waiting));
  }

  #disconnectButton(disabled) {
    return h('button', { class: 'btn btn-ghost', type: 'button', 'data-key': 'disconnect', disabled, onclick: () => this.#disconnect() }, icon('power'), 'Disconnect');
  }

  #historySection() {
    const history = this.#connection?.history ?? [];
    if (!history.length) return null;
    const entries = [...history].reverse();
    return h('details', { class: 'history' },
      h('summary', { 'data-key': 'history' }, icon('history'), `History (${history.length})`),
      h('ol', {}, entries.map((e) => h('li', {},
        h('time', { datetime: iso(e.at), title: when(e.at) }, short(e.at)),
        h('span', { class: 'change' }, `${statusLabel(e.from)} → ${statusLabel(e.to)}`, e.cause ? h('span', { class: 'muted' }, ` · ${causeLabel(e.cause)}`) : null),
        e.detail ? h('span', { class: 'detail' }, e.detail) : null))));
  }
}

/**
 * What a successful connect tells the user (SPEC §10): the account, and
 * plainly when it is another than before (`account_changed`, the engine's
 * comparison) or could not be identified (`identity_problem`).
 */
function connectedNotice(appName, { identity, account_changed: changed, identity_problem: problem } = {}) {
  if (changed) {
    return { tone: 'warn', title: 'Connected to another account',
      text: `Connected as ${changed.to} — before, this connection was ${changed.from}. Automations using it now act as ${changed.to}.` };
  }
  const text = identity ? `Connected as ${identity}.` : `Connected to ${appName ?? 'the app'}.`;
  if (problem) return { tone: 'ok', title: 'Connected', text: `${text} The account could not be identified: ${problem}` };
  return { tone: 'ok', title: 'Connected', text };
}

function initials(name) {
  const words = String(name ?? '?').trim().split(/\s+/).filter(Boolean);
  return ((words[0]?.[0] ?? '?') + (words[1]?.[0] ?? '')).toUpperCase();
}

const AVATAR_TONES = 6;
function avatarTone(name) {
  let hash = 0;
  for (const c of String(name)) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return String(hash % AVATAR_TONES);
}

define('connauth-connect', ConnauthConnect);
