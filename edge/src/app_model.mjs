// Outbound applications (SPEC §5): validation of what an admin sends, with
// one {path, message} detail per problem (JSON pointers, like the engine's),
// and the public view that never carries a secret.
import { ok, fail } from './result.mjs';

/** SPEC §2: connector names. */
export const CONNECTOR_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** Defaults of optional app fields (SPEC §5). */
export const APP_DEFAULTS = Object.freeze({
  description: '',
  client_id: null,
  scopes: [],
  default_expires_in: null, // unknown expiry: refresh on signals only (SPEC §3)
  refresh_buffer: 60, // seconds before expires_at that a proactive refresh starts (SPEC §3)
  settings: {},
  egress: null, // null: derived from the connector's URLs (egress.mjs)
  enabled: true,
  issuer: null, // the provider's issuer; when set, the callback's `iss` must equal it (RFC 9207)
  // Operations (SPEC §4, §9): the engine's lifecycle policy, and keep-alive.
  lost_after_failures: 12, // provider_unavailable failures in a row before degraded becomes lost
  backoff_base_seconds: 2, // the first retry's backoff window; it doubles per failure...
  backoff_cap_seconds: 900, // ...up to this
  keepalive_seconds: 86400, // an unused connection is refreshed or tested after this long; 0: never
});

// The lifecycle policy's ranges are the engine's (connection_state.cpp
// lifecycle_policy_from_json); keep-alive below 10 s would be a busy loop.
const OPERATIONS = {
  lost_after_failures: { min: 1, max: 1000, unit: '' },
  backoff_base_seconds: { min: 1, max: 86400, unit: ' seconds' },
  backoff_cap_seconds: { min: 1, max: 7 * 86400, unit: ' seconds' },
  keepalive_seconds: { min: 10, max: 90 * 86400, unit: ' seconds', off: 0 },
};
/** The operations fields' names. */
export const OPERATION_FIELDS = Object.freeze(Object.keys(OPERATIONS));

const MAX = { issuer: 2048, name: 200, description: 4000, prompt: 4000, clientId: 1024, clientSecret: 4096, scopes: 100,
  scope: 256, settings: 100, settingKey: 64, settingValue: 8192, egress: 100 };
// Server-owned members a client may echo back (the console PATCHes what it
// read): ignored rather than refused.
const READ_ONLY = new Set(['id', 'client_secret_set', 'secret_settings', 'created_at', 'updated_at']);
const FIELDS = ['name', 'description', 'prompt', 'connector', 'client_id', 'client_secret', 'scopes',
  'default_expires_in', 'refresh_buffer', 'settings', 'egress', 'enabled', 'issuer', ...OPERATION_FIELDS];

/** "name" or "name@version" → {name, version|null}, or null if malformed. */
export function parseConnectorRef(ref) {
  if (typeof ref !== 'string') return null;
  const m = /^([a-z][a-z0-9_-]{0,63})(?:@([1-9][0-9]{0,8}))?$/.exec(ref);
  return m ? { name: m[1], version: m[2] ? Number(m[2]) : null } : null;
}

// An egress entry: a host name (optionally "*." for any subdomain), an IPv4
// or bracketed IPv6 literal, optionally ":port". No scheme, path or user.
const EGRESS_ENTRY = /^(\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?$|^\[[0-9a-f:.]+\](?::[0-9]{1,5})?$/;

/**
 * Checks an app body. `partial` (PATCH) makes every field optional and adds
 * no defaults. Answers the normalized fields, or invalid_app with details.
 * `client_secret` stays in the answer: the caller seals it, never stores it.
 */
export function validateAppInput(body, { partial = false } = {}) {
  const details = [];
  const problem = (path, message) => details.push({ path, message });
  const out = {};

  for (const key of Object.keys(body)) {
    if (!FIELDS.includes(key) && !READ_ONLY.has(key)) problem(`/${pointerEscape(key)}`, 'unknown field');
  }
  const has = (key) => Object.hasOwn(body, key);
  const text = (key, max, required) => {
    if (!has(key)) {
      if (required && !partial) problem(`/${key}`, 'is required');
      return;
    }
    const v = body[key];
    if (typeof v !== 'string') return problem(`/${key}`, 'must be a string');
    if (required && v.trim() === '') return problem(`/${key}`, 'must not be empty');
    if (v.length > max) return problem(`/${key}`, `must be at most ${max} characters`);
    out[key] = v;
  };
  const nullableText = (key, max) => {
    if (!has(key)) return;
    const v = body[key];
    if (v === null || v === '') return void (out[key] = null);
    if (typeof v !== 'string') return problem(`/${key}`, 'must be a string or null');
    if (v.length > max) return problem(`/${key}`, `must be at most ${max} characters`);
    if (/[\u0000-\u001f\u007f]/.test(v)) return problem(`/${key}`, 'must not contain control characters');
    out[key] = v;
  };

  text('name', MAX.name, true);
  text('description', MAX.description, false);
  text('prompt', MAX.prompt, true);
  if (has('connector')) {
    if (!parseConnectorRef(body.connector)) problem('/connector', 'must be a connector name, optionally pinned as name@version');
    else out.connector = body.connector;
  } else if (!partial) {
    problem('/connector', 'is required');
  }
  nullableText('client_id', MAX.clientId);
  nullableText('client_secret', MAX.clientSecret);
  nullableText('issuer', MAX.issuer);
  if (typeof out.issuer === 'string' && !/^https?:\/\/[^\s/?#]+/i.test(out.issuer)) {
    problem('/issuer', 'must be the provider\'s issuer identifier, an http(s) URL (RFC 8414 §2)');
  }

  if (has('scopes')) {
    const v = body.scopes;
    if (!Array.isArray(v)) problem('/scopes', 'must be an array of strings');
    else if (v.length > MAX.scopes) problem('/scopes', `must list at most ${MAX.scopes} scopes`);
    else {
      v.forEach((s, i) => {
        if (typeof s !== 'string' || s === '' || /\s/.test(s) || s.length > MAX.scope) {
          problem(`/scopes/${i}`, `must be a non-empty string without spaces, at most ${MAX.scope} characters`);
        }
      });
      out.scopes = [...v];
    }
  }
  if (has('default_expires_in')) {
    const v = body.default_expires_in;
    if (v !== null && !(Number.isInteger(v) && v > 0 && v <= 10 * 365 * 86400)) {
      problem('/default_expires_in', 'must be a positive number of seconds or null');
    } else out.default_expires_in = v;
  }
  if (has('refresh_buffer')) {
    const v = body.refresh_buffer;
    if (!(Number.isInteger(v) && v >= 0 && v <= 86400)) problem('/refresh_buffer', 'must be an integer from 0 to 86400 seconds');
    else out.refresh_buffer = v;
  }
  if (has('settings')) {
    const v = body.settings;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) problem('/settings', 'must be an object of field values');
    else if (Object.keys(v).length > MAX.settings) problem('/settings', `must hold at most ${MAX.settings} values`);
    else {
      for (const [k, value] of Object.entries(v)) {
        const at = `/settings/${pointerEscape(k)}`;
        if (k === '' || k.length > MAX.settingKey) problem(at, `field names must have 1 to ${MAX.settingKey} characters`);
        else if (k === '__proto__') problem(at, 'is not a valid field name');
        else if (!['string', 'number', 'boolean'].includes(typeof value) && value !== null) problem(at, 'must be a string, number, boolean or null');
        else if (typeof value === 'string' && value.length > MAX.settingValue) problem(at, `must be at most ${MAX.settingValue} characters`);
      }
      out.settings = { ...v };
    }
  }
  if (has('egress')) {
    const v = body.egress;
    if (v === null) out.egress = null;
    else if (!Array.isArray(v)) problem('/egress', 'must be an array of hosts, or null to derive it from the connector');
    else if (v.length > MAX.egress) problem('/egress', `must list at most ${MAX.egress} hosts`);
    else {
      const hosts = [];
      v.forEach((h, i) => {
        const host = typeof h === 'string' ? h.trim().toLowerCase() : null;
        if (!host || !EGRESS_ENTRY.test(host) || portOutOfRange(host)) {
          problem(`/egress/${i}`, 'must be a host such as "api.example.com", "*.example.com" or "127.0.0.1:8080" (no scheme or path)');
        } else hosts.push(host);
      });
      out.egress = [...new Set(hosts)];
    }
  }
  if (has('enabled')) {
    if (typeof body.enabled !== 'boolean') problem('/enabled', 'must be true or false');
    else out.enabled = body.enabled;
  }
  // null: back to the default.
  for (const [key, { min, max, unit, off }] of Object.entries(OPERATIONS)) {
    if (!has(key)) continue;
    const v = body[key];
    if (v === null) out[key] = APP_DEFAULTS[key];
    else if (Number.isInteger(v) && ((v >= min && v <= max) || v === off)) out[key] = v;
    else problem(`/${key}`, `must be ${off === undefined ? '' : `${off} (off) or `}an integer from ${min} to ${max}${unit}, or null for the default (${APP_DEFAULTS[key]})`);
  }
  const base = out.backoff_base_seconds;
  const cap = out.backoff_cap_seconds;
  if (Number.isInteger(base) && Number.isInteger(cap) && base > cap) {
    problem('/backoff_cap_seconds', 'must not be less than backoff_base_seconds');
  }

  if (details.length) return fail('invalid_app', 'the app is invalid', { details });
  return ok(partial ? out : { ...APP_DEFAULTS, ...out });
}

function portOutOfRange(host) {
  const m = /:([0-9]+)$/.exec(host);
  return m ? Number(m[1]) < 1 || Number(m[1]) > 65535 : false;
}

/** A JSON-pointer reference token (RFC 6901 §3) for an object key. */
export function pointerEscape(key) {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * What callers see of an app (admins and members alike, SPEC §5/§7): the
 * configuration without any secret. `client_secret` is write-only
 * (`client_secret_set`); settings of fields the connector marks secret are
 * stored sealed and only named in `secret_settings`.
 */
export function publicApp(record) {
  return {
    id: record.id,
    name: record.name,
    description: record.description,
    prompt: record.prompt,
    connector: record.connector,
    client_id: record.client_id,
    client_secret_set: Boolean(record.sealed_client_secret),
    scopes: record.scopes,
    default_expires_in: record.default_expires_in,
    refresh_buffer: record.refresh_buffer,
    settings: record.settings,
    secret_settings: record.secret_setting_names ?? [],
    egress: record.egress,
    enabled: record.enabled,
    issuer: record.issuer ?? null,
    ...operations(record),
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}

/**
 * The app's operations fields (SPEC §4, §9), defaults for a record stored
 * before it had them.
 */
export function operations(record) {
  const out = {};
  for (const key of OPERATION_FIELDS) out[key] = record[key] ?? APP_DEFAULTS[key];
  return out;
}
