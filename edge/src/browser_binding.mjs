// Binds a pending OAuth authorization to the browser and session that
// started it (SPEC §8), with no cookie.
//
// Without it, whoever holds an authorization URL can finish the flow: an
// attacker starts connecting in their own session, forwards the provider's
// link, the victim signs in and consents, and the victim's tokens land in the
// attacker's connection (RFC 6749 §10.12; RFC 9700 §4.7.1: "bind the state to
// the user agent"). The state alone only proves the answer belongs to
// *some* attempt we started.
//
// So POST /api/apps/{id}/connect answers, to its bearer caller only, a fresh
// random binding value that the edge makes (never one the client offers);
// the pending record keeps its SHA-256. The callback page gives the
// provider's answer only to the window that opened the popup, on the
// console origin recorded at connect (callback_page.mjs); that console
// completes with its session and the binding (consent_completion.mjs). A
// link opened in another browser has no such opener and no binding: it
// connects nobody. Nothing here needs a (third-party) cookie, so a console
// on another site works as well as the edge's own.
import { sha256Hex } from './digest.mjs';

/** What a binding looks like: base64url of 32 bytes. */
export const BINDING_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function randomValue() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A new binding for POST connect: {value: for the caller, hash: stored with the pending authorization}. */
export async function newBinding() {
  const value = randomValue();
  return { value, hash: await sha256Hex(value) };
}

/** Whether `value` (from the completion's body) is the binding whose hash the pending record keeps. */
export async function isBound(value, hash) {
  if (typeof value !== 'string' || !BINDING_SHAPE.test(value) || typeof hash !== 'string') return false;
  return timingSafeEqualHex(await sha256Hex(value), hash);
}

// Both are SHA-256 hex digests of equal length; compare without an early exit.
function timingSafeEqualHex(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
