// Binds a pending OAuth authorization to the browser that started it.
//
// Without it, whoever holds an authorization URL can finish the flow: an
// attacker starts connecting in their own session, forwards the provider's
// link, the victim signs in and consents, and the victim's tokens land in the
// attacker's connection (RFC 6749 §10.12; RFC 9700 §4.7.1: "bind the state to
// the user agent"). The state alone only proves the callback answers *some*
// attempt we started, not that this browser started it.
//
// So POST /api/apps/{id}/connect (an authenticated call the console makes
// with `credentials: 'same-origin'`) sets a random, HttpOnly cookie for this
// origin, and the pending record keeps its SHA-256. The callback, a top-level
// GET from the provider's redirect (SameSite=Lax cookies are sent on those),
// must carry the same cookie. One value per browser, reused while it lasts,
// so two apps connected at once in two popups both complete.
//
// The cookie never authenticates anything: the API still requires the
// bearer session, and the value is worthless without a pending state bound
// to it. Over https the name has the __Host- prefix (Secure, Path=/, no
// Domain: a sibling subdomain cannot plant it, RFC 6265bis §4.1.3.2).
import { sha256Hex } from './digest.mjs';

const SECURE_NAME = '__Host-connauth-binding';
const PLAIN_NAME = 'connauth-binding';
const VALUE_SHAPE = /^[A-Za-z0-9_-]{43}$/; // base64url of 32 bytes
const MAX_AGE_SECONDS = 24 * 60 * 60;

const cookieName = (secure) => (secure ? SECURE_NAME : PLAIN_NAME);

/** The binding value the request's Cookie header carries, or null. */
export function readBinding(request, secure) {
  const header = request.headers.get('cookie');
  if (!header) return null;
  const name = cookieName(secure);
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0 || part.slice(0, at).trim() !== name) continue;
    const value = part.slice(at + 1).trim();
    return VALUE_SHAPE.test(value) ? value : null;
  }
  return null;
}

function randomValue() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * For POST connect: the browser's binding (its own, or a new one) as
 * {hash: stored with the pending authorization, setCookie: the header that
 * (re)sets it}.
 */
export async function bindBrowser(request, secure) {
  const value = readBinding(request, secure) ?? randomValue();
  const attributes = [`${cookieName(secure)}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${MAX_AGE_SECONDS}`];
  if (secure) attributes.push('Secure');
  return { hash: await sha256Hex(value), setCookie: attributes.join('; ') };
}

/** For the callback: whether the request comes from the browser that `hash` was bound to. */
export async function isBoundBrowser(request, secure, hash) {
  const value = readBinding(request, secure);
  if (!value || typeof hash !== 'string') return false;
  return timingSafeEqualHex(await sha256Hex(value), hash);
}

// Both are SHA-256 hex digests of equal length; compare without an early exit.
function timingSafeEqualHex(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
