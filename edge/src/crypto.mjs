// Encryption at rest (docs/security.md: secrets stored only sealed). Every token,
// client secret and secret field value is sealed with AES-256-GCM before it
// reaches Durable Object storage.
//
// Keys: ENCRYPTION_KEY is a keyring, one or more comma-separated keys (SPEC
// §11), each any string of at least 32 characters (for example `openssl rand
// -base64 32`). The first key seals; every key opens. Each AES key is
// derived from its string with HKDF-SHA-256 (RFC 5869) with a fixed salt and
// info, so its format never matters and a passphrase-like value still yields
// a uniform key.
// Key id: every sealed value names the key that sealed it (`kid`, 64 bits
// derived by HKDF with another info: it reveals nothing of the key), so a
// value sealed under an older key is known as such (`isStale`) and is
// re-sealed by the store that holds it (docs/security.md, key rotation).
// A value sealed before key ids existed has no `kid`: every key is tried.
// IV: 96 random bits per seal (NIST SP 800-38D §8.2.2; GCM's limit of 2^32
// seals per key is far beyond one org's writes).
// AAD: the record identity (see `aad`), so a ciphertext copied into another
// record (another org, app or user) fails to open instead of decrypting.
import { ok, fail } from './result.mjs';

/** Shortest accepted key in ENCRYPTION_KEY, in characters. */
export const MIN_KEY_LENGTH = 32;

const SALT = new TextEncoder().encode('connauth/v1/at-rest');
const INFO = new TextEncoder().encode('aes-256-gcm');
const KEY_ID_INFO = new TextEncoder().encode('key-id');
const VERSION = 1; // the ciphertext format, stored with each sealed value

let cached; // {secret, keyring}: derived once per isolate

/**
 * The at-rest keyring for ENCRYPTION_KEY: {sealing: {id, key}, keys: [{id,
 * key}, ...]} (sealing is keys[0]), or a server_misconfigured error naming
 * the entry at fault (never its value).
 */
export async function atRestKeyring(secret) {
  if (typeof secret !== 'string' || !secret.trim()) {
    return fail('server_misconfigured', 'the service is not configured (ENCRYPTION_KEY)');
  }
  if (cached?.secret !== secret) {
    // Every character of a key counts, as it always did for a single key, so
    // a space beside a comma would silently make another key: refused.
    const entries = secret.split(',');
    const which = (i) => (entries.length > 1 ? `key ${i + 1} of ${entries.length}` : 'the key');
    const short = entries.findIndex((entry) => entry.length < MIN_KEY_LENGTH);
    if (short !== -1) {
      return fail('server_misconfigured',
        `the service is not configured (ENCRYPTION_KEY: ${which(short)} is shorter than ${MIN_KEY_LENGTH} characters)`);
    }
    const padded = entries.length > 1 ? entries.findIndex((entry) => entry.trim() !== entry) : -1;
    if (padded !== -1) {
      return fail('server_misconfigured',
        `the service is not configured (ENCRYPTION_KEY: ${which(padded)} starts or ends with white space; separate keys with a comma alone)`);
    }
    const keys = await Promise.all(entries.map(deriveKey));
    cached = { secret, keyring: { sealing: keys[0], keys } };
  }
  return ok(cached.keyring);
}

async function deriveKey(text) {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(text), 'HKDF', false, ['deriveKey', 'deriveBits']);
  const key = await crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: SALT, info: INFO },
    material, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const idBits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: SALT, info: KEY_ID_INFO }, material, 64);
  return { id: toHex(new Uint8Array(idBits)), key };
}

/**
 * Additional authenticated data naming the record a ciphertext belongs to,
 * e.g. aad('app_secret', org, appId) or aad('connection', org, app, generation, user).
 * JSON keeps the parts unambiguous whatever characters they contain.
 */
export function aad(kind, ...parts) {
  return JSON.stringify(['connauth/v1', kind, ...parts.map(String)]);
}

/** Seals `plaintext` (a string) for the record named by `associated`, under the keyring's first key. */
export async function seal(keyring, plaintext, associated) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(associated) },
    keyring.sealing.key, new TextEncoder().encode(plaintext));
  return { v: VERSION, kid: keyring.sealing.id, iv: toBase64(iv), ct: toBase64(new Uint8Array(ct)) };
}

/**
 * Opens what `seal` produced for the same record, with the key its `kid`
 * names (or, without one, whichever key opens it). A tampered, moved or
 * foreign ciphertext fails; one sealed under a key the keyring lacks fails
 * with server_misconfigured, naming the key id to add back.
 */
export async function open(keyring, sealed, associated) {
  if (!sealed || sealed.v !== VERSION || typeof sealed.iv !== 'string' || typeof sealed.ct !== 'string'
    || (sealed.kid !== undefined && typeof sealed.kid !== 'string')) {
    return fail('internal_error', 'stored secret is unreadable', { why: 'unknown ciphertext format' });
  }
  const candidates = sealed.kid === undefined ? keyring.keys : keyring.keys.filter((k) => k.id === sealed.kid);
  if (candidates.length === 0) {
    return fail('server_misconfigured',
      `a stored secret is sealed under key id ${sealed.kid}, which ENCRYPTION_KEY does not hold: add that key back (docs/security.md, key rotation)`);
  }
  const params = { name: 'AES-GCM', iv: fromBase64(sealed.iv), additionalData: new TextEncoder().encode(associated) };
  for (const { key } of candidates) {
    try {
      return ok(new TextDecoder().decode(await crypto.subtle.decrypt(params, key, fromBase64(sealed.ct))));
    } catch { /* the next key, if any */ }
  }
  if (sealed.kid === undefined) {
    return fail('server_misconfigured',
      'a stored secret opens with no key in ENCRYPTION_KEY: the key that sealed it is missing from the keyring, or the record was altered');
  }
  return fail('internal_error', 'stored secret is unreadable', { why: 'decryption failed (altered or moved record)' });
}

/** Whether `sealed` should be sealed again under the keyring's first key (it was sealed under another, or before key ids). */
export function isStale(keyring, sealed) {
  return Boolean(sealed) && sealed.kid !== keyring.sealing.id;
}

/** `sealed`, opened and sealed again under the keyring's first key (same record). */
export async function reseal(keyring, sealed, associated) {
  const opened = await open(keyring, sealed, associated);
  return opened.ok ? ok(await seal(keyring, opened.value, associated)) : opened;
}

/** Seals a JSON value. */
export const sealJson = (key, value, associated) => seal(key, JSON.stringify(value), associated);

/** Opens a sealed JSON value. */
export async function openJson(key, sealed, associated) {
  const text = await open(key, sealed, associated);
  return text.ok ? ok(JSON.parse(text.value)) : text;
}

/** 128+ random bits as base64url, for unguessable ids. */
export function randomId(bytes = 16) {
  return toBase64(crypto.getRandomValues(new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function toBase64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function toHex(bytes) {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
