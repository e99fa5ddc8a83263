// How the edge serves the console (edge/src/static.mjs, bundled by
// scripts/bundle-web.mjs): content types, a strict CSP, nosniff, caching,
// and nothing outside the bundle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge } from './fixtures/browser_harness.mjs';
import { BUILD_ID } from '../../build/web/assets.mjs';

let edge;
before(async () => { edge = await startEdge(); });
after(() => edge?.dispose());

const get = (path, headers = {}) => fetch(`${edge.origin}${path}`, { headers, redirect: 'manual' });

test('/ is the console under a strict CSP, with no inline script', async () => {
  const res = await get('/');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /require-trusted-types-for 'script'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  const html = await res.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'every script has a src');
  assert.doesNotMatch(html, /\sstyle=|<style/, 'no inline style');
  assert.match(html, new RegExp(`src="/assets/${BUILD_ID}/web/console.mjs"`));

  const again = await get('/', { 'if-none-match': res.headers.get('etag') });
  assert.equal(again.status, 304);
});

test('assets: their content type, immutable under the build id, revalidated at the stable path', async () => {
  const wasm = await get(`/assets/${BUILD_ID}/wasm/dist/connauth.wasm`);
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.equal(wasm.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(wasm.headers.get('x-content-type-options'), 'nosniff');
  const bytes = new Uint8Array(await wasm.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 4)], [0x00, 0x61, 0x73, 0x6d], 'the WebAssembly magic number');
  assert.ok(WebAssembly.validate(bytes));

  const module = await get('/assets/web/connauth-elements.mjs');
  assert.equal(module.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(module.headers.get('cache-control'), 'public, no-cache');
  assert.equal(module.headers.get('access-control-allow-origin'), '*');
  const etag = module.headers.get('etag');
  assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
  assert.equal((await get('/assets/web/connauth-elements.mjs', { 'if-none-match': etag })).status, 304);

  assert.equal((await get(`/assets/${BUILD_ID}/wasm/connauth.mjs`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await get(`/assets/${BUILD_ID}/web/icon.svg`)).headers.get('content-type'), 'image/svg+xml');
});

test('only files of this build exist', async () => {
  for (const path of ['/assets/web/nope.mjs', '/assets/0123456789abcdef/web/console.mjs', '/assets/web/index.html',
    '/assets/edge/src/index.mjs', '/assets/web/../edge/src/index.mjs', '/assets/web/%2e%2e/edge/src/index.mjs',
    '/assets/web/docs/README.md', '/assets/']) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.equal(res.headers.get('content-type'), 'application/problem+json', path);
  }
});
