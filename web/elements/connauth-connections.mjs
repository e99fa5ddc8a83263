// <connauth-connections>: every app of the user's org, each as a
// <connauth-connect> card: the member's "My connections" page.
import { h, icon, spinner } from '../lib/dom.mjs';
import { ConnauthElement, define } from '../lib/element.mjs';
import { isAdmin } from '../lib/config.mjs';
import './connauth-connect.mjs';

const STYLES = `
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 440px), 1fr)); gap: 16px; align-items: start; }
`;

export class ConnauthConnections extends ConnauthElement {
  static styles = STYLES;
  #apps = null;
  #error = null;
  #generation = 0;

  configChanged() {
    this.load();
  }

  /** Reloads the list (e.g. after an admin changed apps). */
  async load() {
    const generation = ++this.#generation;
    if (!this.api) {
      this.#apps = null;
      this.render();
      return;
    }
    this.#apps = null;
    this.#error = null;
    this.render();
    const answer = await this.api.listApps();
    if (generation !== this.#generation) return;
    if (answer.ok) this.#apps = answer.value.apps ?? [];
    else this.#error = answer.error;
    this.render();
  }

  view() {
    if (!this.api) return null;
    if (this.#error) {
      return h('div', { class: 'callout tone-bad' }, icon('x-circle'), h('div', { class: 'callout-text' }, h('h4', {}, 'Could not load your apps'), h('p', {}, this.#error.message)));
    }
    if (!this.#apps) return h('div', { class: 'row muted', 'aria-busy': 'true' }, spinner(), 'Loading apps…');
    if (!this.#apps.length) {
      return h('div', { class: 'card empty' }, h('h3', {}, 'No apps to connect yet'),
        h('p', {}, isAdmin() ? 'Create an app under Apps; it appears here for everyone in your organisation.' : 'When an admin adds an app for your organisation, you can connect it here.'));
    }
    return h('div', { class: 'grid', role: 'list' }, this.#apps.map((app) => {
      const card = document.createElement('connauth-connect');
      card.appData = app;
      card.setAttribute('role', 'listitem');
      const timeout = this.getAttribute('timeout');
      if (timeout) card.setAttribute('timeout', timeout);
      return card;
    }));
  }
}

define('connauth-connections', ConnauthConnections);
