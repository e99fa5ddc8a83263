// PKCE (RFC 7636) for tests that run the authorization-code flow by hand.
import crypto from 'node:crypto';

// §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]; 32 random bytes in
// base64url give 43 and the 256 bits of entropy the RFC recommends.
export function createVerifier() {
  return crypto.randomBytes(32).toString('base64url');
}

// §4.2: S256 challenge = BASE64URL(SHA256(ASCII(code_verifier))).
export function challengeOf(verifier) {
  return crypto.createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function createPkce() {
  const verifier = createVerifier();
  return { verifier, challenge: challengeOf(verifier), method: 'S256' };
}
