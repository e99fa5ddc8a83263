// <connauth-apps>: the org admin's outbound applications (SPEC §5): list,
// create and edit (every field; the client secret and secret settings are
// write-only), enable, disable, reset and delete, each with a confirmation
// that says what will be lost. "New app" starts from the connector catalog
// (catalog-picker.mjs): the chosen provider's connector is added to the org
// when the app is created (or the org's own of that name is used), and the
// form comes filled in with its name, scopes and fields. Field-level errors from the edge
// (400 invalid_app, details [{path, message}]) appear under their field.
//
// Event: `connauth-apps-changed` {action, app} after any change.
import { h, icon, spinner } from '../lib/dom.mjs';
import { ConnauthElement, define } from '../lib/element.mjs';
import { isAdmin } from '../lib/config.mjs';
import { parseConnectorRef } from '../lib/auth-info.mjs';
import { duration } from '../lib/format.mjs';
import { authLabel, definitionText, documentationUrl, usesOAuth } from '../lib/catalog.mjs';
import { chooseFromCatalog, PICKER_STYLES } from './catalog-picker.mjs';

const STYLES = `
.apps { display: flex; flex-direction: column; gap: 12px; list-style: none; margin: 0; padding: 0; }
.app-row { display: grid; grid-template-columns: minmax(0, 1.6fr) minmax(0, 1fr) auto; gap: 12px 20px; align-items: center; padding: 16px 20px; }
.app-row h3 { overflow-wrap: anywhere; }
.app-meta { display: flex; flex-direction: column; gap: 4px; font-size: .86rem; color: var(--ca-muted); min-width: 0; }
.app-meta span { overflow-wrap: anywhere; }
.app-actions { display: flex; flex-wrap: wrap; gap: 6px; justify-content: flex-end; }
@media (max-width: 760px) {
  .app-row { grid-template-columns: 1fr; }
  .app-actions { justify-content: flex-start; }
}
.errors-summary { margin: 0; padding-left: 1.2rem; }
.secret-state { font-size: .8rem; }
.app-row[aria-current="true"] { border-color: var(--ca-primary); box-shadow: var(--ca-focus); }
.catalog-note .callout-text { display: flex; flex-direction: column; gap: 4px; }
${PICKER_STYLES}`;

const ACTION_TEXT = {
  disable: (name) => ({
    title: `Disable ${name}?`,
    body: [h('p', {}, 'Users keep their stored tokens, but they cannot be used: requests through the proxy are refused and nobody can connect until you enable the app again.')],
    confirm: 'Disable app', danger: true,
  }),
  enable: (name) => ({
    title: `Enable ${name}?`,
    body: [h('p', {}, 'Stored tokens become usable again and users can connect.')],
    confirm: 'Enable app', danger: false,
  }),
  reset: (name) => ({
    title: `Reset ${name}?`,
    body: [h('p', {}, `Every user's tokens for ${name} are deleted. The app's configuration stays; each user is asked to connect again the next time it is used.`),
      h('p', { class: 'muted small' }, 'This cannot be undone.')],
    confirm: 'Reset all connections', danger: true,
  }),
};

export class ConnauthApps extends ConnauthElement {
  static styles = STYLES;
  #apps = null;
  #error = null;
  #connectors = [];
  #busy = new Set(); // app ids with an action in flight
  #notice = null;

  configChanged() {
    this.load();
  }

  async load() {
    if (!this.api || !isAdmin()) {
      this.render();
      return;
    }
    const [apps, connectors] = await Promise.all([this.api.listApps(), this.api.listConnectors()]);
    this.#apps = apps.ok ? apps.value.apps : null;
    this.#error = apps.ok ? null : apps.error;
    this.#connectors = connectors.ok ? connectors.value.connectors : [];
    this.render();
    // app="<id>": the app another view linked to, brought into view.
    const selected = this.getAttribute('app');
    if (selected) this.viewRoot.querySelector(`[data-app="${CSS.escape(selected)}"]`)?.scrollIntoView({ block: 'center' });
  }

  view() {
    if (!this.api) return null;
    if (!isAdmin()) {
      return h('div', { class: 'callout tone-info' }, icon('info'), h('p', { class: 'callout-text' }, 'Only org admins manage apps.'));
    }
    if (this.#error) {
      return h('div', { class: 'callout tone-bad' }, icon('x-circle'), h('div', { class: 'callout-text' }, h('h4', {}, 'Could not load apps'), h('p', {}, this.#error.message)));
    }
    if (!this.#apps) return h('div', { class: 'row muted', 'aria-busy': 'true' }, spinner(), 'Loading apps…');
    return h('div', { class: 'stack' },
      h('div', { class: 'row-between' },
        h('p', { class: 'muted' }, `${this.#apps.length} app${this.#apps.length === 1 ? '' : 's'} in your organisation`),
        h('button', { class: 'btn btn-primary', type: 'button', 'data-key': 'new-app', onclick: () => this.#newApp() }, icon('plus'), 'New app')),
      this.#notice ? h('div', { class: ['callout', `tone-${this.#notice.tone}`], role: 'status', 'data-testid': 'notice' }, icon(this.#notice.tone === 'ok' ? 'check-circle' : 'info'),
        h('p', { class: 'callout-text grow' }, this.#notice.text),
        h('button', { class: 'btn btn-sm btn-ghost', type: 'button', 'aria-label': 'Dismiss message', onclick: () => { this.#notice = null; this.render(); } }, icon('x'))) : null,
      this.#apps.length
        ? h('ul', { class: 'apps', role: 'list' }, this.#apps.map((app) => this.#row(app)))
        : h('div', { class: 'card empty' }, h('h3', {}, 'No apps yet'),
          h('p', {}, this.#connectors.length
            ? 'Create an app to let users connect their accounts through one of your connectors.'
            : 'Choose New app to start from a provider of the connector catalog, or save a connector of your own under Connectors first.')));
  }

  #row(app) {
    const busy = this.#busy.has(app.id);
    const key = (k) => `${k}-${app.id}`;
    return h('li', { class: 'card app-row', 'data-app': app.id, 'aria-labelledby': `name-${app.id}`, 'aria-busy': busy ? 'true' : 'false',
      'aria-current': app.id === this.getAttribute('app') ? 'true' : false },
      h('div', { class: 'stack-sm' },
        h('div', { class: 'row' },
          h('h3', { id: `name-${app.id}` }, app.name),
          h('span', { class: ['badge', app.enabled ? 'tone-ok' : 'tone-off'] }, app.enabled ? 'Enabled' : 'Disabled')),
        app.description ? h('p', { class: 'muted small' }, app.description) : null),
      h('div', { class: 'app-meta' },
        h('span', {}, icon('code', 14), ' ', h('span', { class: 'chip' }, app.connector)),
        h('span', {}, icon('key', 14), ' ', app.client_id ? h('code', {}, app.client_id) : 'No client id',
          app.client_secret_set ? ' · secret set' : ''),
        app.scopes?.length ? h('span', {}, icon('shield', 14), ' ', app.scopes.join(' ')) : null),
      h('div', { class: 'app-actions' },
        busy ? h('span', { class: 'row muted small', role: 'status' }, spinner(), 'Working…') : null,
        h('button', { class: 'btn btn-sm', type: 'button', 'data-key': key('edit'), disabled: busy, onclick: () => this.#edit(app) }, icon('edit', 14), 'Edit'),
        h('button', { class: 'btn btn-sm', type: 'button', 'data-key': key('toggle'), disabled: busy, onclick: () => this.#act(app, app.enabled ? 'disable' : 'enable') },
          icon('power', 14), app.enabled ? 'Disable' : 'Enable'),
        h('button', { class: 'btn btn-sm', type: 'button', 'data-key': key('reset'), disabled: busy, onclick: () => this.#act(app, 'reset') }, icon('rotate', 14), 'Reset'),
        h('button', { class: 'btn btn-sm btn-ghost', type: 'button', 'data-key': key('delete'), disabled: busy, 'aria-label': `Delete ${app.name}`, onclick: () => this.#delete(app) }, icon('trash', 14), 'Delete')));
  }

  async #act(app, action) {
    const ok = await this.confirmDialog(ACTION_TEXT[action](app.name));
    if (!ok) return;
    this.#busy.add(app.id);
    this.render();
    const answer = await this.api.appAction(app.id, action);
    this.#busy.delete(app.id);
    if (answer.ok) {
      this.#replace(answer.value);
      const done = { disable: 'disabled', enable: 'enabled', reset: 'reset: every user must connect again' }[action];
      this.#notice = { tone: 'ok', text: `${app.name} ${done}.` };
      this.emit('connauth-apps-changed', { action, app: answer.value });
    } else {
      this.#notice = { tone: 'bad', text: `${app.name}: ${answer.error.message}` };
    }
    this.render();
    this.announce(this.#notice.text);
    this.viewRoot.querySelector(`[data-key="toggle-${app.id}"]`)?.focus();
  }

  async #delete(app) {
    const ok = await this.#confirmDelete(app);
    if (!ok) return;
    this.#busy.add(app.id);
    this.render();
    const answer = await this.api.deleteApp(app.id);
    this.#busy.delete(app.id);
    if (answer.ok) {
      this.#apps = this.#apps.filter((a) => a.id !== app.id);
      this.#notice = { tone: 'ok', text: `${app.name} deleted, with its secret and every user's tokens.` };
      this.emit('connauth-apps-changed', { action: 'delete', app });
    } else {
      this.#notice = { tone: 'bad', text: `${app.name}: ${answer.error.message}` };
    }
    this.render();
    this.announce(this.#notice.text);
    this.viewRoot.querySelector('[data-key="new-app"]')?.focus();
  }

  // Deleting is irreversible: the admin types the app's name to confirm.
  #confirmDelete(app) {
    return new Promise((resolve) => {
      const input = h('input', { id: 'confirm-name', type: 'text', autocomplete: 'off', spellcheck: 'false' });
      const confirm = h('button', { class: 'btn btn-danger', type: 'submit', disabled: true }, icon('trash', 14), 'Delete app');
      input.addEventListener('input', () => { confirm.disabled = input.value.trim() !== app.name; });
      const dialog = h('dialog', { 'aria-labelledby': 'del-title' },
        h('form', { method: 'dialog', onsubmit: (e) => { e.preventDefault(); if (!confirm.disabled) dialog.close('ok'); } },
          h('div', { class: 'dialog-head row' }, h('span', { class: 'tone-bad badge plain' }, icon('alert')), h('h2', { id: 'del-title' }, `Delete ${app.name}?`)),
          h('div', { class: 'dialog-body stack' },
            h('p', {}, 'The app, its client secret and every user\'s tokens are deleted. Users lose their connection at once.'),
            h('p', {}, h('strong', {}, 'This cannot be undone.')),
            h('div', { class: 'field' }, h('label', { for: 'confirm-name' }, 'Type ', h('strong', {}, app.name), ' to confirm'), input)),
          h('div', { class: 'dialog-foot' },
            h('button', { class: 'btn', type: 'button', onclick: () => dialog.close('cancel') }, 'Cancel'), confirm)));
      dialog.addEventListener('close', () => {
        dialog.remove();
        resolve(dialog.returnValue === 'ok');
      });
      this.shadowRoot.append(dialog);
      dialog.showModal();
      input.focus();
    });
  }

  #replace(app) {
    this.#apps = this.#apps.map((a) => (a.id === app.id ? app : a));
  }

  // ---- the app form -------------------------------------------------------------

  // "New app": a provider from the catalog, or a blank form.
  async #newApp() {
    const picked = await chooseFromCatalog(this, {
      title: 'New app',
      lead: 'Choose the provider your users connect to: its connector comes from the catalog and the form is filled in. Or start from blank with a connector of your own.',
      connectors: this.#connectors,
    });
    if (!picked) {
      this.viewRoot.querySelector('[data-key="new-app"]')?.focus();
      return;
    }
    await this.#edit(null, picked.entry ?? null);
  }

  async #edit(app, entry = null) {
    const form = new AppForm(this, app, this.#connectors, entry);
    const saved = await form.open();
    if (entry) {
      // The catalog's connector may be the org's now, whether or not the app was created.
      const list = await this.api.listConnectors();
      if (list.ok) this.#connectors = list.value.connectors;
    }
    if (!saved) return;
    if (app) this.#replace(saved);
    else this.#apps = [...this.#apps, saved];
    const added = form.connectorAdded ? ` with the catalog's connector ${form.connectorAdded.name}` : '';
    this.#notice = { tone: 'ok', text: app ? `${saved.name} saved.` : `${saved.name} created${added}. Users can connect it now.` };
    this.emit('connauth-apps-changed', { action: app ? 'update' : 'create', app: saved });
    this.render();
    this.announce(this.#notice.text);
  }
}

// The create/edit dialog. Knows SPEC §5's fields and how the edge names
// their problems (/name, /scopes/2, /settings/api_url, /egress/0...).
// With a catalog entry, a new app is prefilled from it and, on Create, the
// entry's connector is saved first (PUT /api/connectors/{name}) unless the
// org already has one of that name.
class AppForm {
  #host;
  #app;
  #connectors;
  #entry; // the catalog entry a new app starts from, or null
  /** {name, version} once the catalog's connector was saved, else null. */
  connectorAdded = null;
  #dialog;
  #inputs = {};
  #errors = {};
  #summary;
  #settingsBox;
  #fields = []; // the connector's fields (engine summary)
  #saving = false;
  #saved = null; // the app the edge answered, once saved

  constructor(host, app, connectors, entry = null) {
    this.#host = host;
    this.#app = app;
    this.#connectors = connectors;
    this.#entry = app ? null : entry;
  }

  // The catalog entry's connector while the org does not have it (it is saved on Create).
  get #unsavedEntry() {
    const entry = this.#entry;
    return entry && !this.connectorAdded && !this.#connectors.some((c) => c.name === entry.name) ? entry : null;
  }

  open() {
    return new Promise((resolve) => {
      this.#dialog = this.#build();
      this.#dialog.addEventListener('close', () => {
        this.#dialog.remove();
        resolve(this.#saved ?? null);
      });
      this.#host.shadowRoot.append(this.#dialog);
      this.#dialog.showModal();
      // From the catalog, what is left to enter is the client (OAuth) or nothing but a check.
      (this.#entry && usesOAuth(this.#entry) ? this.#inputs.client_id : this.#inputs.name).focus();
      this.#loadFields();
    });
  }

  #field(key, label, control, { hint, wide = false, optional = false } = {}) {
    const id = `app-${key}`;
    control.id = id;
    control.dataset.key = id;
    const error = h('span', { class: 'field-error', id: `${id}-err`, hidden: true });
    const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
    control.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : '', `${id}-err`].filter(Boolean).join(' '));
    this.#inputs[key] = control;
    this.#errors[key] = error;
    return h('div', { class: ['field', wide ? 'wide' : ''] },
      h('label', { for: id }, label, optional ? h('span', { class: 'muted' }, ' (optional)') : null), control, hintEl, error);
  }

  #build() {
    const entry = this.#entry;
    const app = this.#app ?? (entry ? prefilled(entry) : {});
    const editing = Boolean(this.#app);
    const ref = parseConnectorRef(app.connector);
    const unsaved = this.#unsavedEntry;
    const connectorSelect = h('select', { onchange: () => this.#loadFields() },
      h('option', { value: '' }, this.#connectors.length || unsaved ? 'Choose a connector…' : 'No connectors yet'),
      unsaved ? h('option', { value: unsaved.name, selected: true }, `${unsaved.name} (from the catalog)`) : null,
      this.#connectors.map((c) => h('option', { value: c.name, selected: ref?.name === c.name }, `${c.name} (v${c.version})`)));
    const versionInput = h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', value: ref?.version ? String(ref.version) : '', placeholder: 'Latest' });
    const secret = h('input', { type: 'password', autocomplete: 'new-password',
      placeholder: app.client_secret_set ? '•••••••• stored — leave blank to keep' : '' });
    const clearSecret = app.client_secret_set
      ? h('label', { class: 'check small' }, h('input', { type: 'checkbox', id: 'app-clear-secret' }), 'Remove the stored client secret')
      : null;
    this.#summary = h('div', { class: 'callout tone-bad', role: 'alert', hidden: true });
    this.#settingsBox = h('div', { class: 'form-grid wide' });
    const enabled = h('input', { type: 'checkbox', checked: app.enabled !== false });
    this.#inputs.enabled = enabled;

    const form = h('form', { novalidate: true, onsubmit: (e) => this.#submit(e) },
      h('div', { class: 'dialog-head' }, h('h2', { id: 'app-form-title' }, editing ? `Edit ${app.name}` : 'New app'),
        h('p', { class: 'muted small' }, 'An outbound application: the client your users connect with.')),
      h('div', { class: 'dialog-body stack' },
        entry ? this.#catalogNote(entry) : null,
        this.#summary,
        h('div', { class: 'form-grid' },
          this.#field('name', 'Name', h('input', { type: 'text', value: app.name ?? '', required: true, autocomplete: 'off' })),
          this.#field('connector', 'Connector', connectorSelect, { hint: 'How to authorize against the provider.' }),
          this.#field('version', 'Pinned version', versionInput, { optional: true, hint: 'Blank: always the latest version.' }),
          this.#field('description', 'Description', h('input', { type: 'text', value: app.description ?? '' }), { optional: true }),
          this.#field('prompt', 'Approval prompt', h('textarea', { rows: 2, required: true, value: app.prompt ?? '' }),
            { wide: true, hint: 'Shown to each user before the sign-in window opens: what they are allowing and why.' })),
        h('fieldset', { class: 'form-grid' }, h('legend', {}, 'Client'),
          this.#field('client_id', 'Client ID', h('input', { type: 'text', value: app.client_id ?? '', autocomplete: 'off', spellcheck: 'false' }), { optional: true }),
          h('div', { class: 'stack-sm' },
            this.#field('client_secret', 'Client secret', secret, { optional: true, hint: 'Write-only: it is never shown again.' }), clearSecret),
          this.#field('scopes', 'Scopes', h('input', { type: 'text', value: (app.scopes ?? []).join(' '), autocomplete: 'off', spellcheck: 'false' }),
            { optional: true, hint: 'Separated by spaces, e.g. "openid offline_access contacts:read".' }),
          this.#field('issuer', 'Issuer', h('input', { type: 'url', value: app.issuer ?? '', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://login.example.com' }),
            { optional: true, hint: 'The provider\'s issuer. When set, each sign-in answer must name it (RFC 9207).' })),
        h('fieldset', { class: 'form-grid' }, h('legend', {}, 'Tokens'),
          this.#field('default_expires_in', 'Default token lifetime (seconds)', h('input', { type: 'number', min: 1, inputmode: 'numeric', value: app.default_expires_in ?? '' }),
            { optional: true, hint: 'Used when the provider does not say. Blank: unknown; refreshed on signals only.' }),
          this.#field('refresh_buffer', 'Refresh ahead (seconds)', h('input', { type: 'number', min: 0, inputmode: 'numeric', value: app.refresh_buffer == null ? '' : String(app.refresh_buffer), placeholder: 'the service\'s default' }),
            { hint: `Tokens are renewed this long before they expire (default ${duration(60)}).` })),
        h('fieldset', { class: 'form-grid' }, h('legend', {}, 'Operations'),
          ...OPERATIONS.map(({ key, label, fallback, min, hint }) => this.#field(key, label,
            h('input', { type: 'number', min, inputmode: 'numeric', value: app[key] == null || app[key] === fallback ? '' : String(app[key]), placeholder: `default ${fallback}` }),
            { optional: true, hint: `${hint} Blank: the default.` }))),
        h('fieldset', { class: 'stack' }, h('legend', {}, 'App settings'),
          h('p', { class: 'hint' }, 'Values of the connector\'s fields set once for everyone. Users are not asked for these.'),
          this.#settingsBox),
        h('fieldset', { class: 'form-grid' }, h('legend', {}, 'Network'),
          this.#field('egress', 'Allowed hosts', h('textarea', { rows: 2, value: (app.egress ?? []).join('\n'), spellcheck: 'false' }),
            { optional: true, wide: true, hint: 'One per line, e.g. "api.example.com" or "*.example.com". Blank: derived from the connector\'s URLs.' })),
        h('label', { class: 'check' }, enabled, h('span', {}, 'Enabled', h('span', { class: 'hint' }, ' — users can connect and use it.')))),
      h('div', { class: 'dialog-foot' },
        h('button', { class: 'btn', type: 'button', onclick: () => this.#dialog.close() }, 'Cancel'),
        h('button', { class: 'btn btn-primary', type: 'submit', 'data-key': 'app-save' }, editing ? 'Save changes' : 'Create app')));
    this.#inputs.clearSecret = clearSecret?.querySelector('input') ?? null;
    return h('dialog', { class: 'wide', 'aria-labelledby': 'app-form-title' }, form);
  }

  // Where a catalog app's connector comes from, and what the admin still does.
  #catalogNote(entry) {
    const have = this.#connectors.find((c) => c.name === entry.name);
    const docs = documentationUrl(entry);
    const callback = `${this.#host.api.origin}/oauth/callback`;
    return h('div', { class: 'callout tone-info catalog-note', 'data-testid': 'catalog-note' }, icon('info'),
      h('div', { class: 'callout-text' },
        h('h4', {}, `From the catalog: ${entry.title} · ${authLabel(entry)}`),
        h('p', { class: 'small' }, have
          ? `Your organisation already has a connector named ${entry.name} (version ${have.version}): this app uses it. To update it from the catalog, open it under Connectors and choose Start from catalog.`
          : `The connector ${entry.name} is added to your organisation's connectors when you create the app.`),
        usesOAuth(entry) ? h('p', { class: 'small' }, `Register an OAuth app with ${entry.title} whose redirect URI is `, h('code', {}, callback),
          ', then enter its client ID and secret below.') : null,
        docs ? h('p', { class: 'small' }, h('a', { href: docs, target: '_blank', rel: 'noopener noreferrer' }, icon('external', 14), ` ${entry.title} documentation`)) : null,
        // The entry's description says what the admin sets up (scopes, app settings) and the provider's quirks.
        entry.description ? h('details', { class: 'small' }, h('summary', {}, 'What to set up'),
          h('p', { class: 'muted', 'data-testid': 'catalog-description' }, entry.description)) : null));
  }

  // The connector's fields become the app settings inputs.
  async #loadFields() {
    const name = this.#inputs.connector.value;
    this.#fields = [];
    const unsaved = this.#unsavedEntry;
    if (unsaved && name === unsaved.name) {
      // Not the org's yet: the fields the engine read from the catalog entry at build time.
      this.#fields = unsaved.fields.map((f) => ({ ...f }));
      for (const key of unsaved.signing_keys ?? []) this.#addSigningKey(key);
    } else if (name) {
      const answer = await this.#host.api.getConnector(name);
      if (answer.ok && answer.value.summary) {
        const s = answer.value.summary;
        const seen = new Set();
        for (const f of [...(s.fields ?? []), ...(s.options ?? []).flatMap((o) => o.fields ?? [])]) {
          if (!seen.has(f.name)) {
            seen.add(f.name);
            this.#fields.push(f);
          }
        }
        for (const key of s.signing_keys ?? []) this.#addSigningKey(key);
      }
    }
    this.#renderSettings();
  }

  // Keys that sign the connector's JWTs are secret settings whether or
  // not it declares them as fields (the engine names them).
  #addSigningKey(name) {
    const declared = this.#fields.find((f) => f.name === name);
    if (declared) declared.secret = true;
    else this.#fields.push({ name, label: name, secret: true, hint: 'A PEM PKCS#8 private key that signs the connector\'s JWTs.' });
  }

  #renderSettings() {
    const app = this.#app ?? {};
    const settings = app.settings ?? {};
    const secretSet = new Set(app.secret_settings ?? []);
    const extra = Object.keys(settings).filter((k) => !this.#fields.some((f) => f.name === k));
    const all = [...this.#fields, ...extra.map((name) => ({ name, label: name }))];
    for (const key of Object.keys(this.#inputs)) if (key.startsWith('settings/')) delete this.#inputs[key];
    if (!all.length) {
      this.#settingsBox.replaceChildren(h('p', { class: 'muted small' }, this.#inputs.connector.value ? 'This connector has no fields.' : 'Choose a connector to see its fields.'));
      return;
    }
    this.#settingsBox.replaceChildren(...all.map((f) => {
      const current = settings[f.name];
      const control = f.secret
        ? h('input', { type: 'password', autocomplete: 'new-password', placeholder: secretSet.has(f.name) ? '•••••••• stored — leave blank to keep' : '' })
        : h('input', { type: 'text', value: current === undefined || current === null ? '' : String(current), spellcheck: 'false', autocomplete: 'off' });
      control.dataset.setting = f.name;
      return this.#field(`settings/${f.name}`, f.label || f.name, control, {
        optional: true,
        hint: [f.hint, f.secret ? 'Secret: write-only.' : '', 'Blank: each user enters it.'].filter(Boolean).join(' '),
      });
    }));
  }

  #collect() {
    const v = (key) => this.#inputs[key].value.trim();
    const body = {
      name: v('name'),
      description: v('description'),
      prompt: this.#inputs.prompt.value.trim(),
      connector: v('connector') + (v('version') ? `@${v('version')}` : ''),
      client_id: v('client_id') || null,
      scopes: v('scopes').split(/[\s,]+/).filter(Boolean),
      default_expires_in: v('default_expires_in') === '' ? null : Number(v('default_expires_in')),
      refresh_buffer: v('refresh_buffer') === '' ? undefined : Number(v('refresh_buffer')), // empty: the edge's default
      egress: v('egress') === '' ? null : v('egress').split(/[\s,]+/).filter(Boolean),
      enabled: this.#inputs.enabled.checked,
    };
    for (const { key } of OPERATIONS) body[key] = v(key) === '' ? null : Number(v(key)); // null: the default
    if (!v('connector')) delete body.connector; // reported as required by the edge
    if (v('issuer') || Object.hasOwn(this.#app ?? {}, 'issuer')) body.issuer = v('issuer') || null;
    if (v('client_secret')) body.client_secret = this.#inputs.client_secret.value;
    else if (this.#inputs.clearSecret?.checked) body.client_secret = null;
    const settings = {};
    for (const [key, input] of Object.entries(this.#inputs)) {
      if (!key.startsWith('settings/')) continue;
      const name = key.slice('settings/'.length);
      if (input.value !== '') settings[name] = input.value;
    }
    body.settings = settings;
    return body;
  }

  async #submit(event) {
    event.preventDefault();
    if (this.#saving) return;
    this.#showErrors([]);
    const body = this.#collect();
    this.#saving = true;
    const save = this.#dialog.querySelector('[data-key="app-save"]');
    save.disabled = true;
    const unsaved = this.#unsavedEntry;
    // Saved meanwhile (another tab, another admin): the org's own is used, never replaced.
    if (unsaved && this.#inputs.connector.value === unsaved.name && (await this.#host.api.getConnector(unsaved.name)).ok) {
      this.#connectors = [...this.#connectors, { name: unsaved.name }];
    }
    if (this.#unsavedEntry && this.#inputs.connector.value === unsaved.name) {
      const put = await this.#host.api.putConnector(unsaved.name, definitionText(unsaved));
      if (!put.ok) {
        this.#saving = false;
        save.disabled = false;
        this.#showConnectorRefused(unsaved, put.error);
        return;
      }
      this.connectorAdded = { name: put.value.name, version: put.value.version };
      this.#host.emit('connauth-connector-saved', this.connectorAdded);
    }
    const answer = this.#app ? await this.#host.api.updateApp(this.#app.id, body) : await this.#host.api.createApp(body);
    this.#saving = false;
    save.disabled = false;
    if (answer.ok) {
      this.#saved = answer.value;
      this.#dialog.close();
      return;
    }
    this.#showErrors(answer.error.details ?? [{ path: '', message: answer.error.message }]);
  }

  // The edge refused the catalog's connector: nothing was created. Its
  // problems are the connector's (JSON pointers into the definition), not the form's.
  #showConnectorRefused(entry, error) {
    this.#showErrors([]);
    this.#summary.hidden = false;
    this.#summary.replaceChildren(icon('x-circle'), h('div', { class: 'callout-text', 'data-testid': 'connector-refused' },
      h('h4', {}, `The connector ${entry.name} was not added: ${error.message}`),
      error.details?.length
        ? h('ul', { class: 'errors-summary' }, error.details.map((d) => h('li', {}, `${d.path || '(document)'}: ${d.message}`)))
        : null,
      h('p', { class: 'small' }, 'The app was not created. Fix the cause and choose Create app again, or pick one of your own connectors.')));
    this.#summary.scrollIntoView({ block: 'nearest' });
    this.#summary.setAttribute('tabindex', '-1');
    this.#summary.focus();
  }

  // Puts each problem under its field; the rest go in the summary at the top.
  #showErrors(details) {
    for (const [key, el] of Object.entries(this.#errors)) {
      el.hidden = true;
      el.replaceChildren();
      this.#inputs[key]?.removeAttribute('aria-invalid');
    }
    const general = [];
    let first = null;
    for (const { path, message } of details) {
      const key = fieldFor(path, this.#inputs);
      if (key && this.#errors[key]) {
        const el = this.#errors[key];
        el.hidden = false;
        el.append(el.childNodes.length ? '; ' : icon('alert', 14), message);
        this.#inputs[key].setAttribute('aria-invalid', 'true');
        first ??= this.#inputs[key];
      } else {
        general.push(`${path || 'App'}: ${message}`);
      }
    }
    this.#summary.hidden = !details.length;
    if (details.length) {
      this.#summary.replaceChildren(icon('x-circle'), h('div', { class: 'callout-text' },
        h('h4', {}, `${details.length} problem${details.length === 1 ? '' : 's'} to fix`),
        general.length ? h('ul', { class: 'errors-summary' }, general.map((g) => h('li', {}, g))) : h('p', { class: 'small' }, 'See the marked fields.')));
      (first ?? this.#summary).focus?.();
      if (!first) this.#summary.scrollIntoView({ block: 'nearest' });
    }
  }
}

// The app's operations settings (SPEC §4, §9) and the edge's defaults for them.
const OPERATIONS = [
  { key: 'lost_after_failures', label: 'Lost after failures', fallback: 12, min: 1,
    hint: 'Provider outages in a row (one per retry window) before a degraded connection is lost.' },
  { key: 'backoff_base_seconds', label: 'First retry after (seconds)', fallback: 2, min: 1,
    hint: 'The first retry window while the provider is unavailable; it doubles each time.' },
  { key: 'backoff_cap_seconds', label: 'Longest retry wait (seconds)', fallback: 900, min: 1,
    hint: `The largest retry window (default ${duration(900)}).` },
  { key: 'keepalive_seconds', label: 'Keep-alive (seconds)', fallback: 86400, min: 0,
    hint: `An unused connection is checked after this long, so a revoked one shows as lost early (default ${duration(86400)}; 0: off).` },
];

// A new app's values from a catalog entry: its title, scopes and a prompt
// the admin can reword (every field can still be changed).
function prefilled(entry) {
  return {
    name: entry.title,
    connector: entry.name,
    scopes: entry.scopes,
    prompt: `Allow this workspace to use your ${entry.title} account on your behalf.`,
  };
}

// "/scopes/2" → "scopes"; "/settings/api_url" → "settings/api_url"; "/connector" → "connector".
function fieldFor(path, inputs) {
  const parts = String(path).split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (!parts.length) return null;
  if (parts[0] === 'settings' && parts[1] !== undefined && inputs[`settings/${parts[1]}`]) return `settings/${parts[1]}`;
  if (parts[0] === 'client_secret') return 'client_secret';
  return inputs[parts[0]] ? parts[0] : null;
}

define('connauth-apps', ConnauthApps);
