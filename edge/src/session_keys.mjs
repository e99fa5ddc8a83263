// Which session tokens the edge accepts (SPEC §7, §8), read from the
// worker's configuration once per value:
//
//   SESSION_SECRET    HS256 key shared with the host console (at least 32
//                     characters, RFC 7518 §3.2); optional when SESSION_JWKS is set
//   SESSION_JWKS      a JWKS document (RFC 7517 §5): ES256/RS256 public keys,
//                     the token's `kid` picks one. A host console that signs
//                     with its private key holds nothing that forges tokens
//                     for anyone else.
//   SESSION_ISSUER    when set, every token's `iss` must equal it
//   SESSION_AUDIENCE  when set, every token's `aud` must be or contain it
//
// The published development secret (scripts/dev) is refused unless the
// worker runs under scripts/dev (CONNAUTH_DEV=1): anyone can mint admin
// tokens with it.
//
// Asymmetric tokens are verified by jose (workerd loads modules by path, and
// local runs have no bundler, hence the path into node_modules).
import { createLocalJWKSet, jwtVerify } from '../../node_modules/jose/dist/webapi/index.js';
import { fail, ok } from './result.mjs';
import { DEV_SESSION_SECRET } from './dev_secret.mjs';

/** Shortest accepted SESSION_SECRET (RFC 7518 §3.2: at least the hash size, 256 bits). */
export const MIN_SESSION_SECRET_LENGTH = 32;

/** The asymmetric algorithms a JWKS key may verify (RFC 7518 §3.4, §3.3). */
export const JWKS_ALGORITHMS = Object.freeze(['ES256', 'RS256']);

const MAX_JWKS_KEYS = 32;

const SETTINGS = ['SESSION_SECRET', 'SESSION_JWKS', 'SESSION_ISSUER', 'SESSION_AUDIENCE', 'CONNAUTH_DEV'];
let cached; // {values: the settings read, keys: Result}

/**
 * The verification keys of `env` as a frozen {secret, jwks, issuer,
 * audience} (secret or jwks may be null, not both), or a
 * `server_misconfigured` failure saying which setting is wrong. The same
 * object is answered while the settings do not change (session_cache.mjs
 * keys its entries by it).
 */
export function sessionKeys(env) {
  // Every request asks (the proxy's hot path too): compared by value, not re-read.
  if (!cached || SETTINGS.some((name, i) => cached.values[i] !== env[name])) {
    cached = { values: SETTINGS.map((name) => env[name]), keys: readKeys(env) };
  }
  return cached.keys;
}

const misconfigured = (what) => fail('server_misconfigured', `the service is not configured (${what})`);

function readKeys(env) {
  const secret = typeof env.SESSION_SECRET === 'string' && env.SESSION_SECRET ? env.SESSION_SECRET : null;
  const jwksText = typeof env.SESSION_JWKS === 'string' && env.SESSION_JWKS.trim() ? env.SESSION_JWKS : null;
  if (!secret && !jwksText) return misconfigured('SESSION_SECRET or SESSION_JWKS');
  if (secret && secret.length < MIN_SESSION_SECRET_LENGTH) return misconfigured('SESSION_SECRET');
  if (secret === DEV_SESSION_SECRET && env.CONNAUTH_DEV !== '1') {
    // Refused for every route, public ones too: the worker does not run like this.
    const refused = misconfigured('SESSION_SECRET is the published development secret; set your own');
    refused.error.publishedSecret = true;
    return refused;
  }
  let jwks = null;
  if (jwksText) {
    const read = readJwks(jwksText);
    if (!read.ok) return read;
    jwks = read.value;
  }
  const text = (name) => (typeof env[name] === 'string' && env[name] ? env[name] : null);
  return ok(Object.freeze({ secret, jwks, issuer: text('SESSION_ISSUER'), audience: text('SESSION_AUDIENCE') }));
}

// A JWKS of public keys with a kid each: a private key here, or a key no
// token can name, is a configuration mistake worth refusing at once.
function readJwks(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    return misconfigured('SESSION_JWKS is not JSON');
  }
  const keys = doc?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_JWKS_KEYS) {
    return misconfigured(`SESSION_JWKS needs "keys": 1 to ${MAX_JWKS_KEYS} keys`);
  }
  for (const [i, key] of keys.entries()) {
    const where = `SESSION_JWKS /keys/${i}`;
    if (!key || typeof key !== 'object' || typeof key.kid !== 'string' || !key.kid) return misconfigured(`${where} has no kid`);
    if (key.kty !== 'EC' && key.kty !== 'RSA') return misconfigured(`${where}: kty must be EC or RSA`);
    if ('d' in key) return misconfigured(`${where} is a private key; publish the public key only`);
  }
  return ok(createLocalJWKSet({ keys }));
}

/**
 * Verifies an ES256/RS256 token's signature against the JWKS (jose picks
 * the key by `kid`, the algorithm is one of ours, `crit` is refused) and
 * answers its claims, or null. `now`: epoch seconds. The claims' shape and time are checked by
 * session.mjs, as for HS256 tokens.
 */
export async function verifyJwksToken(token, keys, now, skewSeconds) {
  try {
    const { payload } = await jwtVerify(token, keys.jwks, {
      algorithms: JWKS_ALGORITHMS,
      // The injected clock; session.mjs checks exp/nbf again on every request.
      currentDate: new Date(now * 1000),
      clockTolerance: skewSeconds,
      ...(keys.issuer ? { issuer: keys.issuer } : {}),
      ...(keys.audience ? { audience: keys.audience } : {}),
    });
    return payload;
  } catch {
    return null;
  }
}
