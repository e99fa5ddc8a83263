// What every connauth custom element shares: an open shadow root with the
// shared style sheets, the API client from configure() (re-loading when it
// changes), a polite live region for status announcements that survives
// re-renders, and confirmation dialogs.
import { h, icon, rerender } from './dom.mjs';
import { sheets } from './styles.mjs';
import { getApi, getSession, onConfig } from './config.mjs';

export class ConnauthElement extends HTMLElement {
  /** The component's own CSS (on top of styles.mjs BASE). */
  static styles = '';

  #unsubscribe = null;
  #live;
  #view;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open', delegatesFocus: false });
    root.adoptedStyleSheets = sheets(this.constructor.styles);
    this.#live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    this.#view = h('div', { class: 'view', part: 'view' });
    root.append(this.#live, this.#view);
  }

  connectedCallback() {
    this.#unsubscribe ??= onConfig('change', () => this.configChanged());
    this.configChanged();
  }

  disconnectedCallback() {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  get api() { return getApi(); }
  get session() { return getSession(); }

  /** Called on connect and when configure() changes the session. */
  configChanged() {
    this.render();
  }

  /** Rebuilds the view from `this.view()` (keeping focus on the same data-key). */
  render() {
    rerender(this.#view, () => this.view());
  }

  /** What to show; subclasses override. */
  view() {
    return [];
  }

  /** The container of the current view (for querySelector after render). */
  get viewRoot() {
    return this.#view;
  }

  /** Says `text` to screen readers (polite). */
  announce(text) {
    // Clear first so that the same text twice is announced twice.
    this.#live.textContent = '';
    setTimeout(() => { this.#live.textContent = text; }, 30);
  }

  /** Emits a DOM event the host console can listen to (bubbles out of the shadow root). */
  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /**
   * A modal confirmation. Resolves true if confirmed. Destructive dialogs
   * start with the focus on Cancel.
   * @param {{title: string, body: (string|Node)[], confirm: string, danger?: boolean}} options
   */
  confirmDialog({ title, body, confirm, danger = false }) {
    return new Promise((resolve) => {
      const titleId = `dlg-title-${Math.random().toString(36).slice(2)}`;
      const cancel = h('button', { class: 'btn', type: 'button', value: 'cancel', 'data-key': 'dialog-cancel', onclick: () => dialog.close('cancel') }, 'Cancel');
      const ok = h('button', { class: ['btn', danger ? 'btn-danger' : 'btn-primary'], type: 'button', value: 'ok', onclick: () => dialog.close('ok') }, confirm);
      const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'confirm' },
        h('div', { class: 'dialog-head row' }, danger ? h('span', { class: 'tone-bad badge plain' }, icon('alert')) : null, h('h2', { id: titleId }, title)),
        h('div', { class: 'dialog-body stack' }, body),
        h('div', { class: 'dialog-foot' }, cancel, ok));
      dialog.addEventListener('close', () => {
        dialog.remove();
        resolve(dialog.returnValue === 'ok');
      });
      this.shadowRoot.append(dialog);
      dialog.showModal();
      (danger ? cancel : ok).focus();
    });
  }
}

/** Defines a custom element once (embedding pages may load the module twice). */
export function define(name, constructor) {
  if (!customElements.get(name)) customElements.define(name, constructor);
}
