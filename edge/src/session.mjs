// Callers of the API and the proxy (SPEC §7, §8): `Authorization: Bearer <JWT>`,
// HS256 (RFC 7515/7519) signed with SESSION_SECRET, the secret shared with the
// host console, or ES256/RS256 verified against SESSION_JWKS (session_keys.mjs).
// Claims: sub (user), org, role ("admin" | "member"), exp; iss and aud when
// SESSION_ISSUER / SESSION_AUDIENCE are set; scope "connect" (optional) limits
// the token to reading apps and the holder's own connections (router.mjs).
// Missing or invalid → 401; the role and scope checks (403) are the router's.
import { ok, fail } from './result.mjs';
import { LIMITS } from './limits.mjs';
import { cachedClaims, rememberClaims, forgetToken } from './session_cache.mjs';
import { verifyJwksToken, JWKS_ALGORITHMS } from './session_keys.mjs';

/** Accepted clock difference with the console that minted the token, in seconds (default 30). */
export const CLOCK_SKEW_SECONDS = 30;

const ROLES = new Set(['admin', 'member']);
/** The one narrower scope a token may carry (SPEC §8); absent = the role's full access. */
export const CONNECT_SCOPE = 'connect';
const MAX_CLAIM_LENGTH = 256;

// One imported HMAC key per isolate (the secret does not change while it lives).
let cachedKey; // {secret, key}

async function hmacKey(secret) {
  if (cachedKey?.secret !== secret) {
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    cachedKey = { secret, key };
  }
  return cachedKey.key;
}

function base64UrlBytes(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function base64UrlJson(text) {
  const bytes = base64UrlBytes(text);
  if (!bytes) return null;
  try {
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

const invalid = (why) => fail('unauthorized', 'a valid session token is required', { why });

/**
 * Verifies the request's session token. `now` is epoch seconds (injected so
 * tests can pin it). Answers {sub, org, role} or an `unauthorized` error
 * whose `why` (kept inside, never sent) says which check failed. A token
 * already verified in this isolate skips the signature check
 * (session_cache.mjs); the time checks run every time.
 */
export function verifySession(request, secret, now = Math.floor(Date.now() / 1000)) {
  return verifyAuthorization(request.headers.get('authorization'), secret, now);
}

/**
 * verifySession for the Authorization header's value (null or undefined:
 * none), as the router has it from the request's header fields. `secret`:
 * the HS256 secret, or session_keys.sessionKeys' {secret, jwks, issuer,
 * audience} (the same object while the configuration lasts: the cache of
 * verified tokens is keyed by it).
 */
export async function verifyAuthorization(header, secret, now = Math.floor(Date.now() / 1000)) {
  if (!header) return invalid('no Authorization header');
  const known = knownSession(header, secret, now);
  if (known) return known;
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header);
  if (!match) return invalid('not a Bearer token');
  const token = match[1];
  if (token.length > LIMITS.sessionTokenBytes) return invalid('token too long');
  const verified = await verifyToken(token, typeof secret === 'string' ? { secret } : secret, now);
  if (!verified.ok) return verified;
  const { sub, org, role, exp, nbf, scope } = verified.value;
  const holder = scope ? { sub, org, role, scope } : { sub, org, role };
  const claims = { exp, nbf, session: Object.freeze(ok(Object.freeze(holder))) };
  rememberClaims(header, secret, claims);
  return timeChecked(header, claims, now);
}

/**
 * verifyAuthorization's answer for a header whose token verified in this
 * isolate before (session_cache.mjs, looked up by the header's exact text,
 * so not even parsed again), the time checks done; undefined when the
 * signature must be checked. Synchronous: the proxy's hot path takes a
 * known session without an await. The answer is shared between
 * requests, hence frozen.
 */
export function knownSession(header, secret, now = Math.floor(Date.now() / 1000)) {
  const claims = header ? cachedClaims(header, secret) : undefined;
  return claims && timeChecked(header, claims, now);
}

// The time checks (SPEC §7), on every request, cached or not.
function timeChecked(header, { exp, nbf, session }, now) {
  if (now > exp + CLOCK_SKEW_SECONDS) {
    forgetToken(header);
    return invalid('expired');
  }
  if (nbf !== undefined && now + CLOCK_SKEW_SECONDS < nbf) return invalid('not yet valid');
  return session;
}

// The signature and the claims' shape (not the time): {sub, org, role, exp,
// nbf, scope}. `keys`: {secret, jwks?, issuer?, audience?}.
async function verifyToken(token, keys, now) {
  const parts = token.split('.');
  if (parts.length !== 3) return invalid('not a JWS compact serialization');
  const [head, body, signature] = parts;

  // RFC 8725 §3.1: the algorithms are fixed by us; the token's alg only
  // chooses between the configured ones.
  const joseHeader = base64UrlJson(head);
  if (!joseHeader) return invalid('malformed header');
  if (joseHeader.crit !== undefined) return invalid('unsupported crit header');
  if (JWKS_ALGORITHMS.includes(joseHeader.alg) && keys.jwks) {
    // SPEC §8: the token names its key; none is guessed for it.
    if (typeof joseHeader.kid !== 'string' || !joseHeader.kid) return invalid('no kid');
    const claims = await verifyJwksToken(token, keys, now, CLOCK_SKEW_SECONDS);
    return claims ? checkClaims(claims, keys) : invalid('not verified by SESSION_JWKS');
  }
  if (joseHeader.alg !== 'HS256' || !keys.secret) return invalid('alg is not accepted');
  const { secret } = keys;
  const sig = base64UrlBytes(signature);
  if (!sig) return invalid('malformed signature');
  const key = await hmacKey(secret);
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify('HMAC', key, sig, new TextEncoder().encode(`${head}.${body}`));
  if (!valid) return invalid('bad signature');

  const claims = base64UrlJson(body);
  if (!claims) return invalid('claims are not a JSON object');
  return checkClaims(claims, keys);
}

// The claims every token needs, however it was signed.
function checkClaims(claims, keys) {
  const { sub, org, role, exp, nbf, scope } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return invalid('exp missing');
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) return invalid('nbf is not a number');
  if (!validClaim(sub)) return invalid('sub missing');
  if (!validClaim(org)) return invalid('org missing');
  if (!ROLES.has(role)) return invalid('role is neither admin nor member');
  if (scope !== undefined && scope !== CONNECT_SCOPE) return invalid('scope is not connect');
  if (keys.issuer && claims.iss !== keys.issuer) return invalid('iss is not SESSION_ISSUER');
  if (keys.audience && !(Array.isArray(claims.aud) ? claims.aud.includes(keys.audience) : claims.aud === keys.audience)) {
    return invalid('aud does not name SESSION_AUDIENCE');
  }
  return ok({ sub, org, role, exp, nbf, scope });
}

function validClaim(value) {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_LENGTH &&
    !/[\u0000-\u001f\u007f]/.test(value);
}

function base64UrlOfBytes(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Mints a session token (what the host console does; also `connauth token`
 * and the dev script). `claims` = {sub, org, role, exp?}; exp defaults to
 * one hour from `now`. The single signing implementation of the project.
 */
export async function signSession(claims, secret, now = Math.floor(Date.now() / 1000)) {
  const { sub, org, role } = claims;
  if (!validClaim(sub) || !validClaim(org) || !ROLES.has(role)) {
    throw new Error('a session needs sub and org (1-256 printable characters) and role admin or member');
  }
  const encoder = new TextEncoder();
  const head = base64UrlOfBytes(encoder.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const body = base64UrlOfBytes(encoder.encode(JSON.stringify({ ...claims, exp: claims.exp ?? now + 3600 })));
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`${head}.${body}`)));
  return `${head}.${body}.${base64UrlOfBytes(signature)}`;
}
