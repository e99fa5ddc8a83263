// <connauth-apply-preview>: enter a verb and a URL and see exactly which
// headers, query parameters and payload members the edge would add to the
// request (SPEC §2.4). It runs engine.apply — the same WebAssembly the edge
// runs — with an app's settings and placeholder credentials: the page never
// has a real token or secret, and the preview never needs one.
//
// Properties: `definition` (connector JSON text or object), `apps` (apps that
// may supply settings). Attribute `compact` hides the sample values.
import { h, icon } from '../lib/dom.mjs';
import { ConnauthElement, define } from '../lib/element.mjs';
import { getEngine, engineNow } from '../lib/engine.mjs';

const STYLES = `
.preview-grid { display: grid; grid-template-columns: 8rem minmax(0, 1fr); gap: 12px; }
@media (max-width: 560px) { .preview-grid { grid-template-columns: 1fr; } }
.request-line { font-family: var(--ca-mono); font-size: .86rem; padding: 10px 12px; background: #111827; color: #e5e7eb; border-radius: var(--ca-radius-sm); overflow-wrap: anywhere; }
.request-line .verb { color: #a5b4fc; font-weight: 700; margin-right: .6em; }
.request-line mark { background: #374151; color: #fde68a; border-radius: 3px; padding: 0 2px; }
.added td:first-child { white-space: nowrap; }
.kind { font-size: .75rem; font-weight: 650; text-transform: uppercase; letter-spacing: .04em; color: var(--ca-muted); }
.value { font-family: var(--ca-mono); font-size: .84rem; overflow-wrap: anywhere; }
td.name { font-family: var(--ca-mono); font-size: .84rem; overflow-wrap: normal; white-space: nowrap; }
.note { font-size: .8rem; }
.samples { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 10px 14px; margin-top: 10px; }
.body-input { font-family: var(--ca-mono); font-size: .85rem; }
`;

const PAYLOAD_VERBS = new Set(['POST', 'PUT', 'PATCH']);

export class ConnauthApplyPreview extends ConnauthElement {
  static styles = STYLES;
  #definition = null;
  #apps = [];
  #built = false;
  #els = {};
  #samples = {}; // field name -> sample value the admin typed
  #timer = null;

  set definition(value) {
    // null: the definition being edited is invalid (its problems show in the editor).
    this.#definition = value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);
    if (this.#built) {
      this.#renderSamples();
      this.#schedule();
    }
  }

  set apps(list) {
    this.#apps = Array.isArray(list) ? list : [];
    if (this.#built) this.#renderAppChoices();
  }

  configChanged() {
    if (!this.#built) {
      this.render();
      this.#built = true;
      getEngine().then(() => this.#update(), () => this.#showProblems([{ path: '', message: 'The engine could not be loaded.' }]));
    }
  }

  view() {
    const e = this.#els;
    e.app = h('select', { id: 'pv-app', 'data-key': 'pv-app', onchange: () => { this.#renderSamples(); this.#schedule(); } });
    e.method = h('select', { id: 'pv-method', 'data-key': 'pv-method', onchange: () => this.#schedule() },
      ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => h('option', { value: m }, m)));
    e.url = h('input', { id: 'pv-url', 'data-key': 'pv-url', type: 'text', value: 'me', spellcheck: 'false', autocomplete: 'off', oninput: () => this.#schedule() });
    e.headers = h('textarea', { id: 'pv-headers', rows: 2, class: 'body-input', spellcheck: 'false', placeholder: 'Content-Type: application/json', oninput: () => this.#schedule() });
    e.body = h('textarea', { id: 'pv-body', rows: 3, class: 'body-input', spellcheck: 'false', placeholder: '{"name": "Ada"}', oninput: () => this.#schedule() });
    e.samples = h('div', { class: 'samples' });
    e.result = h('div', { class: 'stack', 'aria-live': 'polite', id: 'pv-result' });
    this.#renderAppChoices();
    return h('div', { class: 'stack' },
      h('div', { class: 'form-grid' },
        h('div', { class: 'field' }, h('label', { for: 'pv-app' }, 'Settings from app'), e.app,
          h('span', { class: 'hint' }, 'App-level field values and client id come from this app.')),
        h('div', { class: 'preview-grid wide' },
          h('div', { class: 'field' }, h('label', { for: 'pv-method' }, 'Verb'), e.method),
          h('div', { class: 'field' }, h('label', { for: 'pv-url' }, 'URL'), e.url,
            h('span', { class: 'hint' }, 'Absolute, or relative to the connector\'s base URI.'))),
        h('div', { class: 'field' }, h('label', { for: 'pv-headers' }, 'Request headers ', h('span', { class: 'muted' }, '(optional)')), e.headers),
        h('div', { class: 'field' }, h('label', { for: 'pv-body' }, 'Body ', h('span', { class: 'muted' }, '(optional)')), e.body)),
      this.hasAttribute('compact') ? null : h('details', {},
        h('summary', { 'data-key': 'pv-samples' }, 'Sample values'),
        h('p', { class: 'hint' }, 'Stand-ins for what each user enters and for the tokens. Real credentials never reach this page.'),
        e.samples),
      h('div', { class: 'stack-sm' }, h('h4', {}, 'What the edge would send'), e.result));
  }

  #renderAppChoices() {
    const select = this.#els.app;
    if (!select) return;
    const current = select.value;
    select.replaceChildren(h('option', { value: '' }, 'No app (placeholders only)'),
      ...this.#apps.map((a) => h('option', { value: a.id, selected: a.id === current }, a.name)));
    if (!current && this.#apps.length) select.value = this.#apps[0].id;
    this.#renderSamples();
    this.#schedule();
  }

  #app() {
    return this.#apps.find((a) => a.id === this.#els.app?.value) ?? null;
  }

  #describe() {
    const engine = engineNow();
    if (!engine || !this.#definition) return null;
    const d = engine.describe(this.#definition);
    return d.ok ? d.value : null;
  }

  // Sample inputs for the fields the app does not set, and the tokens.
  #renderSamples() {
    const box = this.#els.samples;
    if (!box) return;
    const described = this.#describe();
    const app = this.#app();
    const fields = described ? [...described.fields, ...(described.options ?? []).flatMap((o) => o.fields)] : [];
    const names = [...new Set(fields.filter((f) => !hasSetting(app, f.name)).map((f) => f.name))];
    const items = [...names.map((n) => [n, fields.find((f) => f.name === n)]), ['access_token', { secret: true }], ['refresh_token', { secret: true }]];
    box.replaceChildren(...items.map(([name, f]) => {
      const id = `pv-sample-${name}`;
      const input = h('input', { id, type: 'text', value: this.#samples[name] ?? sampleFor(name, f), spellcheck: 'false', autocomplete: 'off',
        oninput: (e) => { this.#samples[name] = e.target.value; this.#schedule(); } });
      return h('div', { class: 'field' }, h('label', { for: id, class: 'small' }, h('code', {}, name.includes('token') ? name : `connection.${name}`)), input);
    }));
  }

  #schedule() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#update(), 120);
  }

  /** The context: app settings + samples + placeholder tokens; never a real secret. */
  #context() {
    const described = this.#describe();
    const app = this.#app();
    const fields = described ? [...described.fields, ...(described.options ?? []).flatMap((o) => o.fields)] : [];
    const connection = {};
    for (const f of fields) {
      if (!hasSetting(app, f.name)) connection[f.name] = this.#samples[f.name] ?? sampleFor(f.name, f);
    }
    connection.access_token = this.#samples.access_token ?? sampleFor('access_token');
    connection.refresh_token = this.#samples.refresh_token ?? sampleFor('refresh_token');
    const settings = { ...(app?.settings ?? {}) };
    for (const name of app?.secret_settings ?? []) settings[name] = `<${name}>`;
    return {
      connection,
      app: {
        client_id: app?.client_id ?? '<client_id>',
        client_secret: '<client_secret>',
        scopes: app?.scopes ?? [],
        settings,
      },
    };
  }

  #update() {
    const engine = engineNow();
    if (!engine || !this.#els.result) return;
    if (!this.#definition) {
      this.#els.result.replaceChildren(h('p', { class: 'muted', 'data-testid': 'preview-waiting' }, 'Fix the connector\'s problems to see the preview.'));
      return;
    }
    const method = this.#els.method.value;
    const headers = parseHeaders(this.#els.headers.value);
    const body = this.#els.body.value;
    const request = { method, url: this.#els.url.value.trim(), headers, body };
    const answer = engine.apply(this.#definition, this.#context(), request);
    if (!answer.ok) {
      this.#showProblems(answer.errors);
      return;
    }
    this.#showResult(request, answer.value);
  }

  #showProblems(errors) {
    this.#els.result.replaceChildren(h('div', { class: 'callout tone-bad', 'data-testid': 'preview-problems' }, icon('x-circle'),
      h('div', { class: 'callout-text stack-sm' }, h('h4', {}, 'The edge would not send this request'),
        h('ul', { class: 'small' }, errors.map((e) => h('li', {}, e.path ? [h('code', {}, e.path), ' '] : null, e.message))),
        h('p', { class: 'hint' }, 'Choose an app that sets the missing values, or fill in sample values.'))));
  }

  #showResult(request, result) {
    const rows = diff(request, result);
    const url = safeUrl(result.url);
    const added = new Set(rows.filter((r) => r.kind === 'Query param').map((r) => r.name));
    const line = h('div', { class: 'request-line', 'data-testid': 'preview-url' }, h('span', { class: 'verb' }, result.method),
      url ? [url.origin + url.pathname, url.search ? '?' : '', [...url.searchParams].flatMap(([k, v], i) => [
        i ? '&' : '', added.has(k) ? h('mark', {}, `${k}=${v}`) : `${k}=${v}`])] : result.url);
    const table = rows.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'added', 'data-testid': 'preview-added' },
        h('caption', { class: 'sr-only' }, 'Added by the edge'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Where'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Value'))),
        h('tbody', {}, rows.map((r) => h('tr', {},
          h('td', {}, h('span', { class: 'kind' }, r.kind)),
          h('td', { class: 'name' }, r.name),
          h('td', {}, h('div', { class: 'value' }, r.value),
            r.note ? h('div', { class: 'note muted' }, r.note) : null))))))
      : h('p', { class: 'muted' }, 'No rule matches this request: the edge would send it unchanged.');
    this.#els.result.replaceChildren(line, table,
      h('p', { class: 'hint' }, icon('shield', 14), ' Values in <angle brackets> are placeholders for credentials the edge fills in; this page never sees them.'));
  }
}

function hasSetting(app, name) {
  if (!app) return false;
  const v = app.settings?.[name];
  return (v !== undefined && v !== null && v !== '') || (app.secret_settings ?? []).includes(name);
}

/** A stand-in value: URL-shaped for URLs, angle-bracketed for secrets. */
function sampleFor(name, field = {}) {
  if (name === 'access_token' || name === 'refresh_token' || field.secret) return `<${name}>`;
  if (/(^|_)(url|uri|endpoint)$/.test(name)) return 'https://api.example.com';
  if (/(^|_)(domain|subdomain|host|tenant|instance)$/.test(name)) return 'example';
  if (/password|secret|key|token/i.test(name)) return `<${name}>`;
  return `sample-${name.replace(/_/g, '-')}`;
}

function parseHeaders(text) {
  const headers = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return headers;
}

function safeUrl(url) {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

// What the edge added or replaced: headers, query parameters, payload members.
function diff(request, result) {
  const rows = [];
  const before = new Map(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [name, value] of Object.entries(result.headers)) {
    const old = before.get(name.toLowerCase());
    if (old === value) continue;
    rows.push({ kind: 'Header', name, value, note: [old === undefined ? 'added' : `replaces "${old}"`, basicNote(name, value)].filter(Boolean).join(' · ') });
  }
  const after = safeUrl(result.url);
  if (after) {
    const original = new URL(request.url || '.', after);
    for (const [k, v] of after.searchParams) {
      if (original.searchParams.get(k) !== v) rows.push({ kind: 'Query param', name: k, value: v, note: original.searchParams.has(k) ? 'replaced' : 'added' });
    }
  }
  if (PAYLOAD_VERBS.has(result.method) && result.body !== request.body) {
    const oldJson = parseObject(request.body);
    const newJson = parseObject(result.body);
    if (newJson) {
      for (const [k, v] of Object.entries(newJson)) {
        if (JSON.stringify(oldJson?.[k]) !== JSON.stringify(v)) rows.push({ kind: 'Payload', name: k, value: JSON.stringify(v), note: oldJson && k in oldJson ? 'replaced' : 'added' });
      }
    } else {
      const oldForm = new URLSearchParams(request.body);
      const newForm = new URLSearchParams(result.body);
      let any = false;
      for (const [k, v] of newForm) {
        if (oldForm.get(k) !== v) {
          rows.push({ kind: 'Payload', name: k, value: v, note: oldForm.has(k) ? 'replaced' : 'added' });
          any = true;
        }
      }
      if (!any) rows.push({ kind: 'Body', name: '(whole body)', value: result.body, note: 'rewritten' });
    }
  }
  return rows;
}

function parseObject(text) {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

// "Basic dXNlcjpwYXNz" → "decodes to user:pass" (placeholders only, so safe to show).
function basicNote(name, value) {
  if (name.toLowerCase() !== 'authorization' || !/^Basic\s+/i.test(value)) return '';
  try {
    return `decodes to ${atob(value.replace(/^Basic\s+/i, ''))}`;
  } catch {
    return '';
  }
}

define('connauth-apply-preview', ConnauthApplyPreview);
