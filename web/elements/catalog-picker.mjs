// The catalog picker: a modal dialog that searches the connector catalog
// (lib/catalog.mjs) by name or title and answers the provider the admin
// chose. "New app" (connauth-apps) and the connector editor
// (connauth-connectors) open it; the catalog is fetched on the first open.
//
// Keyboard: type to filter; Enter chooses the first match; Down and Up move
// between the providers' Choose buttons; Escape cancels.
import { h, icon, spinner } from '../lib/dom.mjs';
import { loadCatalog, searchCatalog, authLabel, documentationUrl } from '../lib/catalog.mjs';

export const PICKER_STYLES = `
.catalog-list { list-style: none; margin: 0; padding: 2px; display: flex; flex-direction: column; gap: 8px; max-height: min(52vh, 480px); overflow: auto; }
.catalog-entry { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 6px 16px; align-items: center; padding: 12px 14px;
  border: 1px solid var(--ca-border); border-radius: var(--ca-radius-sm); background: var(--ca-surface); }
.catalog-entry:focus-within { border-color: var(--ca-primary); }
.catalog-entry h3 { font-size: .95rem; }
.catalog-entry .desc { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.catalog-actions { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; justify-content: flex-end; }
.catalog-actions a { display: inline-flex; gap: 4px; align-items: center; font-size: .86rem; border-radius: 4px; }
@media (max-width: 640px) { .catalog-entry { grid-template-columns: 1fr; } .catalog-actions { justify-content: flex-start; } }
`;

/**
 * Opens the picker over `host` (a ConnauthElement whose styles include
 * PICKER_STYLES). `connectors`: the org's [{name, version}], to mark the
 * providers it already has.
 * @returns {Promise<{entry: object} | {blank: true} | null>} null when cancelled
 */
export function chooseFromCatalog(host, { title, lead, connectors = [] }) {
  return new Promise((resolve) => {
    let entries = null;
    let answer = null;
    const search = h('input', { type: 'search', id: 'catalog-search', 'data-key': 'catalog-search', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'e.g. GitHub, Google, Slack', 'aria-controls': 'catalog-results', 'aria-describedby': 'catalog-count', disabled: true });
    const count = h('p', { class: 'muted small', id: 'catalog-count', role: 'status', 'aria-live': 'polite' });
    const results = h('div', { id: 'catalog-results' }, h('p', { class: 'row muted', 'aria-busy': 'true' }, spinner(), 'Loading the catalog…'));
    const done = (value) => {
      answer = value;
      dialog.close();
    };
    const blank = h('button', { class: 'btn', type: 'button', 'data-key': 'catalog-blank', onclick: () => done({ blank: true }) }, icon('plus', 14), 'Start from blank');

    const choose = () => [...results.querySelectorAll('button[data-choose]')];
    const paint = () => {
      const matches = searchCatalog(entries, search.value);
      const query = search.value.trim();
      count.textContent = matches.length
        ? `${matches.length} provider${matches.length === 1 ? '' : 's'}${query ? ` matching "${query}"` : ''}`
        : '';
      if (!matches.length) {
        results.replaceChildren(h('div', { class: 'card empty', 'data-testid': 'catalog-empty' },
          h('h3', {}, query ? `No provider matches "${query}"` : 'The catalog is empty'),
          h('p', {}, 'Try another name, or start from blank and write the connector yourself.')));
        count.textContent = query ? `No provider matches "${query}"` : 'The catalog is empty';
        return;
      }
      results.replaceChildren(h('ul', { class: 'catalog-list', role: 'list', 'aria-label': 'Providers' }, matches.map((entry) => {
        const have = connectors.find((c) => c.name === entry.name);
        const docs = documentationUrl(entry);
        return h('li', { class: 'catalog-entry', 'data-entry': entry.name },
          h('div', { class: 'stack-sm' },
            h('div', { class: 'row' }, h('h3', { id: `catalog-${entry.name}` }, entry.title), h('span', { class: 'chip' }, entry.name),
              h('span', { class: 'badge plain tone-info', 'data-testid': 'auth-type' }, authLabel(entry)),
              have ? h('span', { class: 'badge plain tone-ok' }, `In your connectors · v${have.version}`) : null),
            entry.description ? h('p', { class: 'muted small desc' }, entry.description) : null),
          h('div', { class: 'catalog-actions' },
            docs ? h('a', { href: docs, target: '_blank', rel: 'noopener noreferrer', 'aria-label': `${entry.title} documentation (opens in a new tab)` },
              icon('external', 14), 'Documentation') : null,
            h('button', { class: 'btn btn-sm btn-primary', type: 'button', 'data-choose': entry.name, 'data-key': `choose-${entry.name}`,
              'aria-describedby': `catalog-${entry.name}`, onclick: () => done({ entry }) }, 'Choose')));
      })));
    };

    const load = async () => {
      results.replaceChildren(h('p', { class: 'row muted', 'aria-busy': 'true' }, spinner(), 'Loading the catalog…'));
      const loaded = await loadCatalog();
      if (!loaded.ok) {
        results.replaceChildren(h('div', { class: 'callout tone-bad', role: 'alert', 'data-testid': 'catalog-error' }, icon('x-circle'),
          h('div', { class: 'callout-text stack-sm' }, h('h4', {}, 'Could not load the connector catalog'), h('p', {}, loaded.error.message),
            h('p', { class: 'small' }, 'You can still start from blank.')),
          h('button', { class: 'btn btn-sm', type: 'button', 'data-key': 'catalog-retry', onclick: () => load() }, icon('refresh', 14), 'Retry')));
        return;
      }
      entries = loaded.value;
      search.disabled = false;
      paint();
      search.focus();
    };

    search.addEventListener('input', () => paint());
    search.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        choose()[0]?.click();
      } else if (event.key === 'ArrowDown') {
        event.preventDefault();
        choose()[0]?.focus();
      }
    });
    results.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
      const buttons = choose();
      const at = buttons.indexOf(event.target);
      if (at < 0) return;
      event.preventDefault();
      const next = at + (event.key === 'ArrowDown' ? 1 : -1);
      (next < 0 ? search : buttons[Math.min(next, buttons.length - 1)]).focus();
    });

    const dialog = h('dialog', { class: 'wide', 'aria-labelledby': 'catalog-title', 'data-testid': 'catalog-picker' },
      h('div', { class: 'dialog-head stack-sm' }, h('h2', { id: 'catalog-title' }, title), lead ? h('p', { class: 'muted small' }, lead) : null),
      h('div', { class: 'dialog-body stack' },
        h('div', { class: 'field' }, h('label', { for: 'catalog-search' }, 'Search providers'), search, count),
        results),
      h('div', { class: 'dialog-foot' },
        h('button', { class: 'btn', type: 'button', onclick: () => done(null) }, 'Cancel'), blank));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    host.shadowRoot.append(dialog);
    dialog.showModal();
    blank.focus(); // until the catalog is there; then the search box
    load();
  });
}
