// The edge worker's pure modules, in Node (same WebCrypto and URL APIs as
// workerd): the proxy path guard, the egress matcher, header filtering,
// encryption at rest with its record binding, session verification, the
// OAuth callback page, and the local launcher's configuration.
// The end-to-end behaviour is tested in workerd by the other files.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { proxyTarget, checkedProxyTarget } from '../../edge/src/proxy_path.mjs';
import { hostAllowed, hostAllowedByParsing } from '../../edge/src/egress.mjs';
import { ConnectLimit, CONNECT_BURST, CONNECT_REFILL_MS } from '../../edge/src/connect_limit.mjs';
import { addressRefusal, configureEgressAddresses, isPrivateHost, privateAddressesAllowed } from '../../edge/src/egress_address.mjs';
import { readRequestHead, upstreamRequestHeaders } from '../../edge/src/http_headers.mjs';
import { proxiedResponseHeaders, proxyBase } from '../../edge/src/response_headers.mjs';
import { requestTarget } from '../../edge/src/request_url.mjs';
import { checkHeaderSize, LIMITS } from '../../edge/src/limits.mjs';
import { aad, atRestKeyring, seal, open, isStale, reseal } from '../../edge/src/crypto.mjs';
import { verifySession } from '../../edge/src/session.mjs';
import { validateAppInput, parseConnectorRef } from '../../edge/src/app_model.mjs';
import { callbackPage } from '../../edge/src/callback_page.mjs';
import { newBinding, isBound } from '../../edge/src/browser_binding.mjs';
import { readWranglerConfig } from '../../edge/dev/worker_options.mjs';
import { devSettings, DEV_DEFAULTS } from '../../edge/dev/defaults.mjs';
import { signJwt, SESSION_SECRET } from './fixtures/edge_harness.mjs';
import { runCallbackPage } from './fixtures/callback_page.mjs';

describe('proxy path guard', () => {
  test('ordinary paths join as "./path?query"', () => {
    assert.deepEqual(proxyTarget('users/1', '?a=b'), { ok: true, value: './users/1?a=b' });
    assert.equal(proxyTarget('', '').value, './');
    assert.equal(proxyTarget('a/b/', '').value, './a/b/');
    assert.equal(proxyTarget('files/report%20v2.pdf', '').value, './files/report%20v2.pdf');
    assert.equal(proxyTarget('sheets/x:batchGet', '').value, './sheets/x:batchGet');
  });

  test('escapes are refused', () => {
    for (const rest of ['/evil.example/x', '..', '../x', 'a/../../x', '.', '%2e%2e/x', '.%2E/x', '..%2f..%2fx', '%2F%2Fevil',
      'a%5cb', 'a\\b', '@evil.example', '%40evil', 'x@y', 'http://evil.example', 'http:evil', 'HTTPS:%2f%2fx', 'a//b',
      '%252e%252e/x', '%25252f', 'x%00', 'x%0a', 'x%7f', '%2525252525252e']) {
      const r = proxyTarget(rest, '');
      assert.equal(r.ok, false, rest);
      assert.ok(['egress_denied', 'invalid_path'].includes(r.error.code), rest);
    }
    assert.equal(proxyTarget('a%zz', '').error.code, 'invalid_path');
    assert.equal(proxyTarget('a b', '').ok, false);
    assert.equal(proxyTarget('a', '?x=\r\n').ok, false);
  });

  test('the shortcut for plain paths answers what the segment walk answers', () => {
    // Paths built from the characters that matter to the walk: dots,
    // slashes, escapes, a scheme's colon, unreserved and refused characters.
    const pieces = ['a', 'Z9', '.', '..', '...', '/', '//', '-', '_', '~', ':', '%2e', '%2F', '%25', '@', '\\', ' ', 'http:', 'é'];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let plain = 0;
    for (let i = 0; i < 20000; i++) {
      let rest = '';
      for (let n = Math.floor(next() * 7); n > 0; n--) rest += pieces[Math.floor(next() * pieces.length)];
      const search = next() < 0.2 ? '?a=b' : '';
      assert.deepEqual(proxyTarget(rest, search), checkedProxyTarget(rest, search), JSON.stringify(rest));
      if (proxyTarget(rest, search).ok) plain += 1;
    }
    assert.ok(plain > 1000, `enough accepted paths to compare (${plain})`);
  });
});

describe('egress matching', () => {
  test('exact hosts on the default port, explicit ports, wildcards', () => {
    const hosts = ['api.example.com', '*.tenant.example', '127.0.0.1:8787', '[::1]:9000'];
    assert.ok(hostAllowed('https://api.example.com/x', hosts));
    assert.ok(hostAllowed('http://api.example.com/x', hosts));
    assert.ok(!hostAllowed('https://api.example.com:8443/x', hosts));
    assert.ok(!hostAllowed('https://evil.api.example.com/x', hosts));
    assert.ok(!hostAllowed('https://api.example.com.evil.test/x', hosts));
    assert.ok(hostAllowed('https://a.tenant.example/', hosts));
    assert.ok(hostAllowed('https://a.b.tenant.example/', hosts));
    assert.ok(!hostAllowed('https://tenant.example/', hosts));
    assert.ok(!hostAllowed('https://eviltenant.example/', hosts));
    assert.ok(hostAllowed('http://127.0.0.1:8787/token', hosts));
    assert.ok(!hostAllowed('http://127.0.0.1/token', hosts));
    assert.ok(hostAllowed('http://[::1]:9000/', hosts));
    assert.ok(!hostAllowed('https://user:pw@api.example.com/', hosts));
    assert.ok(!hostAllowed('ftp://api.example.com/', hosts));
    assert.ok(!hostAllowed('not a url', hosts));
    assert.ok(!hostAllowed('https://api.example.com/', []));
  });

  test('a remembered answer is the parser\'s answer, whatever the rest of the URL', () => {
    const hosts = ['api.example.com', '*.tenant.example', '127.0.0.1:8787', '[::1]:9000', '0x7f.1:80', 'good.example'];
    const origins = ['https://api.example.com', 'http://api.example.com', 'https://API.Example.COM', 'https://api.example.com:443',
      'https://api.example.com:8443', 'https://api.example.com.', 'http://127.0.0.1:8787', 'http://127.0.0.1', 'http://0x7f.1:8787',
      'http://2130706433:8787', 'http://[::1]:9000', 'http://[0:0::1]:9000', 'https://a.tenant.example', 'https://tenant.example',
      'https://evil.example', 'https://good.example', 'https://good.example:0443', 'https://good.example:443:1', 'ftp://good.example'];
    const rests = ['/', '/x/y?z=1', '?q', '#f', '\\@evil.example/', '/@evil.example', '\\evil.example', '/%2f%2fevil.example',
      '/..//evil.example', ':8787/', '@evil.example/', '.evil.example/', '\t.evil.example/', '\n/x', '%2eevil.example/', '', ' /x'];
    let remembered = 0;
    for (const origin of origins) {
      for (const rest of rests) {
        const url = origin + rest;
        // The same list twice: the second answer comes from memory when the
        // URL has a plain origin; both must be what parsing it says.
        const expected = hostAllowedByParsing(url, hosts);
        assert.equal(hostAllowed(url, hosts), expected, url);
        assert.equal(hostAllowed(url, hosts), expected, url);
        if (/^https?:\/\/[A-Za-z0-9.:[\]-]+[/?#\\]/.test(url)) remembered += 1;
      }
    }
    assert.ok(remembered > 100, 'most of these URLs take the remembered path');
    // The positive control: the remembered path does answer true.
    assert.ok(hostAllowed('https://api.example.com/x', hosts) && hostAllowed('http://[::1]:9000/', hosts));
    assert.ok(!hostAllowed('https://api.example.com\\@evil.example/', ['evil.example']));
  });
});

describe('request target', () => {
  test('pathname and search as URL answers them', () => {
    for (const href of ['http://edge.test/', 'http://edge.test/proxy/a/items', 'https://edge.test:8443/proxy/a/x?y=1&z',
      'http://edge.test/a?', 'http://edge.test/a?#f', 'http://edge.test/a#f?x', 'http://edge.test/a?b#c', 'http://edge.test/a%2Fb/..%2F?q=%20',
      'http://u:p@edge.test/x?y', 'http://[::1]:8787/proxy/x/y', 'http://edge.test//double', 'http://edge.test/?', 'http://edge.test/??x',
      'http://edge.test', 'data:text/plain,hi', 'blob:http://edge.test/x?y']) {
      const url = new URL(href);
      assert.deepEqual(requestTarget(href), { pathname: url.pathname, search: url.search }, href);
      // request.url is a serialized URL: the same answers for its href.
      assert.deepEqual(requestTarget(url.href), { pathname: url.pathname, search: url.search }, url.href);
    }
  });
});

describe('header filtering', () => {
  test('the request head: every field once, and the size the 431 limit bounds', () => {
    const head = readRequestHead(new Headers([['Accept', 'a/b'], ['accept', 'c/d'], ['x-long', 'v'.repeat(100)], ['authorization', 'Bearer t']]));
    assert.deepEqual(Object.entries(head.fields), [['accept', 'a/b, c/d'], ['authorization', 'Bearer t'], ['x-long', 'v'.repeat(100)]]);
    assert.equal(Object.getPrototypeOf(head.fields), null);
    assert.equal(head.size, (6 + 8 + 4) + (13 + 8 + 4) + (6 + 100 + 4));
    assert.ok(checkHeaderSize(head.size).ok);
    const big = readRequestHead(new Headers({ 'x-big': 'v'.repeat(LIMITS.headerBytes) }));
    assert.equal(checkHeaderSize(big.size).error.code, 'headers_too_large');
  });

  test('request: hop-by-hop (RFC 9110 §7.6.1), Connection-named, caller credentials', () => {
    const headers = new Headers({
      connection: 'close, X-Named', 'x-named': '1', 'keep-alive': '5', te: 'trailers', trailer: 'x', 'transfer-encoding': 'chunked',
      upgrade: 'websocket', 'proxy-authorization': 'p', 'proxy-x': 'p', authorization: 'Bearer s', cookie: 'c=1',
      host: 'edge', 'cf-connecting-ip': '1.2.3.4', 'x-forwarded-for': '1.2.3.4', 'content-type': 'application/json', 'x-keep': 'k',
    });
    assert.deepEqual(Object.entries(upstreamRequestHeaders(readRequestHead(headers).fields)),
      [['content-type', 'application/json'], ['x-keep', 'k']]);
    // The engine's headers replace the caller's of the same name, whatever the
    // case, and keep the engine's spelling; of two engine headers with one
    // name, the later wins.
    const fields = readRequestHead(new Headers({ 'x-api-key': 'caller', accept: 'a/b' })).fields;
    assert.deepEqual(Object.entries(upstreamRequestHeaders(fields, [['X-Api-Key', 'engine'], ['Authorization', 'Bearer t']])),
      [['accept', 'a/b'], ['X-Api-Key', 'engine'], ['Authorization', 'Bearer t']]);
    assert.deepEqual(Object.entries(upstreamRequestHeaders(fields, [['X-Api-Key', 'one'], ['x-a', '1'], ['x-api-KEY', 'two']])),
      [['accept', 'a/b'], ['x-a', '1'], ['x-api-KEY', 'two']]);
    // What a Headers object would refuse is refused here, before fetch().
    for (const value of ['caf\u00e9 \u65e5', 'a\r\nb', 'a\0b']) {
      assert.throws(() => upstreamRequestHeaders(fields, [['x-a', value]]), TypeError);
      assert.throws(() => new Headers([['x-a', value]]), TypeError);
    }
    assert.equal(upstreamRequestHeaders(fields, [['x-a', 'caf\u00e9']])['x-a'], 'caf\u00e9');
    // A repeated field arrives combined; a header named __proto__ is a header like any other.
    const odd = new Headers([['accept', 'a/b'], ['accept', 'c/d'], ['__proto__', 'x']]);
    const forwarded = upstreamRequestHeaders(readRequestHead(odd).fields);
    assert.deepEqual(Object.entries(forwarded), [['__proto__', 'x'], ['accept', 'a/b, c/d']]);
  });

  test('response: only allowed headers, hop-by-hop and cookies never, a sandbox and nosniff always', () => {
    const where = { upstreamUrl: 'https://api.acme.test/v1/items', rest: 'items', proxyPath: '/proxy/app1/', ownOrigins: () => ['http://edge.test'] };
    const pass = (init) => [...proxiedResponseHeaders(new Headers(init), where).value];
    assert.deepEqual(pass({ connection: 'x-private', 'x-private': '1', 'set-cookie': 'a=b', 'keep-alive': '1', 'content-type': 'text/plain' }),
      [['content-security-policy', 'sandbox'], ['content-type', 'text/plain'], ['x-content-type-options', 'nosniff']]);
    const hostile = pass({
      'clear-site-data': '"cookies", "storage"', 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true',
      'www-authenticate': 'Basic realm="x"', 'proxy-authenticate': 'Basic', 'set-cookie2': 'c=d', 'content-security-policy': "script-src 'unsafe-inline'",
      'x-content-type-options': 'sniff', refresh: '0; url=/api/apps', 'strict-transport-security': 'max-age=1', 'x-frame-options': 'ALLOWALL',
      'etag': '"v1"', 'x-ratelimit-remaining': '9', 'retry-after': '3', link: '<https://api.acme.test/v1/items?page=2>; rel="next"',
    });
    assert.deepEqual(hostile, [['content-security-policy', 'sandbox'], ['etag', '"v1"'],
      ['link', '<https://api.acme.test/v1/items?page=2>; rel="next"'], ['retry-after', '3'], ['x-content-type-options', 'nosniff'],
      ['x-ratelimit-remaining', '9']]);
    // A field Connection names is dropped even when it is on the list.
    assert.deepEqual(pass({ connection: 'ETag', etag: '"1"', 'x-request-id': '3' }).map(([n]) => n),
      ['content-security-policy', 'x-content-type-options', 'x-request-id']);
  });

  test('response: a Location is resolved against the upstream URL, rewritten under base_uri, refused on this origin', () => {
    const where = { upstreamUrl: 'https://api.acme.test/v1/items/7?x=1', rest: 'items/7', proxyPath: '/proxy/app1/',
      ownOrigins: () => ['http://edge.test', 'https://connauth.example'] };
    const location = (value, name = 'location') => {
      const r = proxiedResponseHeaders(new Headers({ [name]: value }), where);
      return r.ok ? r.value.get(name) : r.error.code;
    };
    assert.equal(location('/v1/items/8?page=2#top'), '/proxy/app1/items/8?page=2#top');
    assert.equal(location('8'), '/proxy/app1/items/8');
    assert.equal(location('https://api.acme.test/v1/'), '/proxy/app1/');
    assert.equal(location('/api/apps/X/disable'), 'https://api.acme.test/api/apps/X/disable');
    assert.equal(location('/proxy/other/x'), 'https://api.acme.test/proxy/other/x');
    assert.equal(location('https://elsewhere.example/a'), 'https://elsewhere.example/a');
    assert.equal(location('http://edge.test/api/apps/X/disable'), 'upstream_redirect_refused');
    assert.equal(location('//edge.test/proxy/other/x'), 'upstream_redirect_refused');
    assert.equal(location('https://connauth.example/api/apps'), 'upstream_redirect_refused');
    assert.equal(location('javascript:alert(1)'), null);
    // Content-Location the same way, dropped (not refused) on this origin.
    assert.equal(location('/v1/items/9', 'content-location'), '/proxy/app1/items/9');
    assert.equal(location('http://edge.test/x', 'content-location'), null);
  });

  test('response: the base is the requested URL without the caller\'s part', () => {
    assert.deepEqual(proxyBase('https://a.test/v1/items/7?q', 'items/7'), { origin: 'https://a.test', path: '/v1/' });
    assert.deepEqual(proxyBase('https://a.test/v1/', ''), { origin: 'https://a.test', path: '/v1/' });
    assert.equal(proxyBase('https://a.test/v1/other', 'items'), null);
  });
});

describe('encryption at rest', () => {
  test('a sealed value opens only for its own record', async () => {
    const key = (await atRestKeyring('k'.repeat(32))).value;
    const a = aad('connection', 'org', 'app', 1, 'alice');
    const sealed = await seal(key, 'token-123', a);
    assert.ok(!JSON.stringify(sealed).includes('token-123'));
    assert.equal((await open(key, sealed, a)).value, 'token-123');
    for (const other of [aad('connection', 'org', 'app', 1, 'bob'), aad('connection', 'org', 'app', 2, 'alice'),
      aad('connection', 'org2', 'app', 1, 'alice'), aad('app_secret', 'org', 'app')]) {
      assert.equal((await open(key, sealed, other)).ok, false);
    }
    const tampered = { ...sealed, ct: sealed.ct.slice(0, -4) + (sealed.ct.endsWith('AAAA') ? 'BBBB' : 'AAAA') };
    assert.equal((await open(key, tampered, a)).ok, false);
    const otherKey = (await atRestKeyring('z'.repeat(32))).value;
    assert.equal((await open(otherKey, sealed, a)).ok, false);
    const again = await seal(key, 'token-123', a);
    assert.notEqual(again.iv, sealed.iv, 'a fresh IV per seal');
  });

  test('a missing or short key is a configuration error', async () => {
    assert.equal((await atRestKeyring(undefined)).error.code, 'server_misconfigured');
    assert.equal((await atRestKeyring('short')).error.code, 'server_misconfigured');
    const shortSecond = await atRestKeyring(`${'k'.repeat(32)},short`);
    assert.equal(shortSecond.error.code, 'server_misconfigured');
    assert.match(shortSecond.error.message, /key 2 of 2 is shorter than 32 characters/);
    assert.ok(!shortSecond.error.message.includes('kkkk') && !shortSecond.error.message.includes('short,'), 'no key in the message');
    assert.equal((await atRestKeyring(`${'k'.repeat(32)},`)).error.code, 'server_misconfigured', 'an empty entry');
  });

  test('a keyring: the first key seals, every key opens, older values are stale', async () => {
    const [a, b] = ['a'.repeat(32), 'b'.repeat(32)];
    const ringA = (await atRestKeyring(a)).value;
    const ringBA = (await atRestKeyring(`${b},${a}`)).value;
    assert.match((await atRestKeyring(`${b}, ${a}`)).error.message, /key 2 of 2 starts or ends with white space/);
    const ringB = (await atRestKeyring(b)).value;
    assert.deepEqual(ringBA.keys.map((k) => k.id), [ringB.sealing.id, ringA.sealing.id]);
    const r = aad('app_secret', 'org', 'app');
    const underA = await seal(ringA, 'cs', r);
    assert.equal(underA.kid, ringA.sealing.id);
    assert.equal((await open(ringBA, underA, r)).value, 'cs', 'an older key still opens');
    assert.ok(isStale(ringBA, underA));
    const underB = (await reseal(ringBA, underA, r)).value;
    assert.equal(underB.kid, ringB.sealing.id);
    assert.ok(!isStale(ringBA, underB));
    assert.equal((await open(ringB, underB, r)).value, 'cs', 'the old key can then go');
    assert.equal((await reseal(ringBA, underA, aad('app_secret', 'org', 'other'))).ok, false, 'reseal keeps the record binding');
    // A value whose key left the ring names the key id to add back, never a key.
    const missing = await open(ringB, underA, r);
    assert.equal(missing.error.code, 'server_misconfigured');
    assert.ok(missing.error.message.includes(ringA.sealing.id));
    assert.ok(!missing.error.message.includes(a));
    // A value sealed before key ids (no kid) opens with whichever key sealed it, and is stale.
    const { kid, ...legacy } = underA;
    assert.equal((await open(ringBA, legacy, r)).value, 'cs');
    assert.ok(isStale(ringB, legacy));
    assert.equal((await open(ringB, legacy, r)).error.code, 'server_misconfigured');
    // A key id naming a key in the ring on an altered value is no configuration problem.
    assert.equal((await open(ringA, { ...underA, ct: underA.ct.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }, r)).error.code, 'internal_error');
  });
});

describe('sessions', () => {
  const req = (token) => new Request('https://edge.test/', { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const now = 1_800_000_000;

  test('valid token → claims; exp honoured with the documented skew', async () => {
    const token = await signJwt({ sub: 'u', org: 'o', role: 'member', exp: now + 10 });
    assert.deepEqual((await verifySession(req(token), SESSION_SECRET, now)).value, { sub: 'u', org: 'o', role: 'member' });
    assert.ok((await verifySession(req(token), SESSION_SECRET, now + 30)).ok);
    assert.equal((await verifySession(req(token), SESSION_SECRET, now + 41)).ok, false);
  });

  test('tampered claims fail the signature', async () => {
    const token = await signJwt({ sub: 'u', org: 'o', role: 'member', exp: now + 10 });
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'u', org: 'o', role: 'admin', exp: now + 10 })).toString('base64url');
    const r = await verifySession(req(`${h}.${forged}.${s}`), SESSION_SECRET, now);
    assert.equal(r.error.code, 'unauthorized');
    assert.equal(r.error.why, 'bad signature');
  });
});

describe('app input', () => {
  test('connector references', () => {
    assert.deepEqual(parseConnectorRef('acme'), { name: 'acme', version: null });
    assert.deepEqual(parseConnectorRef('acme@12'), { name: 'acme', version: 12 });
    for (const bad of ['Acme', 'acme@0', 'acme@', '@1', 'acme@1@2', '', 5]) assert.equal(parseConnectorRef(bad), null, String(bad));
  });

  test('defaults, and partial updates add none', () => {
    const full = validateAppInput({ name: 'n', prompt: 'p', connector: 'c' });
    assert.equal(full.value.refresh_buffer, 60);
    assert.equal(full.value.enabled, true);
    assert.deepEqual(validateAppInput({ name: 'x' }, { partial: true }).value, { name: 'x' });
    assert.deepEqual(validateAppInput({ egress: ['API.Example.com', 'api.example.com'] }, { partial: true }).value, { egress: ['api.example.com'] });
    const proto = validateAppInput(JSON.parse('{"settings":{"__proto__":{"x":1}}}'), { partial: true });
    assert.deepEqual(proto.error.details.map((d) => d.path), ['/settings/__proto__']);
  });

  test('operations: the lifecycle policy and keep-alive, defaults and ranges', () => {
    const full = validateAppInput({ name: 'n', prompt: 'p', connector: 'c' });
    assert.deepEqual([full.value.lost_after_failures, full.value.backoff_base_seconds, full.value.backoff_cap_seconds,
      full.value.keepalive_seconds], [12, 2, 900, 86400]);
    assert.deepEqual(validateAppInput({ lost_after_failures: 1, keepalive_seconds: 0, backoff_cap_seconds: null }, { partial: true }).value,
      { lost_after_failures: 1, keepalive_seconds: 0, backoff_cap_seconds: 900 }, 'null is the default; 0 turns keep-alive off');
    const bad = validateAppInput({ lost_after_failures: 0, backoff_base_seconds: 1.5, backoff_cap_seconds: '900', keepalive_seconds: 9 }, { partial: true });
    assert.deepEqual(bad.error.details.map((d) => d.path), ['/lost_after_failures', '/backoff_base_seconds', '/backoff_cap_seconds', '/keepalive_seconds']);
    assert.match(bad.error.details[3].message, /^must be 0 \(off\) or an integer from 10 to 7776000 seconds/);
    const crossed = validateAppInput({ backoff_base_seconds: 60, backoff_cap_seconds: 30 }, { partial: true });
    assert.deepEqual(crossed.error.details, [{ path: '/backoff_cap_seconds', message: 'must not be less than backoff_base_seconds' }]);
  });
});

describe('OAuth callback page', () => {
  test('hostile values cannot end its script or reach another origin', async () => {
    const message = '</script><script>alert(1)</script>\u2028\u2029<!-- & "\'';
    const response = callbackPage({ origin: 'https://edge.example', state: 'st</script>', ok: false, error: 'x</script>', message, action: 'a' });
    const html = await response.text();
    assert.equal((html.match(/<script\b/g) ?? []).length, 1, 'exactly one script element');
    const page = runCallbackPage(html);
    assert.deepEqual(page.posted, [{
      message: { type: 'connauth:oauth', state: 'st</script>', ok: false, error: 'x</script>', message },
      origin: 'https://edge.example',
    }]);
    const csp = response.headers.get('content-security-policy');
    assert.ok(csp.includes(`script-src 'nonce-${page.nonce}'`));
    assert.equal(page.nonce.length >= 22, true, '128-bit nonce');
  });

  test('an answer carries the provider\'s query, no error; no state means no BroadcastChannel', async () => {
    const edge = 'http://127.0.0.1:8787';
    const page = await callbackPage({ origin: edge, state: 's1', ok: true, callback: '?code=c&state=s1' }).text();
    const ok = runCallbackPage(page, { opener: false, location: edge });
    assert.deepEqual(ok.broadcast, [{ name: 'connauth:s1', message: { type: 'connauth:oauth', state: 's1', ok: true, error: null, message: '', callback: '?code=c&state=s1' } }]);
    const none = runCallbackPage(await callbackPage({ origin: edge, state: null, ok: false, error: 'invalid_callback' }).text(), { opener: false, location: edge });
    assert.deepEqual(none.broadcast, []);
    assert.equal(none.closed, true);
  });

  test('for a console on another origin, without an opener: nothing is handed on, the page says so and stays', async () => {
    const page = await callbackPage({ origin: 'http://localhost:9000', state: 's1', ok: true, callback: '?code=c&state=s1' }).text();
    const orphan = runCallbackPage(page, { opener: false, location: 'http://127.0.0.1:8787' });
    assert.deepEqual([orphan.posted, orphan.broadcast, orphan.closed], [[], [], false], 'BroadcastChannel reaches this origin only');
    assert.match(orphan.text, /nothing was connected/);
    const opened = runCallbackPage(page, { location: 'http://127.0.0.1:8787' });
    assert.equal(opened.posted[0].origin, 'http://localhost:9000', 'to the recorded console origin only');
  });
});

describe('local launcher configuration', () => {
  test('wrangler.toml is the source of the worker\'s bindings', () => {
    const config = readWranglerConfig();
    assert.equal(config.main, 'src/index.mjs');
    assert.match(config.compatibilityDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(config.durableObjects, {
      ORG_STORE: 'OrgStore', CONNECTION_STORE: 'ConnectionStore', AUTHORIZATION_STORE: 'AuthorizationStore',
    });
  });

  test('dev settings: documented defaults, environment overrides', () => {
    const d = devSettings({});
    assert.equal(d.port, 8787);
    assert.equal(d.providerPort, 8788);
    assert.equal(d.apiPort, 8789);
    assert.equal(d.sessionSecret, DEV_DEFAULTS.SESSION_SECRET);
    assert.ok(d.sessionSecret.length >= 32 && d.encryptionKey.length >= 32);
    assert.match(d.dataDir, /\/\.data$/);
    const e = devSettings({ PORT: '0', DATA_DIR: '/tmp/x', SESSION_SECRET: 's'.repeat(40) });
    assert.deepEqual([e.port, e.providerPort, e.apiPort, e.dataDir, e.sessionSecret], [0, 0, 0, '/tmp/x', 's'.repeat(40)]);
    assert.throws(() => devSettings({ PORT: 'eighty' }), /not a port/);
  });
});

describe('browser binding of an OAuth attempt (browser_binding.mjs)', () => {
  test('a fresh value each time, only its hash stored; only that value matches', async () => {
    const bound = await newBinding();
    assert.match(bound.value, /^[A-Za-z0-9_-]{43}$/);
    assert.match(bound.hash, /^[0-9a-f]{64}$/);
    assert.notEqual((await newBinding()).value, bound.value);
    assert.equal(await isBound(bound.value, bound.hash), true);
    for (const bad of [undefined, null, '', 'abc', `${bound.value}x`, 'A'.repeat(43), `${'A'.repeat(42)}!`, bound.hash]) {
      assert.equal(await isBound(bad, bound.hash), false, String(bad));
    }
    assert.equal(await isBound(bound.value, undefined), false, 'a record with no binding');
  });
});

describe('egress addresses (EGRESS_ALLOW_PRIVATE off)', () => {
  test('loopback, private, link-local, mapped and odd spellings are refused; public ones are not', () => {
    configureEgressAddresses({});
    const refused = ['http://127.0.0.1:8787/', 'http://127.1/', 'http://0x7f.1/', 'http://2130706433/', 'http://0/',
      'http://10.0.0.1/', 'http://172.16.5.4/', 'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/', 'http://[::1]:9000/', 'http://[::]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:a9fe:a9fe]/',
      'http://[fe80::1]/', 'http://[fd12:3456::1]/', 'http://[64:ff9b::7f00:1]/', 'http://localhost:8080/',
      'http://app.localhost/', 'https://224.0.0.1/', 'http://255.255.255.255/'];
    for (const url of refused) {
      assert.match(addressRefusal(url) ?? '', /loopback, link-local or private address/, url);
      assert.match(addressRefusal(url) ?? '', /EGRESS_ALLOW_PRIVATE/, `${url} (remembered)`);
    }
    for (const url of ['https://api.example.com/x', 'https://8.8.8.8/', 'http://172.32.0.1/', 'https://[2606:4700::1111]/',
      'https://[::ffff:8.8.8.8]/', 'https://127.0.0.1.nip.example/']) {
      assert.equal(addressRefusal(url), null, url);
    }
    assert.ok(isPrivateHost('127.0.0.1') && !isPrivateHost('example.com'));
  });

  test('EGRESS_ALLOW_PRIVATE=1 allows them; the setting is read again when it changes', () => {
    configureEgressAddresses({ EGRESS_ALLOW_PRIVATE: '1' });
    assert.ok(privateAddressesAllowed());
    assert.equal(addressRefusal('http://127.0.0.1:8787/'), null);
    configureEgressAddresses({ EGRESS_ALLOW_PRIVATE: '0' });
    assert.notEqual(addressRefusal('http://127.0.0.1:8787/'), null);
  });
});

describe('connect rate limit', () => {
  test('a burst, then one start per refill period; Retry-After says when', () => {
    const limit = new ConnectLimit();
    for (let i = 0; i < CONNECT_BURST; i++) assert.ok(limit.take('u', 1_000).ok, `start ${i}`);
    const refused = limit.take('u', 1_000);
    assert.deepEqual(refused, { ok: false, retryAfter: CONNECT_REFILL_MS / 1000 });
    assert.ok(limit.take('other', 1_000).ok, 'per user');
    assert.equal(limit.take('u', 1_000 + CONNECT_REFILL_MS / 2).retryAfter, CONNECT_REFILL_MS / 2000);
    assert.ok(limit.take('u', 1_000 + CONNECT_REFILL_MS).ok);
    assert.equal(limit.take('u', 1_000 + CONNECT_REFILL_MS).ok, false);
  });
});
