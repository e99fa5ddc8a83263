// <connauth-webhooks>: the org admin's webhooks (SPEC §9): add one (its
// signing secret is answered once, so it is shown once, with a copy button,
// and dropped when dismissed), list, delete, and each one's recent
// deliveries with their attempts and last error.
//
// Event: `connauth-webhooks-changed` {action, webhook} after a create or delete.
import { h, icon, spinner } from '../lib/dom.mjs';
import { ConnauthElement, define } from '../lib/element.mjs';
import { isAdmin } from '../lib/config.mjs';
import { fromNow, iso, short, when } from '../lib/format.mjs';
import { EVENT_TYPES } from '../lib/event-types.mjs';

const STYLES = `
.hooks { display: flex; flex-direction: column; gap: 12px; list-style: none; margin: 0; padding: 0; }
.hook-head { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; justify-content: space-between; padding: 14px 18px; }
.hook-url { font-family: var(--ca-mono); font-size: .86rem; overflow-wrap: anywhere; }
.hook-body { padding: 0 18px 14px; }
.events { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 4px 14px; }
.events .check { align-items: center; }
.events .check input { margin-top: 0; }
.secret-box { display: flex; gap: 8px; }
.secret-box input { font-family: var(--ca-mono); font-size: .82rem; }
table.deliveries td { font-size: .84rem; }
.error-text { overflow-wrap: anywhere; max-width: 40ch; }
`;

const DELIVERY_TONE = { delivered: 'ok', succeeded: 'ok', pending: 'info', retrying: 'warn', failed: 'bad' };

export class ConnauthWebhooks extends ConnauthElement {
  static styles = STYLES;
  #webhooks = null;
  #error = null;
  #created = null; // the webhook just created, with its secret (shown once)
  #formError = null; // {message, details}
  #saving = false;
  #draft = { url: '', events: [] }; // what the add form holds (it is rebuilt on every render)
  #deliveries = new Map(); // webhook id → {items, next_cursor, loading, error}
  #notice = null;

  configChanged() {
    this.#created = null;
    this.load();
  }

  async load() {
    if (!this.api || !isAdmin()) {
      this.render();
      return;
    }
    const answer = await this.api.listWebhooks();
    this.#webhooks = answer.ok ? answer.value.webhooks ?? [] : null;
    this.#error = answer.ok ? null : answer.error;
    this.render();
  }

  view() {
    if (!this.api) return null;
    if (!isAdmin()) {
      return h('div', { class: 'callout tone-info' }, icon('info'), h('p', { class: 'callout-text' }, 'Only org admins manage webhooks.'));
    }
    return h('div', { class: 'stack-lg' }, this.#secretView(), this.#form(), this.#list());
  }

  // ---- the secret, once ---------------------------------------------------------

  #secretView() {
    const hook = this.#created;
    if (!hook) return null;
    const copy = async (e) => {
      const button = e.currentTarget;
      try {
        await navigator.clipboard.writeText(hook.secret);
        this.announce('Secret copied.');
        button.replaceChildren(icon('check', 14), 'Copied');
      } catch {
        // No clipboard permission: the field is selected for Ctrl+C instead.
        this.viewRoot.querySelector('#new-secret')?.select();
        this.announce('Press Ctrl+C or Command+C to copy the selected secret.');
      }
    };
    return h('div', { class: 'callout tone-ok', 'data-testid': 'secret' }, icon('key'),
      h('div', { class: 'callout-text grow stack-sm' },
        h('h4', {}, 'Webhook added: copy its signing secret now'),
        h('p', {}, 'Deliveries to ', h('code', {}, hook.url), ' are signed with this secret (Standard Webhooks: the ',
          h('code', {}, 'webhook-signature'), ' header). It is shown only this once: store it in your receiver\'s configuration.'),
        h('label', { for: 'new-secret', class: 'sr-only' }, 'Signing secret'),
        h('div', { class: 'secret-box' },
          h('input', { id: 'new-secret', type: 'text', readonly: true, value: hook.secret, autocomplete: 'off', spellcheck: 'false', 'data-key': 'new-secret',
            onfocus: (e) => e.currentTarget.select() }),
          h('button', { class: 'btn', type: 'button', 'data-key': 'copy-secret', onclick: copy }, icon('key', 14), 'Copy')),
        h('div', {}, h('button', { class: 'btn btn-sm', type: 'button', 'data-key': 'secret-done', onclick: () => this.#dismissSecret() }, 'I have stored it'))));
  }

  #dismissSecret() {
    this.#created = null;
    this.render();
    this.viewRoot.querySelector('[data-key="webhook-url"]')?.focus();
  }

  // ---- add a webhook ------------------------------------------------------------

  #form() {
    const problems = this.#formError;
    const urlProblem = problems?.details?.find((d) => d.path === '/url')?.message;
    const eventsProblem = problems?.details?.find((d) => d.path.startsWith('/events'))?.message;
    const other = problems && !urlProblem && !eventsProblem ? problems.message : null;
    const draft = this.#draft;
    return h('form', { class: 'card', 'aria-labelledby': 'add-title', onsubmit: (e) => this.#create(e), oninput: (e) => this.#keep(e.currentTarget) },
      h('div', { class: 'card-body stack' },
        h('h2', { id: 'add-title' }, 'Add a webhook'),
        h('p', { class: 'muted' }, 'connauth posts an event to this URL whenever a connection changes status or an admin changes an app or connector, retrying for at least a day until it answers 2xx.'),
        h('div', { class: 'field' }, h('label', { for: 'webhook-url' }, 'Endpoint URL'),
          h('input', { id: 'webhook-url', name: 'url', type: 'url', required: true, 'data-key': 'webhook-url', placeholder: 'https://example.com/hooks/connauth',
            value: draft.url, autocomplete: 'off', spellcheck: 'false', 'aria-invalid': urlProblem ? 'true' : false,
            'aria-describedby': urlProblem ? 'webhook-url-err webhook-url-hint' : 'webhook-url-hint' }),
          h('span', { class: 'hint', id: 'webhook-url-hint' }, 'An https URL.'),
          urlProblem ? h('span', { class: 'field-error', id: 'webhook-url-err' }, icon('alert', 14), urlProblem) : null),
        h('fieldset', { 'aria-describedby': eventsProblem ? 'events-err' : 'events-hint' },
          h('legend', {}, 'Events'),
          h('p', { class: 'hint', id: 'events-hint' }, 'None ticked: every event.'),
          h('div', { class: 'events' }, EVENT_TYPES.map((type) => h('label', { class: 'check' },
            h('input', { type: 'checkbox', name: 'events', value: type, checked: draft.events.includes(type) }), h('code', {}, type)))),
          eventsProblem ? h('span', { class: 'field-error', id: 'events-err' }, icon('alert', 14), eventsProblem) : null),
        other ? h('div', { class: 'callout tone-bad', role: 'alert' }, icon('x-circle'), h('p', { class: 'callout-text' }, other)) : null,
        h('div', {}, h('button', { class: 'btn btn-primary', type: 'submit', 'data-key': 'add-webhook', disabled: this.#saving },
          this.#saving ? spinner() : icon('plus', 14), 'Add webhook'))));
  }

  #keep(form) {
    this.#draft = {
      url: form.elements.url.value,
      events: [...form.querySelectorAll('input[name=events]:checked')].map((box) => box.value),
    };
  }

  async #create(event) {
    event.preventDefault();
    this.#keep(event.currentTarget);
    const url = this.#draft.url.trim();
    const { events } = this.#draft;
    this.#saving = true;
    this.#formError = null;
    this.render();
    const answer = await this.api.createWebhook(events.length ? { url, events } : { url });
    this.#saving = false;
    if (answer.ok) {
      this.#created = answer.value;
      this.#draft = { url: '', events: [] };
      const { secret, ...listed } = answer.value; // the list never holds the secret
      this.#webhooks = [...(this.#webhooks ?? []), listed];
      this.emit('connauth-webhooks-changed', { action: 'create', webhook: listed });
      this.render();
      this.announce('Webhook added. Copy its signing secret now: it is shown only once.');
      this.viewRoot.querySelector('[data-key="copy-secret"]')?.focus();
      return;
    }
    this.#formError = answer.error;
    this.render();
    this.announce(answer.error.details?.[0]?.message ?? answer.error.message);
    this.viewRoot.querySelector('[data-key="webhook-url"]')?.focus();
  }

  // ---- the list -----------------------------------------------------------------

  #list() {
    if (this.#error) {
      return h('div', { class: 'callout tone-bad', role: 'alert' }, icon('x-circle'), h('div', { class: 'callout-text' }, h('h4', {}, 'Could not load webhooks'), h('p', {}, this.#error.message)));
    }
    if (!this.#webhooks) return h('div', { class: 'row muted', 'aria-busy': 'true' }, spinner(), 'Loading webhooks…');
    return h('section', { class: 'stack', 'aria-labelledby': 'list-title' },
      h('h2', { id: 'list-title' }, `Webhooks (${this.#webhooks.length})`),
      this.#notice ? h('div', { class: ['callout', `tone-${this.#notice.tone}`], role: 'status', 'data-testid': 'notice' }, icon('info'), h('p', { class: 'callout-text' }, this.#notice.text)) : null,
      this.#webhooks.length
        ? h('ul', { class: 'hooks', role: 'list' }, this.#webhooks.map((hook) => this.#row(hook)))
        : h('div', { class: 'card empty' }, h('h3', {}, 'No webhooks yet'), h('p', {}, 'Add one to hear about lost connections before an automation fails.')));
  }

  #row(hook) {
    const shown = this.#deliveries.get(hook.id);
    return h('li', { class: 'card', 'data-webhook': hook.id },
      h('div', { class: 'hook-head' },
        h('div', { class: 'stack-sm grow' },
          h('span', { class: 'hook-url' }, hook.url),
          h('span', { class: 'muted small' }, hook.events?.length ? hook.events.join(', ') : 'Every event',
            hook.created_at ? [' · added ', h('time', { datetime: iso(hook.created_at), title: when(hook.created_at) }, fromNow(hook.created_at))] : null)),
        h('div', { class: 'row' },
          h('button', { class: 'btn btn-sm', type: 'button', 'data-key': `deliveries-${hook.id}`, 'aria-expanded': shown ? 'true' : 'false',
            onclick: () => (shown ? this.#hideDeliveries(hook) : this.#loadDeliveries(hook)) }, icon('history', 14), shown ? 'Hide deliveries' : 'Deliveries'),
          h('button', { class: 'btn btn-sm btn-ghost', type: 'button', 'data-key': `delete-${hook.id}`, 'aria-label': `Delete webhook ${hook.url}`,
            onclick: () => this.#delete(hook) }, icon('trash', 14), 'Delete'))),
      shown ? h('div', { class: 'hook-body' }, this.#deliveryView(hook, shown)) : null);
  }

  #deliveryView(hook, shown) {
    const parts = [];
    if (shown.items.length) {
      parts.push(h('div', { class: 'table-wrap' }, h('table', { class: 'deliveries' },
        h('caption', { class: 'sr-only' }, `Recent deliveries to ${hook.url}`),
        h('thead', {}, h('tr', {}, ['Event', 'Status', 'Attempts', 'Last attempt', 'Next attempt', 'Last answer'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, shown.items.map((d) => h('tr', { 'data-delivery': d.id },
          h('td', {}, h('code', {}, d.type), h('div', { class: 'muted small mono' }, d.event_id)),
          h('td', {}, h('span', { class: ['badge', `tone-${DELIVERY_TONE[d.status] ?? 'neutral'}`] }, d.status)),
          h('td', {}, String(d.attempts ?? 0)),
          h('td', { class: 'nowrap' }, d.last_attempt_at ? h('time', { datetime: iso(d.last_attempt_at), title: when(d.last_attempt_at) }, short(d.last_attempt_at)) : '—'),
          h('td', { class: 'nowrap' }, d.next_attempt_at ? h('time', { datetime: iso(d.next_attempt_at), title: when(d.next_attempt_at) }, fromNow(d.next_attempt_at)) : '—'),
          h('td', { class: 'error-text' }, lastAnswer(d))))))));
    } else if (!shown.loading && !shown.error) {
      parts.push(h('p', { class: 'muted' }, 'No deliveries yet.'));
    }
    if (shown.error) parts.push(h('div', { class: 'callout tone-bad', role: 'alert' }, icon('x-circle'), h('p', { class: 'callout-text' }, shown.error.message)));
    if (shown.loading) parts.push(h('div', { class: 'row muted', 'aria-busy': 'true' }, spinner(), 'Loading deliveries…'));
    else if (shown.next_cursor) {
      parts.push(h('div', {}, h('button', { class: 'btn btn-sm', type: 'button', 'data-key': `more-${hook.id}`, onclick: () => this.#loadDeliveries(hook, shown.next_cursor) }, 'Show more')));
    }
    return h('div', { class: 'stack-sm' }, parts);
  }

  async #loadDeliveries(hook, cursor = null) {
    const before = cursor ? this.#deliveries.get(hook.id) : { items: [], next_cursor: null };
    this.#deliveries.set(hook.id, { ...before, loading: true, error: null });
    this.render();
    const answer = await this.api.listDeliveries(hook.id, { cursor });
    if (!this.#deliveries.has(hook.id)) return; // hidden meanwhile
    this.#deliveries.set(hook.id, answer.ok
      ? { items: [...before.items, ...(answer.value.items ?? [])], next_cursor: answer.value.next_cursor ?? null, loading: false, error: null }
      : { ...before, loading: false, error: answer.error });
    this.render();
  }

  #hideDeliveries(hook) {
    this.#deliveries.delete(hook.id);
    this.render();
  }

  async #delete(hook) {
    const ok = await this.confirmDialog({
      title: 'Delete this webhook?',
      body: [h('p', {}, 'Events are no longer sent to ', h('code', {}, hook.url), '.')],
      confirm: 'Delete webhook', danger: true,
    });
    if (!ok) return;
    const answer = await this.api.deleteWebhook(hook.id);
    if (answer.ok) {
      this.#webhooks = this.#webhooks.filter((w) => w.id !== hook.id);
      this.#deliveries.delete(hook.id);
      if (this.#created?.id === hook.id) this.#created = null;
      this.#notice = { tone: 'ok', text: `Webhook ${hook.url} deleted.` };
      this.emit('connauth-webhooks-changed', { action: 'delete', webhook: hook });
    } else {
      this.#notice = { tone: 'bad', text: `Could not delete ${hook.url}: ${answer.error.message}` };
    }
    this.render();
    this.announce(this.#notice.text);
    this.viewRoot.querySelector('[data-key="webhook-url"]')?.focus();
  }
}

// Why the last attempt failed ("HTTP 503", "no response within 10 s"), or the status it got.
function lastAnswer(delivery) {
  if (delivery.last_error) return delivery.last_error;
  return delivery.last_status ? `HTTP ${delivery.last_status}` : '—';
}

define('connauth-webhooks', ConnauthWebhooks);
