// SHA-256 as lowercase hex: how the edge names things by a secret without
// keeping the secret (pending states, browser bindings).

/** The SHA-256 of `text` (UTF-8) as 64 lowercase hex digits. */
export async function sha256Hex(text) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
