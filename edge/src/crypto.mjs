// Encryption at rest (docs/security.md: secrets stored only sealed). Every token,
// client secret and secret field value is sealed with AES-256-GCM before it
// reaches Durable Object storage.
//
// Key: ENCRYPTION_KEY is any string of at least 32 characters (for example
// `openssl rand -base64 32`); the AES key is derived from it with
// HKDF-SHA-256 (RFC 5869) with a fixed salt and info, so its format never
// matters and a passphrase-like value still yields a uniform key.
// IV: 96 random bits per seal (NIST SP 800-38D §8.2.2; GCM's limit of 2^32
// seals per key is far beyond one org's writes).
// AAD: the record identity (see `aad`), so a ciphertext copied into another
// record (another org, app or user) fails to open instead of decrypting.
import { ok, fail } from './result.mjs';

/** Shortest accepted ENCRYPTION_KEY, in characters. */
export const MIN_KEY_LENGTH = 32;

const SALT = new TextEncoder().encode('connauth/v1/at-rest');
const INFO = new TextEncoder().encode('aes-256-gcm');
const VERSION = 1; // stored with each ciphertext, for a later key rotation

let cachedKey; // {secret, key}: derived once per isolate

/** The AES-GCM key for ENCRYPTION_KEY, or a server_misconfigured error. */
export async function atRestKey(secret) {
  if (typeof secret !== 'string' || secret.length < MIN_KEY_LENGTH) {
    return fail('server_misconfigured', 'the service is not configured (ENCRYPTION_KEY)');
  }
  if (cachedKey?.secret !== secret) {
    const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveKey']);
    const key = await crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: SALT, info: INFO },
      material, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    cachedKey = { secret, key };
  }
  return ok(cachedKey.key);
}

/**
 * Additional authenticated data naming the record a ciphertext belongs to,
 * e.g. aad('app_secret', org, appId) or aad('connection', org, app, generation, user).
 * JSON keeps the parts unambiguous whatever characters they contain.
 */
export function aad(kind, ...parts) {
  return JSON.stringify(['connauth/v1', kind, ...parts.map(String)]);
}

/** Seals `plaintext` (a string) for the record named by `associated`. */
export async function seal(key, plaintext, associated) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(associated) },
    key, new TextEncoder().encode(plaintext));
  return { v: VERSION, iv: toBase64(iv), ct: toBase64(new Uint8Array(ct)) };
}

/** Opens what `seal` produced for the same record; a tampered, moved or foreign ciphertext fails. */
export async function open(key, sealed, associated) {
  if (!sealed || sealed.v !== VERSION || typeof sealed.iv !== 'string' || typeof sealed.ct !== 'string') {
    return fail('internal_error', 'stored secret is unreadable', { why: 'unknown ciphertext format' });
  }
  try {
    const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(sealed.iv), additionalData: new TextEncoder().encode(associated) },
      key, fromBase64(sealed.ct));
    return ok(new TextDecoder().decode(pt));
  } catch {
    return fail('internal_error', 'stored secret is unreadable', { why: 'decryption failed (wrong key or record)' });
  }
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

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
