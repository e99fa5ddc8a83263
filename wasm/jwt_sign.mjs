// The host's half of the JWTs in engine-built requests (core/jwt.h), shared
// by every host: the engine decides each JWT's header, claims and key and
// puts its signing input (RFC 7515 §5.1) where the JWT goes, listing it in
// `request.jwts`; this module signs each input with the host's WebCrypto
// (the key imported by jose) and puts the signed JWT in its place. The key
// never leaves this module: the signed request carries no `jwts`, and a
// signing failure names where the key came from, never the key.

// By path, not 'jose': workerd loads modules by path (edge/dev/worker_options.mjs),
// and this is jose's WebCrypto build, the same in Node, workerd and the browser.
import { importPKCS8, base64url } from '../node_modules/jose/dist/webapi/index.js';

// RFC 7518 §3.3 (RS256) and §3.4 (ES256: WebCrypto's ECDSA signature is
// already the JWS form, R || S).
const ALGORITHMS = {
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
};
const KEY_KINDS = { RS256: 'an RSA private key', ES256: 'a P-256 EC private key' };

/**
 * Signs the JWTs of an engine-built request ({method, url, headers, body,
 * jwts?}). Answers {ok: true, value: the request to send, without `jwts`}, or
 * {ok: false, error} with code client_misconfigured when a key cannot sign
 * (e.g. an RSA key with ES256). A request without JWTs is answered as it is,
 * synchronously.
 */
export function signRequest(request) {
  if (!request?.jwts?.length) return { ok: true, value: request };
  return signAll(request);
}

async function signAll({ jwts, ...request }) {
  let { url, body } = request;
  let headers = request.headers;
  for (const jwt of jwts) {
    const signed = await signJwt(jwt);
    if (!signed.ok) return signed;
    // The signing input holds a fresh jti, so it occurs only where the JWT goes.
    const place = (text) => (typeof text === 'string' ? text.split(jwt.signing_input).join(signed.value) : text);
    url = place(url);
    body = place(body);
    headers = Array.isArray(headers) ? headers.map(([name, value]) => [name, place(value)])
      : Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, place(value)]));
  }
  return { ok: true, value: { ...request, url, headers, body } };
}

/** One JWT: {signing_input, alg, key (PEM PKCS#8), key_source} -> Result<compact JWT>. */
export async function signJwt({ signing_input: input, alg, key, key_source: source }) {
  const algorithm = ALGORITHMS[alg];
  if (!algorithm) return misconfigured(source, `${alg} is not an algorithm connauth signs (RS256 or ES256)`);
  let cryptoKey;
  try {
    cryptoKey = await importPKCS8(key, alg);
  } catch {
    // jose's reason is not passed on: it could describe the key's content.
    return misconfigured(source, `the key is not ${KEY_KINDS[alg]} in PKCS#8 form, as ${alg} needs`);
  }
  const signature = await crypto.subtle.sign(algorithm, cryptoKey, new TextEncoder().encode(input));
  return { ok: true, value: `${input}.${base64url.encode(new Uint8Array(signature))}` };
}

function misconfigured(source, reason) {
  return {
    ok: false,
    error: {
      code: 'client_misconfigured',
      cause: 'client_misconfigured',
      message: `a JWT could not be signed with the key from ${source}: ${reason}`,
      detail: `${source}: ${reason}`,
      action: 'Set a PEM PKCS#8 private key that matches the algorithm (the app settings private_key and client_assertion_alg, or the connector\'s jwt key and alg).',
    },
  };
}
