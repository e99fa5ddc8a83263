// The admin console's static files (SPEC §7: the API, the OAuth callback, the
// proxy and the console share one origin). workerd has no filesystem, so
// scripts/bundle-web.mjs packs web/** and the browser's engine files
// (wasm/connauth.mjs, wasm/dist/connauth.{mjs,wasm}) into one generated
// module, build/web/assets.mjs, imported here.
//
//   GET /                         the console (web/index.html); no-cache
//   GET /assets/<build>/<path>    a file of this build; cached for a year (immutable)
//   GET /assets/<path>            the same file at a stable URL, for consoles that
//                                 embed the components; revalidated (ETag) every time
//
// <path> is a repository path ("web/console.mjs", "wasm/dist/connauth.wasm"):
// relative imports between web/ and wasm/ resolve the same way on disk and
// here. Only files in the bundle exist; nothing is looked up by a path the
// caller builds, so there is nothing to traverse.
import { BUILD_ID, FILES } from '../../build/web/assets.mjs';
import { fail } from './result.mjs';

const INDEX = 'web/index.html';
const ASSET_PREFIX = `/assets/${BUILD_ID}`;
const BUILD_SEGMENT = /^[0-9a-f]{16}$/;

// The console's document policy: scripts and styles from this origin only,
// no inline script or style attribute, WebAssembly compilation allowed
// ('wasm-unsafe-eval', CSP Level 3), API calls to this origin only, never
// framed, DOM sinks that take strings refused (Trusted Types). The popup's
// waiting page is an about:blank child that inherits this policy.
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const DOCUMENT_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  // The session token arrives in the fragment, which is never sent; no page
  // of ours leaks its URL to a provider either.
  'referrer-policy': 'no-referrer',
  // Our own popups keep their opener (the callback page posts back to it);
  // a page that opens the console does not get a handle on it.
  'cross-origin-opener-policy': 'same-origin-allow-popups',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

const ASSET_HEADERS = {
  'x-content-type-options': 'nosniff',
  // Module scripts load in CORS mode: another origin's console may import
  // the components (they hold nothing secret).
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'public, no-cache';

let indexBody; // the index with %ASSETS% replaced, built on first use
const binaries = new Map(); // path -> Uint8Array, decoded on first use

function body(path) {
  const file = FILES[path];
  if (file.text !== undefined) {
    if (path !== INDEX) return file.text;
    indexBody ??= file.text.replaceAll('%ASSETS%', ASSET_PREFIX);
    return indexBody;
  }
  let bytes = binaries.get(path);
  if (!bytes) {
    const raw = atob(file.base64);
    bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    binaries.set(path, bytes);
  }
  return bytes;
}

// RFC 9110 §13.1.2: If-None-Match with the current strong ETag answers 304.
function notModified(request, etag) {
  const header = request.headers.get('if-none-match');
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function serve(request, path, headers) {
  const file = FILES[path];
  // The index's ETag covers the build too: the same HTML names other assets.
  const etag = path === INDEX ? `"${BUILD_ID}"` : file.etag;
  const all = { ...headers, etag, 'content-type': file.type };
  if (notModified(request, etag)) return new Response(null, { status: 304, headers: all });
  return new Response(body(path), { headers: all });
}

/** GET /: the console. */
export function staticPage({ request }) {
  if (!FILES[INDEX]) return fail('not_found', 'the console is not built (scripts/bundle-web.mjs)');
  return serve(request, INDEX, DOCUMENT_HEADERS);
}

/** GET /assets/{path}: a file of the bundle (see the top of this file). */
export function staticAsset({ request, params }) {
  const parts = String(params.path ?? '').split('/');
  let cache = REVALIDATE;
  if (BUILD_SEGMENT.test(parts[0])) {
    // Another build's URL (a page loaded before a deploy): not ours to answer
    // from this build, whose files may differ.
    if (parts[0] !== BUILD_ID) return fail('not_found', 'no such file in this build');
    parts.shift();
    cache = IMMUTABLE;
  }
  const path = parts.join('/');
  if (!Object.hasOwn(FILES, path) || path === INDEX) return fail('not_found', 'no such file');
  const headers = { ...ASSET_HEADERS, 'cache-control': cache };
  if (FILES[path].type.startsWith('text/html')) Object.assign(headers, DOCUMENT_HEADERS, { 'cache-control': cache });
  return serve(request, path, headers);
}

/** The build's asset prefix ("/assets/<build>"), for pages that link the console's files. */
export const ASSETS = ASSET_PREFIX;
