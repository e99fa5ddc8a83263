// One provider entry being mapped: its keys (each taken once, so whatever
// is left at the end is reported), its connection fields, its placeholders
// and the report lines it adds.
import { Fields } from './fields.mjs';
import { translate, Untranslatable } from './templates.mjs';
import { isObject } from './aliases.mjs';
import { Skip } from './skip.mjs';

export class Entry {
  #taken = new Set();

  /** `placeholders` (set by the auth mode): {name: template path | (entry) => template path}. */
  constructor(name, provider, report) {
    this.name = name;
    this.provider = provider;
    this.report = report;
    const merged = provider.token_response_metadata;
    this.fields = new Fields(provider, Array.isArray(merged) ? merged.filter((k) => typeof k === 'string') : []);
    this.placeholders = {};
  }

  /** The value of a top-level key, which counts as handled from now on. */
  take(key) {
    this.#taken.add(key);
    return this.provider[key];
  }

  untaken() {
    return Object.keys(this.provider).filter((k) => !this.#taken.has(k));
  }

  unmapped(path, reason) {
    this.report.unmap(this.name, path, reason);
  }

  note(path, reason) {
    this.report.note(this.name, path, reason);
  }

  /** `${connectionConfig.x}` and the auth mode's placeholders -> a connauth template path, or null. */
  resolve(placeholder) {
    if (placeholder.startsWith('connectionConfig.')) {
      return `connection.${this.fields.connectionConfig(placeholder.slice('connectionConfig.'.length))}`;
    }
    const known = this.placeholders[placeholder];
    if (typeof known === 'function') return known(this);
    if (known) return known;
    if (placeholder.startsWith('credentials.') && this.placeholders['credentials.*']) {
      return this.placeholders['credentials.*'](this, placeholder.slice('credentials.'.length));
    }
    return null;
  }

  /**
   * A Nango string as a connauth template. Untranslatable: a required value
   * skips the entry; an optional one is reported and gives undefined.
   */
  template(value, path, { required = false } = {}) {
    try {
      return translate(value, (p) => this.resolve(p));
    } catch (e) {
      if (!(e instanceof Untranslatable)) throw e;
      if (required) throw new Skip(path, e.message);
      this.unmapped(path, e.message);
      return undefined;
    }
  }

  /** An object of strings (headers, params) translated value by value; untranslatable values are reported and left out. */
  templates(object, path) {
    if (!isObject(object)) {
      this.unmapped(path, 'expected a mapping');
      return {};
    }
    const out = {};
    for (const [key, value] of Object.entries(object)) {
      const text = this.template(value, [...path, key]);
      if (text !== undefined) out[key] = text;
    }
    return out;
  }
}
