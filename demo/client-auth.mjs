// OAuth 2.0 client authentication helpers (RFC 6749 §2.3.1), shared by the
// demo API (introspection), the fixtures' tests and anyone driving the demo
// provider by hand.

// RFC 6749 §2.3.1 / Appendix B: client id and secret are each
// application/x-www-form-urlencoded before being joined with ":" and base64
// encoded, so a secret holding ":" or "+" survives. URLSearchParams applies
// exactly that encoding.
export function formEncode(value) {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

export function basicAuthorization(clientId, clientSecret) {
  const pair = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

// Reads an Authorization: Basic header back into {clientId, clientSecret}
// (the inverse of basicAuthorization); undefined when absent or malformed.
export function parseBasicAuthorization(header) {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (s) => decodeURIComponent(s.replace(/\+/g, '%20'));
  try {
    return { clientId: unform(decoded.slice(0, colon)), clientSecret: unform(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}
