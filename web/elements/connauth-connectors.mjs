// <connauth-connectors>: the org admin's connector editor (SPEC §2): a JSON
// editor validated live by the engine (the same WebAssembly the edge runs),
// each problem marked at its JSON pointer in the text and listed with its
// line; save as a new version; the version list with view and restore
// (rollback, SPEC §7); and the apply preview for the text being edited.
// A new connector can start from the connector catalog (catalog-picker.mjs):
// the provider's definition is loaded into the editor, to check and save.
//
// Attribute `name` selects a connector. Event `connauth-connector-saved`
// {name, version} after a save or a restore.
import { h, icon, spinner } from '../lib/dom.mjs';
import { ConnauthElement, define } from '../lib/element.mjs';
import { isAdmin } from '../lib/config.mjs';
import { getEngine, engineNow } from '../lib/engine.mjs';
import { locateAll, rangeOf, lineColumn, offsetOf } from '../lib/json-locate.mjs';
import { when, iso } from '../lib/format.mjs';
import { parseConnectorRef } from '../lib/auth-info.mjs';
import { definitionText } from '../lib/catalog.mjs';
import { chooseFromCatalog, PICKER_STYLES } from './catalog-picker.mjs';
import './connauth-apply-preview.mjs';

const LINE_HEIGHT = 20; // px, the editor's line height (CSS below)

const STYLES = `
.layout { display: grid; grid-template-columns: 240px minmax(0, 1fr); gap: 20px; align-items: start; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
.side { position: sticky; top: 12px; }
.side ul { list-style: none; margin: 0; padding: 6px; display: flex; flex-direction: column; gap: 2px; }
.side li button { width: 100%; justify-content: space-between; border-color: transparent; background: transparent; font-weight: 500; padding-inline: 10px; }
.side li button .cname { overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.side li button[aria-current="true"] { background: var(--ca-primary-soft); color: var(--ca-primary); font-weight: 650; }
.main { display: flex; flex-direction: column; gap: 20px; min-width: 0; }
.two { display: grid; grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr); gap: 20px; align-items: start; }
@media (max-width: 1200px) { .two { grid-template-columns: 1fr; } }

.editor { position: relative; display: grid; grid-template-columns: auto minmax(0, 1fr); border: 1px solid var(--ca-border-strong);
  border-radius: var(--ca-radius-sm); background: #fff; overflow: hidden; height: 460px; }
.editor:focus-within { border-color: var(--ca-primary); box-shadow: var(--ca-focus); }
.editor.readonly { background: var(--ca-surface-2); }
.gutter { font: 13px/${LINE_HEIGHT}px var(--ca-mono); color: #9aa3af; text-align: right; padding: 10px 8px 10px 10px; background: var(--ca-surface-2);
  border-right: 1px solid var(--ca-border); overflow: hidden; user-select: none; white-space: pre; }
.gutter .bad { color: var(--ca-bad); font-weight: 700; }
.code { position: relative; overflow: hidden; }
.code pre, .code textarea { margin: 0; padding: 10px 12px; font: 13px/${LINE_HEIGHT}px var(--ca-mono); white-space: pre; overflow-wrap: normal;
  tab-size: 2; letter-spacing: 0; border: 0; }
.code pre { position: absolute; inset: 0; color: transparent; pointer-events: none; overflow: hidden; }
.code pre mark { color: transparent; background: rgba(180, 35, 24, .12); border-bottom: 2px wavy var(--ca-bad); border-radius: 2px; }
.code pre mark.current { background: rgba(180, 35, 24, .25); }
.code textarea { position: absolute; inset: 0; width: 100%; height: 100%; resize: none; background: transparent; color: var(--ca-text);
  caret-color: var(--ca-text); overflow: auto; min-height: 0; border-radius: 0; box-shadow: none !important; }
.problems { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; max-height: 240px; overflow: auto; }
.problems button { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 2px 10px; text-align: left; width: 100%; font: inherit; color: inherit;
  padding: 8px 10px; border-radius: var(--ca-radius-sm); border: 1px solid #f5c9c4; background: var(--ca-bad-soft); cursor: pointer; }
.problems button:hover { border-color: var(--ca-bad); }
.problems button:focus-visible { outline: none; box-shadow: var(--ca-focus); }
.problems .where { font: 600 .78rem var(--ca-mono); color: var(--ca-bad); grid-row: span 2; padding-top: 2px; white-space: nowrap; }
.problems .path { font: .78rem var(--ca-mono); color: var(--ca-muted); overflow-wrap: anywhere; }
.status-line { display: flex; align-items: center; gap: 8px; font-weight: 550; }
.status-line.ok { color: var(--ca-ok); }
.status-line.bad { color: var(--ca-bad); }
.versions { list-style: none; margin: 0; padding: 0; }
.versions li { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; justify-content: space-between; padding: 10px 0; border-bottom: 1px solid var(--ca-border); }
.versions li:last-child { border-bottom: 0; }
.banner { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; justify-content: space-between; }
${PICKER_STYLES}`;

const NEW_CONNECTOR = `{
  "name": "my_connector",
  "title": "My connector",
  "connection": {
    "fields": [
      { "name": "api_key", "label": "API key", "secret": true }
    ],
    "base_uri": "https://api.example.com/v1/"
  },
  "authorization": {
    "type": "api_key",
    "apply": [
      { "headers": { "Authorization": "Bearer {{connection.api_key}}" } }
    ],
    "refresh_on": [401]
  },
  "test": { "method": "GET", "url": "me" }
}
`;

export class ConnauthConnectors extends ConnauthElement {
  static styles = STYLES;
  static observedAttributes = ['name'];

  #list = null;
  #apps = [];
  #error = null;
  #current = null; // GET /api/connectors/{name} answer for the selected connector
  #viewing = null; // a version number being viewed read-only, or null
  #isNew = false;
  #saved = ''; // the text last loaded or saved
  #problems = [];
  #busy = null;
  #notice = null;
  #els = {};
  #timer = null;

  attributeChangedCallback(name, old, value) {
    if (old !== value && this.isConnected && this.#list) this.#select(value);
  }

  configChanged() {
    this.load();
  }

  async load() {
    if (!this.api || !isAdmin()) {
      this.render();
      return;
    }
    getEngine().then(() => this.#validate(), () => {});
    const [list, apps] = await Promise.all([this.api.listConnectors(), this.api.listApps()]);
    this.#list = list.ok ? list.value.connectors : [];
    this.#error = list.ok ? null : list.error;
    this.#apps = apps.ok ? apps.value.apps : [];
    const wanted = this.getAttribute('name') ?? this.#current?.name ?? this.#list[0]?.name ?? null;
    if (wanted && this.#list.some((c) => c.name === wanted)) await this.#select(wanted, { quiet: true });
    else this.#startNew({ quiet: true });
  }

  get #text() {
    return this.#els.textarea?.value ?? '';
  }

  async #select(name, { version = null, quiet = false } = {}) {
    if (!quiet && !(await this.#confirmDiscard())) return;
    this.#busy = 'loading';
    const answer = await this.api.getConnector(name, version);
    this.#busy = null;
    if (!answer.ok) {
      this.#notice = { tone: 'bad', text: answer.error.message };
      this.render();
      return;
    }
    this.#isNew = false;
    this.#from = null;
    if (this.#notice?.tone === 'info') this.#notice = null; // it was about the text being replaced
    this.#viewing = version && version !== answer.value.current ? version : null;
    if (!this.#viewing) this.#current = answer.value;
    else this.#current = { ...this.#current, name, versions: answer.value.versions, current: answer.value.current };
    this.#saved = `${JSON.stringify(answer.value.definition, null, 2)}\n`;
    this.#renderAll(this.#saved);
  }

  async #startNew({ quiet = false, text = NEW_CONNECTOR, from = null } = {}) {
    if (!quiet && !(await this.#confirmDiscard())) return;
    this.#isNew = true;
    this.#from = from;
    if (this.#notice?.tone === 'info') this.#notice = null; // it was about the text being replaced
    this.#viewing = null;
    this.#current = null;
    this.#saved = '';
    this.#renderAll(text);
    if (!quiet) this.#els.textarea?.focus();
  }

  #from = null; // the catalog entry a new connector's text came from

  // A catalog entry's definition in the editor: as a new connector, or over
  // the org's own of the same name (saving it makes the next version).
  async #startFromCatalog() {
    if (!(await this.#confirmDiscard())) return;
    const picked = await chooseFromCatalog(this, {
      title: 'Start from the catalog',
      lead: 'Load a provider\'s connector into the editor, check it, change what your provider needs, then save it.',
      connectors: this.#list,
    });
    if (!picked) {
      this.viewRoot.querySelector('[data-key="from-catalog"]')?.focus();
      return;
    }
    if (picked.blank) {
      await this.#startNew({ quiet: true });
      this.#els.textarea?.focus();
      return;
    }
    const { entry } = picked;
    const text = definitionText(entry);
    const have = this.#list.find((c) => c.name === entry.name);
    if (!have) {
      await this.#startNew({ quiet: true, text, from: entry });
      this.#notice = { tone: 'info', text: `The catalog's ${entry.title} connector, not saved yet: check it, then choose Create connector.` };
      this.#paintNotice();
    } else {
      await this.#select(entry.name, { quiet: true });
      if (this.#current?.name !== entry.name) return; // not loaded: #select says why
      const same = this.#saved === text;
      this.#notice = same
        ? { tone: 'info', text: `Your ${entry.name} (version ${have.version}) is the catalog's ${entry.title} connector already.` }
        : { tone: 'info', text: `The catalog's ${entry.title} connector replaces the text of your ${entry.name} (version ${have.version}): save to make it the next version, or open another connector to discard it.` };
      this.#renderAll(text);
    }
    // Read from the top: the caret goes to the start, not where setting the text left it.
    const ta = this.#els.textarea;
    ta?.setSelectionRange(0, 0);
    ta?.focus();
    if (ta) ta.scrollTop = 0;
    this.#syncScroll();
  }

  #dirty() {
    return !this.#viewing && this.#els.textarea && this.#text !== this.#saved;
  }

  async #confirmDiscard() {
    if (!this.#dirty()) return true;
    return this.confirmDialog({ title: 'Discard your changes?', body: [h('p', {}, 'The definition has unsaved changes. They are lost if you open another connector.')], confirm: 'Discard changes', danger: true });
  }

  #renderAll(text) {
    this.render();
    if (this.#els.textarea) {
      this.#els.textarea.value = text;
      this.#validate();
    }
  }

  // ---- live validation -------------------------------------------------------------

  #schedule() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#validate(), 150);
    this.#updateSaveState();
  }

  #validate() {
    const engine = engineNow();
    const e = this.#els;
    if (!e.textarea) return;
    if (!engine) {
      getEngine().then(() => this.#validate(), () => {});
      return;
    }
    const text = this.#text;
    const result = engine.validate(text);
    const map = locateAll(text);
    this.#problems = result.ok ? [] : result.errors.map((problem) => {
      let range = rangeOf(map, problem.path);
      const syntax = /line (\d+), column (\d+)/.exec(problem.message);
      if (syntax && problem.path === '') {
        const at = offsetOf(text, Number(syntax[1]), Number(syntax[2]));
        range = { start: Math.max(0, at - 1), end: Math.min(text.length, at + 1), exact: true };
      }
      const pos = range ? lineColumn(text, range.start) : { line: 1, column: 1 };
      return { ...problem, range, ...pos };
    });
    this.#summary = result.ok ? result.value : null;
    this.#paintHighlights();
    this.#paintProblems();
    this.#updateSaveState();
    if (e.preview) e.preview.definition = result.ok ? text : null;
  }

  #summary = null;

  #paintHighlights() {
    const e = this.#els;
    const text = this.#text;
    const ranges = this.#problems.map((p) => p.range).filter(Boolean).sort((a, b) => a.start - b.start);
    const nodes = [];
    let at = 0;
    for (const r of ranges) {
      if (r.start < at) continue; // overlapping: the first one wins
      nodes.push(text.slice(at, r.start));
      nodes.push(h('mark', {}, text.slice(r.start, Math.max(r.end, r.start + 1)) || ' '));
      at = Math.max(r.end, r.start + 1);
    }
    nodes.push(text.slice(at), '\n');
    e.highlight.replaceChildren(...nodes.map((n) => (typeof n === 'string' ? document.createTextNode(n) : n)));
    const lines = text.split('\n').length;
    const bad = new Set(this.#problems.map((p) => p.line));
    e.gutter.replaceChildren(...Array.from({ length: lines }, (_, i) => {
      const n = i + 1;
      return bad.has(n) ? h('span', { class: 'bad', title: 'Problem on this line' }, `● ${n}\n`) : `${n}\n`;
    }).map((n) => (typeof n === 'string' ? document.createTextNode(n) : n)));
    this.#syncScroll();
  }

  #paintProblems() {
    const e = this.#els;
    const n = this.#problems.length;
    e.textarea.setAttribute('aria-invalid', n ? 'true' : 'false');
    if (!n) {
      const s = this.#summary;
      e.status.className = 'status-line ok';
      e.status.replaceChildren(icon('check-circle'), h('span', {}, s ? `Valid ${s.type.replace('_', ' ')} connector "${s.name}"${s.fields.length ? ` · ${s.fields.length} field${s.fields.length === 1 ? '' : 's'}` : ''}` : 'Valid'));
      e.problems.replaceChildren();
      return;
    }
    e.status.className = 'status-line bad';
    e.status.replaceChildren(icon('x-circle'), h('span', {}, `${n} problem${n === 1 ? '' : 's'}`));
    e.problems.replaceChildren(...this.#problems.map((p, i) => h('li', {},
      h('button', { type: 'button', 'data-key': `problem-${i}`, onclick: () => this.#goTo(p) },
        h('span', { class: 'where' }, `${p.line}:${p.column}`),
        h('span', {}, p.message),
        h('span', { class: 'path' }, p.path || '(document)')))));
  }

  #goTo(problem) {
    const ta = this.#els.textarea;
    if (!problem.range) return ta.focus();
    ta.focus();
    ta.setSelectionRange(problem.range.start, problem.range.end);
    ta.scrollTop = Math.max(0, (problem.line - 4) * LINE_HEIGHT);
    this.#syncScroll();
  }

  #syncScroll() {
    const e = this.#els;
    if (!e.textarea) return;
    e.highlight.scrollTop = e.textarea.scrollTop;
    e.highlight.scrollLeft = e.textarea.scrollLeft;
    e.gutter.scrollTop = e.textarea.scrollTop;
  }

  #updateSaveState() {
    const e = this.#els;
    if (!e.save) return;
    const dirty = this.#dirty() || this.#isNew;
    e.save.disabled = Boolean(this.#viewing) || this.#busy === 'saving' || !dirty || this.#problems.length > 0;
    e.dirty.hidden = !this.#dirty();
  }

  // ---- save and restore ----------------------------------------------------------

  async #save() {
    let definition;
    try {
      definition = JSON.parse(this.#text);
    } catch {
      return;
    }
    const name = definition?.name;
    if (!this.#isNew && name !== this.#current?.name) {
      this.#notice = { tone: 'bad', text: `The name must stay "${this.#current.name}". To make another connector, choose New connector.` };
      this.#paintNotice();
      return;
    }
    this.#busy = 'saving';
    this.#updateSaveState();
    const answer = await this.api.putConnector(name, this.#text);
    this.#busy = null;
    if (!answer.ok) {
      if (answer.error.details) {
        // The edge's validator is the same engine: show its problems the same way.
        const map = locateAll(this.#text);
        this.#problems = answer.error.details.map((p) => {
          const range = rangeOf(map, p.path);
          return { ...p, range, ...(range ? lineColumn(this.#text, range.start) : { line: 1, column: 1 }) };
        });
        this.#paintHighlights();
        this.#paintProblems();
      }
      this.#notice = { tone: 'bad', text: `Not saved: ${answer.error.message}` };
      this.#paintNotice();
      this.#updateSaveState();
      return;
    }
    this.#notice = { tone: 'ok', text: `Saved ${answer.value.name} as version ${answer.value.version}.` };
    this.emit('connauth-connector-saved', answer.value);
    const list = await this.api.listConnectors();
    if (list.ok) this.#list = list.value.connectors;
    await this.#select(answer.value.name, { quiet: true });
    this.announce(this.#notice.text);
    this.#els.textarea?.focus();
  }

  async #restore(version) {
    const name = this.#current.name;
    const current = this.#current.current;
    const pinned = this.#apps.filter((a) => parseConnectorRef(a.connector)?.name === name && parseConnectorRef(a.connector)?.version);
    const ok = await this.confirmDialog({
      title: `Restore version ${version}?`,
      body: [h('p', {}, `Version ${version}'s definition becomes the current one, saved as a new version after ${current}. Apps that use ${name} without a pinned version use it at once.`),
        pinned.length ? h('p', { class: 'muted small' }, `Pinned apps are not affected: ${pinned.map((a) => `${a.name} (${a.connector})`).join(', ')}.`) : null,
        h('p', { class: 'muted small' }, 'Nothing is deleted: every version stays in the list.')],
      confirm: `Restore version ${version}`,
    });
    if (!ok) return;
    this.#busy = 'restoring';
    this.render();
    const answer = await this.api.rollback(name, version);
    this.#busy = null;
    if (!answer.ok) {
      this.#notice = { tone: 'bad', text: `Not restored: ${answer.error.message}` };
      this.render();
      return;
    }
    this.#notice = { tone: 'ok', text: `Version ${version} restored as version ${answer.value.version}.` };
    this.emit('connauth-connector-saved', answer.value);
    const list = await this.api.listConnectors();
    if (list.ok) this.#list = list.value.connectors;
    await this.#select(name, { quiet: true });
    this.announce(this.#notice.text);
    this.viewRoot.querySelector('[data-key="versions-title"]')?.focus();
  }

  #paintNotice() {
    const n = this.#notice;
    const box = this.#els.notice;
    if (!box) return;
    box.hidden = !n;
    if (!n) return;
    box.className = `callout tone-${n.tone}`;
    box.replaceChildren(icon({ ok: 'check-circle', info: 'info' }[n.tone] ?? 'x-circle'), h('p', { class: 'callout-text grow' }, n.text),
      h('button', { class: 'btn btn-sm btn-ghost', type: 'button', 'aria-label': 'Dismiss message', onclick: () => { this.#notice = null; this.#paintNotice(); } }, icon('x')));
    this.announce(n.text);
  }

  // ---- rendering ---------------------------------------------------------------------

  view() {
    if (!this.api) return null;
    if (!isAdmin()) return h('div', { class: 'callout tone-info' }, icon('info'), h('p', { class: 'callout-text' }, 'Only org admins manage connectors.'));
    if (!this.#list) return h('div', { class: 'row muted', 'aria-busy': 'true' }, spinner(), 'Loading connectors…');
    if (this.#error) return h('div', { class: 'callout tone-bad' }, icon('x-circle'), h('p', { class: 'callout-text' }, this.#error.message));
    const e = this.#els = {};
    const selected = this.#isNew ? null : this.#current?.name;
    const side = h('nav', { class: 'card side', 'aria-label': 'Connectors' },
      h('div', { class: 'card-head stack-sm' }, h('h3', {}, 'Connectors'),
        h('div', { class: 'row' },
          h('button', { class: 'btn btn-sm', type: 'button', 'data-key': 'new-connector', onclick: () => this.#startNew() }, icon('plus', 14), 'New'),
          h('button', { class: 'btn btn-sm', type: 'button', 'data-key': 'from-catalog', onclick: () => this.#startFromCatalog() }, icon('grid', 14), 'Start from catalog'))),
      this.#list.length
        ? h('ul', {}, this.#list.map((c) => h('li', {}, h('button', { class: 'btn', type: 'button', 'aria-current': c.name === selected ? 'true' : 'false',
          'data-key': `connector-${c.name}`, onclick: () => this.#select(c.name) }, h('span', { class: 'cname', title: c.name }, c.name), h('span', { class: 'chip' }, `v${c.version}`)))))
        : h('p', { class: 'muted small card-body' }, 'None yet.'));

    e.textarea = h('textarea', { id: 'definition', 'data-key': 'definition', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', wrap: 'off',
      'aria-describedby': 'validation-status', readonly: Boolean(this.#viewing),
      oninput: () => { this.#schedule(); this.#syncScroll(); }, onscroll: () => this.#syncScroll(),
      onkeydown: (ev) => this.#onKey(ev) });
    e.highlight = h('pre', { 'aria-hidden': 'true' });
    e.gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' });
    e.status = h('div', { class: 'status-line', id: 'validation-status', role: 'status' });
    e.problems = h('ul', { class: 'problems', 'aria-label': 'Problems' });
    e.save = h('button', { class: 'btn btn-primary', type: 'button', 'data-key': 'save', onclick: () => this.#save() }, icon('check'), this.#isNew ? 'Create connector' : 'Save as new version');
    e.dirty = h('span', { class: 'badge tone-warn', hidden: true }, 'Unsaved changes');
    e.notice = h('div', { hidden: true, role: 'status', 'data-testid': 'notice' });
    const title = this.#isNew ? (this.#from ? `New connector · ${this.#from.title} from the catalog` : 'New connector') : this.#viewing ? `${selected} · version ${this.#viewing}` : selected;

    const editorCard = h('section', { class: 'card', 'aria-labelledby': 'editor-title' },
      h('div', { class: 'card-head row-between' },
        h('div', { class: 'stack-sm' }, h('h2', { id: 'editor-title' }, title),
          h('p', { class: 'muted small' }, this.#isNew ? 'Write the definition; it is checked as you type.' : `Current version ${this.#current?.current}. Every save makes a new version.`)),
        h('div', { class: 'row' }, e.dirty, e.save)),
      h('div', { class: 'card-body stack' },
        this.#viewing ? h('div', { class: 'callout tone-info banner' }, h('span', { class: 'row' }, icon('eye'), `Viewing version ${this.#viewing} (read-only).`),
          h('span', { class: 'row' },
            h('button', { class: 'btn btn-sm btn-primary', type: 'button', 'data-key': 'restore-viewing', onclick: () => this.#restore(this.#viewing) }, icon('rotate', 14), 'Restore this version'),
            h('button', { class: 'btn btn-sm', type: 'button', onclick: () => this.#select(selected) }, 'Back to current'))) : null,
        e.notice,
        h('label', { for: 'definition', class: 'label' }, 'Definition (JSON)'),
        h('div', { class: ['editor', this.#viewing ? 'readonly' : ''] }, e.gutter, h('div', { class: 'code' }, e.highlight, e.textarea)),
        e.status, e.problems));

    const versions = this.#current && !this.#isNew ? h('section', { class: 'card', 'aria-labelledby': 'versions-title' },
      h('div', { class: 'card-head' }, h('h3', { id: 'versions-title', tabindex: '-1', 'data-key': 'versions-title' }, 'Versions')),
      h('div', { class: 'card-body' }, h('ol', { class: 'versions', reversed: true }, [...(this.#current.versions ?? [])].reverse().map((v) => h('li', {},
        h('div', { class: 'stack-sm' },
          h('span', { class: 'row' }, h('strong', {}, `Version ${v.version}`), v.version === this.#current.current ? h('span', { class: 'badge tone-ok' }, 'Current') : null,
            v.version === this.#viewing ? h('span', { class: 'badge tone-info plain' }, 'Viewing') : null),
          h('span', { class: 'muted small' }, h('time', { datetime: iso(v.created_at) }, when(v.created_at)), v.created_by ? ` · ${v.created_by}` : '',
            v.restored_from ? ` · restored from version ${v.restored_from}` : '')),
        v.version === this.#current.current ? null : h('span', { class: 'row' },
          h('button', { class: 'btn btn-sm', type: 'button', 'data-key': `view-${v.version}`, 'aria-label': `View version ${v.version}`, onclick: () => this.#select(selected, { version: v.version, quiet: true }) }, icon('eye', 14), 'View'),
          h('button', { class: 'btn btn-sm', type: 'button', 'data-key': `restore-${v.version}`, 'aria-label': `Restore version ${v.version}`, disabled: this.#busy === 'restoring', onclick: () => this.#restore(v.version) }, icon('rotate', 14), 'Restore'))))))) : null;

    e.preview = document.createElement('connauth-apply-preview');
    const name = this.#isNew ? null : selected;
    e.preview.apps = this.#apps.filter((a) => !name || parseConnectorRef(a.connector)?.name === name);
    const preview = h('section', { class: 'card', 'aria-labelledby': 'preview-title' },
      h('div', { class: 'card-head' }, h('h3', { id: 'preview-title' }, 'Apply preview'),
        h('p', { class: 'muted small' }, 'What the edge adds to a request, computed by the same engine from the definition above.')),
      h('div', { class: 'card-body' }, e.preview));

    const main = h('div', { class: 'main' }, editorCard, h('div', { class: 'two' }, preview, versions));
    queueMicrotask(() => this.#paintNotice());
    return h('div', { class: 'layout' }, side, main);
  }

  // Tab inserts two spaces (Escape then Tab leaves the editor, so the keyboard is never trapped).
  #onKey(event) {
    const ta = event.currentTarget;
    if (event.key === 'Escape') {
      this.#escaped = true;
      return;
    }
    if (event.key === 'Tab' && !event.shiftKey && !this.#escaped && !ta.readOnly) {
      event.preventDefault();
      ta.setRangeText('  ', ta.selectionStart, ta.selectionEnd, 'end');
      this.#schedule();
      return;
    }
    this.#escaped = false;
  }

  #escaped = false;
}

define('connauth-connectors', ConnauthConnectors);
