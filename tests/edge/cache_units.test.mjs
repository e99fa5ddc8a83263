// The request-path caches' building blocks, in Node (edge/README.md "Caching
// on the request path"): the bounded LRU, the leased credentials entry
// (derived objects disposed only when retired and unused), the proactive
// refresh deadline against the engine's own refreshNeeded, and the verified
// session cache (exp honoured exactly, per secret).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Lru } from '../../edge/src/lru.mjs';
import { ProxyCredentials, refreshDeadlineMs } from '../../edge/src/proxy_credentials.mjs';
import { verifySession } from '../../edge/src/session.mjs';
import { load } from '../../wasm/connauth.mjs';
import { signJwt, SESSION_SECRET } from './fixtures/edge_harness.mjs';

describe('Lru', () => {
  test('bounded by count: an unused entry goes before a used one (second chance), and is handed to onEvict', () => {
    const evicted = [];
    const lru = new Lru({ maxEntries: 3, onEvict: (v) => evicted.push(v) });
    for (const k of ['a', 'b', 'c']) lru.set(k, k.toUpperCase());
    assert.equal(lru.get('a'), 'A'); // a is now the most recent
    lru.set('d', 'D');
    assert.deepEqual(evicted, ['B']);
    assert.equal(lru.get('b'), undefined);
    assert.equal(lru.size, 3);
    lru.set('a', 'A2'); // replaced: the old value leaves
    assert.deepEqual(evicted, ['B', 'A']);
    lru.delete('c');
    lru.deleteWhere((v) => v === 'D');
    assert.deepEqual(evicted, ['B', 'A', 'C', 'D']);
    assert.equal(lru.size, 1);
  });

  test('when every entry was used, the oldest goes (each mark is cleared once)', () => {
    const evicted = [];
    const lru = new Lru({ maxEntries: 3, onEvict: (v) => evicted.push(v) });
    for (const k of ['a', 'b', 'c']) lru.set(k, k);
    for (const k of ['a', 'b', 'c']) lru.get(k);
    lru.set('d', 'd');
    assert.deepEqual(evicted, ['a']);
    lru.get('b');
    lru.set('e', 'e'); // c, d are unmarked now; b was used again
    assert.deepEqual(evicted, ['a', 'c']);
    assert.deepEqual(['b', 'd', 'e'].map((k) => lru.get(k)), ['b', 'd', 'e']);
  });

  test('bounded by weight: heavy entries push the oldest out; one heavier than the bound is not kept', () => {
    const evicted = [];
    const lru = new Lru({ maxEntries: 100, maxWeight: 10, onEvict: (v) => evicted.push(v) });
    lru.set('a', 1, 4);
    lru.set('b', 2, 4);
    lru.set('c', 3, 4);
    assert.deepEqual(evicted, [1]);
    assert.equal(lru.weight, 8);
    lru.set('huge', 4, 11);
    assert.deepEqual(evicted, [1, 4]);
    assert.equal(lru.get('huge'), undefined);
    assert.equal(lru.weight, 8);
    for (let i = 0; i < 1000; i++) lru.set(`k${i}`, i, 1);
    assert.ok(lru.size <= 10 && lru.weight <= 10);
  });
});

describe('ProxyCredentials', () => {
  const app = { org: 'o', id: 'a', use: { app: { scopes: [], refresh_buffer: 60 }, secrets: { client_secret: 's', settings: {} } } };
  const entry = () => new ProxyCredentials({ app, ref: {}, hash: { api_key: 'k' }, version: 1, status: 'connected', expiresAt: Infinity });

  test('the engine context is built once, from the hash and the app', () => {
    const c = entry();
    assert.equal(c.context, c.context);
    assert.deepEqual(JSON.parse(c.context).connection, { api_key: 'k' });
    assert.equal(JSON.parse(c.context).app.client_secret, 's');
  });

  test('derived objects: made once; disposed when retired AND the last lease is released', () => {
    const c = entry();
    let made = 0;
    let disposed = 0;
    const make = () => {
      made += 1;
      return { dispose: () => { disposed += 1; } };
    };
    c.retain();
    assert.equal(c.derive('bound', make), c.derive('bound', make));
    assert.equal(made, 1);
    c.retain(); // a second request
    c.retire(); // evicted meanwhile
    assert.equal(disposed, 0, 'still in use');
    c.release();
    assert.equal(disposed, 0, 'still in use by one request');
    c.release();
    assert.equal(disposed, 1);
    const fresh = entry();
    fresh.retain();
    fresh.derive('bound', make);
    fresh.release();
    assert.equal(disposed, 1, 'not retired: cached entries keep their derived objects');
  });
});

describe('refreshDeadlineMs (SPEC §3, the engine\'s refreshDeadline) agrees with its refreshNeeded', () => {
  test('to the second, for integer, float and missing expiries and buffers', async () => {
    const engine = await load();
    const now = 1_800_000_000;
    for (const expiresAt of [now - 100, now, now + 30, now + 59, now + 60, now + 61, now + 3600, now + 90.7]) {
      for (const buffer of [undefined, 0, 1, 60, 120, -5]) {
        const hash = { access_token: 't', expires_at: expiresAt };
        const appFields = buffer === undefined ? {} : { refresh_buffer: buffer };
        const deadline = refreshDeadlineMs(engine, hash, appFields);
        for (const t of [now - 1, now, now + 1, now + 30, now + 61]) {
          const needed = engine.refreshNeeded({ connection: hash, app: appFields }, { now: t }).value;
          // The cache may hand the credentials out at second t (any ms of it) only if no refresh is needed.
          assert.equal((t + 1) * 1000 - 1 < deadline, !needed, `expires_at ${expiresAt}, buffer ${buffer}, now ${t}`);
        }
      }
    }
    assert.equal(refreshDeadlineMs(engine, { access_token: 't' }, {}), Infinity, 'no expiry: signals only');
    assert.equal(refreshDeadlineMs(engine, { expires_at: null }, {}), Infinity);
    assert.equal(refreshDeadlineMs(engine, { expires_at: '1800000000' }, {}), (1_800_000_000 - 60) * 1000, 'read as the engine reads it');
    assert.equal(refreshDeadlineMs(undefined, { expires_at: 1_800_000_000 }, {}), -Infinity, 'no engine: never cached');
  });
});

describe('verified session cache', () => {
  const req = (token) => new Request('http://x/', { headers: { authorization: `Bearer ${token}` } });

  test('a cached token still expires exactly (30 s skew), and only under the secret it verified with', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signJwt({ sub: 'u', org: 'o', role: 'member', exp: now + 10 });
    assert.ok((await verifySession(req(token), SESSION_SECRET, now)).ok); // verified, now cached
    assert.ok((await verifySession(req(token), SESSION_SECRET, now + 40)).ok);
    const expired = await verifySession(req(token), SESSION_SECRET, now + 41);
    assert.equal(expired.error.why, 'expired');
    assert.equal((await verifySession(req(token), SESSION_SECRET, now + 41)).error.why, 'expired');
    const other = await verifySession(req(token), `${SESSION_SECRET}-rotated`, now);
    assert.equal(other.error.why, 'bad signature', 'a new secret verifies again');
  });

  test('nbf is honoured on every use; a forged token is never taken from the cache', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signJwt({ sub: 'u', org: 'o', role: 'admin', exp: now + 600, nbf: now + 100 });
    assert.equal((await verifySession(req(token), SESSION_SECRET, now)).error.why, 'not yet valid');
    assert.ok((await verifySession(req(token), SESSION_SECRET, now + 100)).ok);
    assert.equal((await verifySession(req(token), SESSION_SECRET, now)).error.why, 'not yet valid');
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'u', org: 'o', role: 'admin', exp: now + 9999 })).toString('base64url');
    assert.equal((await verifySession(req(`${h}.${forged}.${s}`), SESSION_SECRET, now + 100)).error.why, 'bad signature');
  });
});

test('the caches never log (secrets stay in memory only)', () => {
  for (const file of ['lru.mjs', 'proxy_cache.mjs', 'proxy_credentials.mjs', 'session_cache.mjs']) {
    const text = readFileSync(new URL(`../../edge/src/${file}`, import.meta.url), 'utf8');
    assert.doesNotMatch(text, /console\./, file);
  }
});
