// <connauth-health>: every connection of the org for its admins (SPEC §9),
// lost and degraded first, so that a broken connection is seen before an
// automation needs it. Each row: status, app, user, identity, the cause,
// message and recommended action of SPEC §4, last success and last use.
// Filters: app, status, user (a user's name in a row filters to that user).
//
// Attributes: app, status, user: the initial filters (a host console can
// link to a filtered view); app-href: a link template for an app's own page
// in the host console, with {id} for the app id (without it, app names are
// plain text); page-size: rows read per page (default 50).
// Event: `connauth-health-filter` {app, status, user} when the filters change.
import { h, icon, spinner } from '../lib/dom.mjs';
import { ConnauthElement, define } from '../lib/element.mjs';
import { isAdmin } from '../lib/config.mjs';
import { STATUS, causeLabel, fromNow, iso, statusLabel, statusTone, when } from '../lib/format.mjs';

// The order rows are read in when no status filter is set: problems first.
const ORDER = ['lost', 'degraded', 'connected', 'disabled', 'not_connected'];
const PAGE = 50;

const STYLES = `
.filters { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 12px 16px; padding: 14px 18px; }
.filters .field { min-width: 180px; flex: 1 1 180px; max-width: 280px; }
.filters .filter-actions { display: flex; gap: 8px; margin-left: auto; }
table.connections td { font-size: .88rem; }
table.connections tr[data-status="lost"] td:first-child { box-shadow: inset 3px 0 0 var(--ca-bad); }
table.connections tr[data-status="degraded"] td:first-child { box-shadow: inset 3px 0 0 var(--ca-warn); }
.problem { display: flex; flex-direction: column; gap: 2px; max-width: 46ch; }
.problem .cause { font-weight: 600; }
.problem .detail { color: var(--ca-muted); font-size: .8rem; overflow-wrap: anywhere; }
.user-btn { font-weight: 550; }
.identity { overflow-wrap: anywhere; }
.counts { display: flex; flex-wrap: wrap; gap: 6px; }
/* Narrow screens: each connection as a block of labelled lines. */
@media (max-width: 760px) {
  .filters .field { max-width: none; }
  table.connections thead { display: none; }
  table.connections, table.connections tbody, table.connections tr, table.connections td { display: block; }
  table.connections tr { padding: 10px 14px; border-bottom: 1px solid var(--ca-border); }
  table.connections tr:last-child { border-bottom: 0; }
  table.connections td { border: 0; padding: 2px 0; }
  table.connections td[data-label]::before { content: attr(data-label) ": "; color: var(--ca-muted); font-size: .8rem; }
  table.connections tr[data-status] td:first-child { box-shadow: none; }
  table.connections tr[data-status="lost"] { box-shadow: inset 3px 0 0 var(--ca-bad); }
  table.connections tr[data-status="degraded"] { box-shadow: inset 3px 0 0 var(--ca-warn); }
}
`;

export class ConnauthHealth extends ConnauthElement {
  static styles = STYLES;
  static observedAttributes = ['app', 'status', 'user'];

  #apps = [];
  #items = [];
  #seen = new Set(); // app id + user: a row shown once even if its status changed between pages
  #queue = []; // statuses still to read, in ORDER
  #cursor = null;
  #loading = false;
  #error = null;
  #generation = 0;

  #setting = false; // setFilters changes several attributes and reloads once

  attributeChangedCallback() {
    if (!this.#setting && this.isConnected && this.api) this.load();
  }

  configChanged() {
    this.#apps = [];
    this.load();
  }

  /** The filters in force: {app, status, user} ('' when unset). */
  get filters() {
    return {
      app: this.getAttribute('app') ?? '',
      status: STATUS[this.getAttribute('status')] ? this.getAttribute('status') : '',
      user: this.getAttribute('user') ?? '',
    };
  }

  /** Sets the filters (as attributes, so the list reloads once). */
  setFilters(next) {
    const merged = { ...this.filters, ...next };
    this.#setting = true;
    for (const key of ['app', 'status', 'user']) {
      if (merged[key]) this.setAttribute(key, merged[key]);
      else this.removeAttribute(key);
    }
    this.#setting = false;
    this.emit('connauth-health-filter', this.filters);
    this.load();
  }

  /** Reads the list again from the top. */
  async load() {
    const generation = ++this.#generation;
    this.#items = [];
    this.#seen = new Set();
    this.#error = null;
    this.#cursor = null;
    const { status } = this.filters;
    this.#queue = status ? [status] : [...ORDER];
    if (!this.api || !isAdmin()) {
      this.render();
      return;
    }
    this.#loading = true;
    this.render();
    // The app filter's choices (read once per session).
    if (!this.#apps.length) {
      const apps = await this.api.listApps();
      if (generation !== this.#generation) return;
      if (apps.ok) this.#apps = apps.value.apps ?? [];
    }
    await this.#more(generation);
  }

  // Reads pages (lost, then degraded, then the rest) until a page's worth of
  // rows is shown or every status is read.
  async #more(generation = this.#generation) {
    const fromMore = this.shadowRoot.activeElement?.dataset.key === 'more';
    const before = this.#items.length;
    this.#loading = true;
    this.#error = null;
    this.render();
    const { app, user } = this.filters;
    const page = this.#pageSize();
    let added = 0;
    while (this.#queue.length && added < page) {
      const answer = await this.api.listOrgConnections({ app, user, status: this.#queue[0], cursor: this.#cursor, limit: page });
      if (generation !== this.#generation) return;
      if (!answer.ok) {
        this.#error = answer;
        break;
      }
      for (const item of answer.value.items ?? []) {
        const key = `${item.app?.id}\u0000${item.user}`;
        if (this.#seen.has(key)) continue;
        this.#seen.add(key);
        this.#items.push(item);
        added += 1;
      }
      this.#cursor = answer.value.next_cursor ?? null;
      if (!this.#cursor) this.#queue.shift();
    }
    this.#loading = false;
    this.render();
    // The last page read: the focus moves from the gone button to the first new row (or the last row).
    if (fromMore && !this.#queue.length) {
      const users = this.viewRoot.querySelectorAll('tbody tr .user-btn');
      (users[before] ?? users[users.length - 1])?.focus();
    }
    if (!this.#error) this.announce(this.#summary());
  }

  #pageSize() {
    const n = Number.parseInt(this.getAttribute('page-size') ?? '', 10);
    return n >= 1 && n <= 200 ? n : PAGE;
  }

  #summary() {
    const lost = this.#items.filter((i) => i.status === 'lost').length;
    const degraded = this.#items.filter((i) => i.status === 'degraded').length;
    const n = this.#items.length;
    return `${n} connection${n === 1 ? '' : 's'} shown${this.#queue.length ? ' so far' : ''}: ${lost} lost, ${degraded} degraded.`;
  }

  view() {
    if (!this.api) return null;
    if (!isAdmin()) {
      return h('div', { class: 'callout tone-info' }, icon('info'), h('p', { class: 'callout-text' }, 'Only org admins see every connection of the organisation.'));
    }
    return h('div', { class: 'stack' }, this.#filterBar(), this.#body());
  }

  #filterBar() {
    const f = this.filters;
    const filtered = f.app || f.status || f.user;
    const apps = [...this.#apps];
    // An app filter for an app not (or no longer) in the list still shows what it is.
    if (f.app && !apps.some((a) => a.id === f.app)) apps.push({ id: f.app, name: f.app });
    return h('form', { class: 'card filters', role: 'search', 'aria-label': 'Filter connections', onsubmit: (e) => {
      e.preventDefault();
      const user = e.currentTarget.elements.user.value.trim();
      if (user !== this.filters.user) this.setFilters({ user });
    } },
    h('div', { class: 'field' }, h('label', { for: 'filter-app' }, 'App'),
      h('select', { id: 'filter-app', name: 'app', 'data-key': 'filter-app', onchange: (e) => this.setFilters({ app: e.currentTarget.value }) },
        h('option', { value: '', selected: !f.app }, 'All apps'),
        apps.map((a) => h('option', { value: a.id, selected: a.id === f.app }, a.name)))),
    h('div', { class: 'field' }, h('label', { for: 'filter-status' }, 'Status'),
      h('select', { id: 'filter-status', name: 'status', 'data-key': 'filter-status', onchange: (e) => this.setFilters({ status: e.currentTarget.value }) },
        h('option', { value: '', selected: !f.status }, 'Any (problems first)'),
        ORDER.map((s) => h('option', { value: s, selected: s === f.status }, statusLabel(s))))),
    h('div', { class: 'field' }, h('label', { for: 'filter-user' }, 'User'),
      h('input', { id: 'filter-user', name: 'user', type: 'text', 'data-key': 'filter-user', value: f.user, autocomplete: 'off', spellcheck: 'false',
        placeholder: 'Any user (exact id)', 'aria-describedby': 'filter-user-hint',
        onchange: (e) => { if (e.currentTarget.value.trim() !== this.filters.user) this.setFilters({ user: e.currentTarget.value.trim() }); } }),
      h('span', { class: 'sr-only', id: 'filter-user-hint' }, 'The exact user id; Enter applies it.')),
    h('div', { class: 'filter-actions' },
      filtered ? h('button', { class: 'btn', type: 'button', 'data-key': 'clear-filters', onclick: () => this.setFilters({ app: '', status: '', user: '' }) }, icon('x', 14), 'Clear filters') : null,
      h('button', { class: 'btn', type: 'button', 'data-key': 'refresh', disabled: this.#loading, onclick: () => this.load() }, icon('refresh', 14), 'Refresh')));
  }

  #body() {
    const failure = this.#error;
    const error = failure ? h('div', { class: 'callout tone-bad', role: 'alert', 'data-testid': 'error' }, icon('x-circle'),
      h('div', { class: 'callout-text grow stack-sm' },
        h('h4', {}, failure.status === 403 ? 'Only org admins see every connection' : 'Could not load the connections'),
        h('p', {}, failure.error.message),
        h('div', {}, h('button', { class: 'btn btn-sm', type: 'button', 'data-key': 'retry', onclick: () => (this.#items.length ? this.#more() : this.load()) }, icon('refresh', 14), 'Try again')))) : null;
    if (!this.#items.length) {
      if (this.#loading) return h('div', { class: 'row muted', 'aria-busy': 'true' }, spinner(), 'Loading connections…');
      if (error) return error;
      const f = this.filters;
      return h('div', { class: 'card empty', 'data-testid': 'empty' },
        f.app || f.status || f.user
          ? [h('h3', {}, 'No connections match these filters'), h('p', {}, 'Clear the filters to see every connection of your organisation.')]
          : [h('h3', {}, 'No connections yet'), h('p', {}, 'When users connect your organisation\'s apps, their connections and their health appear here.')]);
    }
    const lost = this.#items.filter((i) => i.status === 'lost').length;
    const degraded = this.#items.filter((i) => i.status === 'degraded').length;
    return [
      h('div', { class: 'row-between' },
        h('p', { class: 'muted', 'data-testid': 'summary' }, `${this.#items.length} connection${this.#items.length === 1 ? '' : 's'}${this.#queue.length ? ' shown so far' : ''}`),
        h('div', { class: 'counts' },
          lost ? h('span', { class: 'badge tone-bad' }, `${lost} lost`) : null,
          degraded ? h('span', { class: 'badge tone-warn' }, `${degraded} degraded`) : null,
          !lost && !degraded && !this.#queue.length ? h('span', { class: 'badge tone-ok' }, 'No problems') : null)),
      h('div', { class: 'card table-wrap' }, h('table', { class: 'connections' },
        h('caption', { class: 'sr-only' }, 'Connections of your organisation, lost and degraded first'),
        h('thead', {}, h('tr', {}, ['Status', 'App', 'User', 'Account', 'Problem and what to do', 'Last success', 'Last used'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, this.#items.map((item) => this.#row(item))))),
      error,
      // The button stays (aria-disabled) while it loads, so the keyboard focus stays on it.
      !error && this.#queue.length
        ? h('div', {}, h('button', { class: 'btn', type: 'button', 'data-key': 'more', 'aria-disabled': this.#loading ? 'true' : false, 'aria-busy': this.#loading ? 'true' : false,
          onclick: () => { if (!this.#loading) this.#more(); } }, this.#loading ? [spinner(), 'Loading more…'] : 'Show more'))
        : null,
    ];
  }

  #row(item) {
    const app = item.app ?? {};
    const href = this.getAttribute('app-href');
    const problem = (item.status === 'lost' || item.status === 'degraded') && item.lost;
    return h('tr', { 'data-status': item.status, 'data-app': app.id, 'data-user': item.user },
      h('td', {}, h('span', { class: ['badge', `tone-${statusTone(item.status)}`], 'data-testid': 'status' }, statusLabel(item.status))),
      h('td', { 'data-label': 'App' }, href ? h('a', { href: href.replaceAll('{id}', encodeURIComponent(app.id)) }, app.name ?? app.id) : h('span', {}, app.name ?? app.id),
        item.connector_version ? h('div', { class: 'muted small' }, `connector v${item.connector_version}`) : null),
      h('td', { 'data-label': 'User' }, h('button', { class: 'link-btn user-btn', type: 'button', 'data-key': `user-${app.id}-${item.user}`, title: `Show only ${item.user}'s connections`,
        onclick: () => this.setFilters({ user: item.user }) }, item.user)),
      h('td', { class: 'identity', 'data-label': 'Account' }, item.identity || h('span', { class: 'muted' }, '—')),
      h('td', { 'data-label': problem ? false : 'Problem' }, problem ? h('div', { class: 'problem', 'data-testid': 'problem' },
        h('span', { class: 'cause', 'data-cause': item.lost.cause }, causeLabel(item.lost.cause)),
        item.lost.message ? h('span', {}, item.lost.message) : null,
        item.lost.action ? h('span', {}, h('strong', {}, 'What to do: '), item.lost.action) : null,
        detailText(item.lost.detail) ? h('span', { class: 'detail' }, detailText(item.lost.detail)) : null)
        : h('span', { class: 'muted' }, '—')),
      h('td', { class: 'nowrap', 'data-label': 'Last success' }, time(item.last_success_at)),
      h('td', { class: 'nowrap', 'data-label': 'Last used' }, time(item.last_used_at)));
  }
}

function time(value) {
  return iso(value) ? h('time', { datetime: iso(value), title: when(value) }, fromNow(value)) : h('span', { class: 'muted' }, 'never');
}

// The diagnosis detail (an HTTP status, an error code…) as one line of text.
function detailText(detail) {
  if (detail === null || detail === undefined || detail === '') return '';
  return typeof detail === 'string' ? detail : JSON.stringify(detail);
}

define('connauth-health', ConnauthHealth);
