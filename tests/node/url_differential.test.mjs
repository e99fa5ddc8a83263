// The engine reads URLs per RFC 3986; the hosts send them with fetch, which
// reads them per the WHATWG URL Standard (Node's URL here, workerd's and the
// browser's alike). Where both accept a request URL they must mean the same
// request, or an apply rule or the egress list would judge one URL while
// another is sent. Where they disagree, the engine must be the stricter one,
// refusing for one of the documented reasons (docs/behaviour.md "URLs"),
// and the single case where only fetch refuses (an invalid punycode label)
// must be the one documented. Inputs are generated, seeded, so a failure
// names an input that reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../wasm/connauth.mjs';

const engine = await load();

// The engine's refusals where fetch would accept (docs/behaviour.md "URLs").
const STRICTER = [
  /contains a control character/, // fetch drops tabs and newlines, encodes the rest
  /contains a space/, // fetch percent-encodes it (or trims it at the ends)
  /backslash/, // fetch reads "\" as "/" in http(s) URLs
  /has no host/, // "https:x" with the base's scheme is relative to fetch only
  /percent-encoded host name/, // fetch decodes it
  /in its host name, where it is not allowed/, // fetch takes more characters in a host
  /non-ASCII characters; write its punycode/, // fetch applies IDNA
  /IPv4 address written another way/, // "127.1", "0x7f.1": fetch rewrites them
  /must not carry credentials/, // userinfo: the connector's `basic` instead
  /must be an http or https URL/,
  /port that is not a number|port above 65535/,
  /IPv6/,
];
const STRICTER_EXAMPLES = [
  'a\tb', 'a b', 'a\\b', 'https:x', '//ex%61mple.com/', '//a{b/', '//bücher.example/', '//127.1/', '//0x7f.0.0.1/',
  '//u@h.example/', 'ftp://h.example/', '//h.example:x/', '//[::1/',
];

const PIECES = [
  'a', 'B', '.', '..', '%2e', '%2E', '.%2e', '/', '/', '//', '?', '#', '&', '=', '%', '%41', '%zz', ' ', '\\', 'é', '@',
  ':', '[', ']', '::1', '80', 'HTTP:', 'https:', 'mailto:', '\t', '\n', '~', '!', "'", '*', '+', ';', '$', '|', '^',
  '`', '{', '"', '<', 'x.com', 'X.COM', ':443', ':0', ':99999', '127.0.0.1', '0x7f.1', 'xn--', '%00', '\u3000', 'ß',
];
const BASES = [
  'https://api.example.com/v1/', 'https://api.example.com/v1', 'https://API.Example.com:443', 'http://127.0.0.1:8080/a/b/?q=1',
];

// mulberry32: a small seeded generator, so that every run tries the same inputs.
function generator(seed) {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

function generated(count, seed) {
  const random = generator(seed);
  return Array.from({ length: count }, () => {
    let reference = '';
    for (let n = 1 + random(7); n > 0; n--) reference += PIECES[random(PIECES.length)];
    return { base: BASES[random(BASES.length)], reference };
  });
}

function engineUrl(base, reference) {
  const connector = { name: 'x', connection: { base_uri: base }, authorization: { type: 'api_key', apply: [{ headers: { 'X-K': 'k' } }] } };
  return engine.apply(connector, { connection: {} }, { method: 'GET', url: reference });
}

function fetchHref(url, base) {
  try {
    const parsed = new URL(url, base);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

const hasPunycodeLabel = (url) => /^[a-z]+:\/\/(?:[^/?#@]*@)?(?:[^/?#]*\.)?xn--/i.test(url);

test('where the engine and fetch both accept a URL, they mean the same request; where not, the engine refuses for a documented reason', (t) => {
  const counts = { same: 0, stricter: 0, punycode: 0 };
  for (const { base, reference } of generated(20_000, 0x5eed)) {
    const ours = engineUrl(base, reference);
    const theirs = fetchHref(reference, base);
    const input = JSON.stringify({ base, reference });
    if (ours.ok) {
      const sent = fetchHref(ours.value.url);
      if (sent === null && hasPunycodeLabel(ours.value.url)) {
        counts.punycode++;
        continue;
      }
      assert.equal(sent, theirs, `${input}: the engine resolved ${JSON.stringify(ours.value.url)}`);
      counts.same++;
    } else {
      assert.ok(STRICTER.some((reason) => reason.test(ours.error.message)), `${input}: undocumented refusal: ${ours.error.message}`);
      counts.stricter++;
    }
  }
  t.diagnostic(JSON.stringify(counts));
  assert.ok(counts.same > 2_000 && counts.stricter > 2_000, JSON.stringify(counts));
});

test('encoded dot segments are removed as fetch removes them', () => {
  for (const segment of ['%2e%2e', '%2E%2e', '.%2e', '%2e.', '..']) {
    const ours = engineUrl('https://api.example.com/v1/', `a/${segment}/${segment}/x`);
    assert.equal(ours.value.url, 'https://api.example.com/x', segment);
    assert.equal(ours.value.url, fetchHref(`a/${segment}/${segment}/x`, 'https://api.example.com/v1/'));
  }
});

test('each documented reason is met by an example', () => {
  const met = new Set();
  for (const reference of STRICTER_EXAMPLES) {
    const ours = engineUrl('https://api.example.com/v1/', reference);
    assert.equal(ours.ok, false, reference);
    const reason = STRICTER.findIndex((r) => r.test(ours.error.message));
    assert.notEqual(reason, -1, `${reference}: ${ours.error.message}`);
    met.add(reason);
  }
  assert.equal(met.size, STRICTER.length);
});

test('an invalid punycode label is accepted by the engine and refused by fetch: the edge refuses it at the egress check', () => {
  const ours = engineUrl('https://api.example.com/v1/', 'https://xn--/x');
  assert.equal(ours.ok, true);
  assert.equal(fetchHref(ours.value.url), null);
});
