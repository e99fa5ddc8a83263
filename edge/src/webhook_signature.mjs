// Standard Webhooks signatures (standardwebhooks.com, "Signature scheme" and
// "Webhook headers"), with WebCrypto only. The secret is `whsec_` + base64 of
// random bytes; a delivery is signed as HMAC-SHA256 over
// "{webhook-id}.{webhook-timestamp}.{body}" keyed with the secret's decoded
// bytes, sent as `webhook-signature: v1,<base64>`.

const PREFIX = 'whsec_';
/** Random bytes in a new secret (the scheme asks for 24 to 64). */
export const SECRET_BYTES = 32;

/** A new signing secret: `whsec_` + base64 of SECRET_BYTES random bytes. */
export function newWebhookSecret() {
  return PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** The HMAC key of a `whsec_` secret (the bytes its base64 part decodes to). */
export function signingKey(secret) {
  if (typeof secret !== 'string' || !secret.startsWith(PREFIX)) throw new TypeError('not a whsec_ secret');
  const bytes = Uint8Array.from(atob(secret.slice(PREFIX.length)), (c) => c.charCodeAt(0));
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/**
 * The three Standard Webhooks headers of one delivery attempt: `id` is the
 * message id (the same on every attempt), `timestamp` this attempt's epoch
 * seconds, `body` the exact text sent.
 */
export async function signedHeaders(key, id, timestamp, body) {
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, signed));
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${toBase64(mac)}`,
  };
}

function toBase64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
