// The connector's connection fields (docs/connectors.md "Fields"), gathered
// from what the Nango entry asks users for: its `connection_config` metadata
// (title -> label, description -> hint), the legacy `connection_configuration`
// list, its `credentials` metadata, and any `${connectionConfig.x}` a URL or
// header reads. Keys Nango fills from the token response
// (`token_response_metadata`) are merged by the connector, not asked for.
import { fieldName } from './templates.mjs';
import { isObject } from './aliases.mjs';
import { Skip } from './skip.mjs';

export class Fields {
  #byName = new Map();
  #nangoKey = new Map();
  #merged;
  #credentials;

  constructor(provider, merged = []) {
    this.#merged = new Set(merged.map(fieldName));
    this.#credentials = isObject(provider.credentials) ? provider.credentials : {};
    const config = isObject(provider.connection_config) ? provider.connection_config : {};
    const ordered = Object.entries(config)
      .map(([key, meta], i) => ({ key, meta, order: Number.isFinite(meta?.order) ? meta.order : Infinity, i }))
      .sort((a, b) => a.order - b.order || a.i - b.i);
    for (const { key, meta } of ordered) {
      if (!this.#merged.has(fieldName(key))) this.#add(key, ['connection_config', key], fromMetadata(meta));
    }
    // The legacy list names values a post-connection script usually fills
    // in, so a user may leave them blank.
    for (const key of Array.isArray(provider.connection_configuration) ? provider.connection_configuration : []) {
      const name = fieldName(key);
      if (typeof key === 'string' && !this.#merged.has(name) && !this.#byName.has(name)) {
        this.#add(key, ['connection_configuration'], { label: key, optional: true });
      }
    }
  }

  /** `${connectionConfig.<key>}`: the field's name (asked for unless merged from the token response). */
  connectionConfig(key) {
    const name = fieldName(key);
    if (!this.#merged.has(name) && !this.#byName.has(name)) this.#add(key, ['connection_config', key], { label: key });
    return name;
  }

  /** A credential the user gives (an API key, a password): `defaults` overlaid with its `credentials` metadata. */
  credential(key, defaults) {
    const name = fieldName(key);
    if (!this.#byName.has(name)) this.#add(key, ['credentials', key], { ...defaults, ...fromMetadata(this.#credentials[key]) });
    return name;
  }

  list() {
    return [...this.#byName.values()];
  }

  #add(key, path, field) {
    const name = fieldName(key);
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Skip(path, `"${key}" cannot be a connection field name`);
    const other = this.#nangoKey.get(name);
    if (other !== undefined && other !== key) {
      throw new Skip(path, `"${key}" and "${other}" would both be the connection field ${name}`);
    }
    this.#nangoKey.set(name, key);
    this.#byName.set(name, ordered({ name, ...field }));
  }
}

function fromMetadata(meta) {
  if (!isObject(meta)) return {};
  const field = {};
  if (typeof meta.title === 'string' && meta.title.trim()) field.label = meta.title;
  if (typeof meta.description === 'string' && meta.description.trim()) field.hint = meta.description;
  if (meta.secret === true || meta.secret === 'true') field.secret = true;
  // A value Nango fills in by itself after connecting is not the user's to give.
  if (meta.optional === true || meta.optional === 'true' || meta.automated === true) field.optional = true;
  if (['string', 'number', 'boolean'].includes(typeof meta.default_value)) field.default = meta.default_value;
  return field;
}

function ordered(field) {
  const { name, label, optional, secret, default: value, hint } = field;
  return Object.fromEntries(Object.entries({ name, label, optional, secret, default: value, hint })
    .filter(([, v]) => v !== undefined));
}
