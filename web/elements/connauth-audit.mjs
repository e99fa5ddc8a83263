// <connauth-audit>: the org's audit log for its admins (SPEC §9), newest
// first: who did what to which app, connector, webhook or connection, when,
// and which fields changed (by name: the log never holds a value).
//
// Attribute: page-size: entries read per page (default 50).
import { h, icon, spinner } from '../lib/dom.mjs';
import { ConnauthElement, define } from '../lib/element.mjs';
import { isAdmin } from '../lib/config.mjs';
import { exact, iso } from '../lib/format.mjs';

const PAGE = 50;

const STYLES = `
table.audit td { font-size: .88rem; }
.changed { display: flex; flex-wrap: wrap; gap: 4px; }
/* Narrow screens: each entry as a block of labelled lines. */
@media (max-width: 760px) {
  table.audit thead { display: none; }
  table.audit, table.audit tbody, table.audit tr, table.audit td { display: block; }
  table.audit tr { padding: 10px 14px; border-bottom: 1px solid var(--ca-border); }
  table.audit tr:last-child { border-bottom: 0; }
  table.audit td { border: 0; padding: 2px 0; }
  table.audit td[data-label]::before { content: attr(data-label) ": "; color: var(--ca-muted); font-size: .8rem; }
}
`;

export class ConnauthAudit extends ConnauthElement {
  static styles = STYLES;
  #items = [];
  #cursor = null;
  #done = false;
  #loading = false;
  #error = null;
  #generation = 0;

  configChanged() {
    this.load();
  }

  /** Reads the log again from the newest entry. */
  async load() {
    this.#generation += 1;
    this.#items = [];
    this.#cursor = null;
    this.#done = false;
    if (!this.api || !isAdmin()) {
      this.render();
      return;
    }
    await this.#more();
  }

  async #more() {
    const generation = this.#generation;
    const fromMore = this.shadowRoot.activeElement?.dataset.key === 'more';
    this.#loading = true;
    this.#error = null;
    this.render();
    const size = Number.parseInt(this.getAttribute('page-size') ?? '', 10);
    const answer = await this.api.listAudit({ cursor: this.#cursor, limit: size >= 1 && size <= 200 ? size : PAGE });
    if (generation !== this.#generation) return;
    this.#loading = false;
    if (answer.ok) {
      this.#items.push(...(answer.value.items ?? []));
      this.#cursor = answer.value.next_cursor ?? null;
      this.#done = !this.#cursor;
    } else {
      this.#error = answer.error;
    }
    this.render();
    // The last page read: the focus moves from the gone button to Refresh.
    if (fromMore && this.#done) this.viewRoot.querySelector('[data-key="refresh"]')?.focus();
  }

  view() {
    if (!this.api) return null;
    if (!isAdmin()) {
      return h('div', { class: 'callout tone-info' }, icon('info'), h('p', { class: 'callout-text' }, 'Only org admins read the audit log.'));
    }
    const error = this.#error ? h('div', { class: 'callout tone-bad', role: 'alert', 'data-testid': 'error' }, icon('x-circle'),
      h('div', { class: 'callout-text stack-sm' }, h('h4', {}, 'Could not load the audit log'), h('p', {}, this.#error.message),
        h('div', {}, h('button', { class: 'btn btn-sm', type: 'button', 'data-key': 'retry', onclick: () => this.#more() }, icon('refresh', 14), 'Try again')))) : null;
    if (!this.#items.length) {
      if (this.#loading) return h('div', { class: 'row muted', 'aria-busy': 'true' }, spinner(), 'Loading the audit log…');
      if (error) return error;
      return h('div', { class: 'card empty', 'data-testid': 'empty' }, h('h3', {}, 'Nothing recorded yet'),
        h('p', {}, 'Changes to apps, connectors, webhooks and connections appear here.'));
    }
    return h('div', { class: 'stack' },
      h('div', { class: 'row-between' },
        h('p', { class: 'muted' }, `${this.#items.length} entr${this.#items.length === 1 ? 'y' : 'ies'}, newest first`),
        h('button', { class: 'btn btn-sm', type: 'button', 'data-key': 'refresh', disabled: this.#loading, onclick: () => this.load() }, icon('refresh', 14), 'Refresh')),
      h('div', { class: 'card table-wrap' }, h('table', { class: 'audit' },
        h('caption', { class: 'sr-only' }, 'Audit log, newest first'),
        h('thead', {}, h('tr', {}, ['When', 'Who', 'What', 'Target', 'Fields changed'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, this.#items.map((entry) => h('tr', { 'data-action': entry.action },
          h('td', { class: 'nowrap' }, h('time', { datetime: iso(entry.at) }, exact(entry.at))),
          h('td', { 'data-label': 'Who' }, entry.actor ?? '—'),
          h('td', { 'data-label': 'What' }, h('code', {}, entry.action)),
          h('td', { 'data-label': 'Target' }, h('span', { class: 'muted' }, entry.target?.type ?? ''), ' ', entry.target?.name ?? entry.target?.id ?? '',
            entry.target?.name && entry.target?.id ? h('div', { class: 'muted small mono' }, entry.target.id) : null),
          h('td', { 'data-label': 'Fields changed' }, entry.changed?.length ? h('div', { class: 'changed' }, entry.changed.map((f) => h('span', { class: 'chip' }, f))) : h('span', { class: 'muted' }, '—'))))))),
      error,
      // The button stays (aria-disabled) while it loads, so the keyboard focus stays on it.
      !error && !this.#done
        ? h('div', {}, h('button', { class: 'btn', type: 'button', 'data-key': 'more', 'aria-disabled': this.#loading ? 'true' : false, 'aria-busy': this.#loading ? 'true' : false,
          onclick: () => { if (!this.#loading) this.#more(); } }, this.#loading ? [spinner(), 'Loading more…'] : 'Show more'))
        : null);
  }
}

define('connauth-audit', ConnauthAudit);
