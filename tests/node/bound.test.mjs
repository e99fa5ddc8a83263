// engine.bind: a connector bound to one connection's context (the edge's
// request path), through the real WebAssembly module. Every answer must be
// the one-shot engine.apply / engine.classify answer, in the bound shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../wasm/connauth.mjs';

const engine = await load();
const MiB = 1 << 20;
const bytes = (text) => new TextEncoder().encode(text);

const acme = {
  name: 'acme',
  connection: {
    fields: [{ name: 'subdomain', label: 'Subdomain' }],
    base_uri: 'https://{{connection.subdomain}}.acme.example/api/',
  },
  authorization: {
    type: 'oauth2',
    authorization_url: 'https://acme.example/oauth/authorize',
    token_url: 'https://acme.example/oauth/token',
    refresh_on: [401, { regex: 'token (has )?expired', flags: 'i' }],
    detect_on: [{ regex: '"error":' }],
  },
};
const acmeContext = { connection: { subdomain: 'eu', access_token: 'at-123' }, app: { client_id: 'cid' } };

const rules = {
  name: 'rules',
  connection: { base_uri: 'https://api.example/v1/' },
  authorization: {
    type: 'api_key',
    apply: [
      { headers: { Authorization: 'Token {{connection.key}}', 'Content-Type': 'application/vnd.api+json' } },
      { when: { url: { prefix: 'https://api.example/v1/cost/' } }, headers: { 'content-type': 'application/json' } },
      { when: { verb: ['POST', 'PUT', 'PATCH'] }, payload: { api_token: '{{connection.key}}' } },
      { params: { authtoken: '{{connection.key}}' } },
      { when: { url: { contains: '/signed/' } }, params: { sig: '{{connection.secret}}' } },
      { when: { url: { contains: '/inject/' } }, headers: { 'X-Inject': '{{connection.evil}}' } },
    ],
  },
};
const rulesContext = { connection: { key: 'k&y', evil: 'a\r\nX-Injected: 1' } };

function bind(definition, context) {
  const bound = engine.bind(definition, context);
  assert.equal(bound.ok, true, JSON.stringify(bound.errors));
  return bound.value;
}

// The one-shot answer for `request`, and the bound edits applied to the
// same request (headers replaced case-insensitively, body if rewritten).
function bothAnswers(bound, definition, context, request) {
  const oneShot = engine.apply(definition, context, request);
  const contentType = Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const edits = bound.apply({ method: request.method, url: request.url, contentType, body: request.body });
  if (!edits.ok) return { oneShot, bound: edits };
  const headers = Object.entries(request.headers ?? {});
  for (const [name, value] of edits.value.headers) {
    const at = headers.findIndex(([existing]) => existing.toLowerCase() === name.toLowerCase());
    if (at < 0) headers.push([name, value]);
    else headers[at][1] = value;
  }
  const body = edits.value.body ?? request.body ?? '';
  return {
    oneShot,
    bound: {
      ok: true,
      value: { method: (request.method ?? 'GET').toUpperCase(), url: edits.value.url, headers: Object.fromEntries(headers), body },
    },
  };
}

test('bind then apply: the absolute URL and the headers to set, no body for a GET', () => {
  const bound = bind(acme, acmeContext);
  assert.deepEqual(bound.apply({ method: 'get', url: 'contacts?page=2' }), {
    ok: true,
    value: { url: 'https://eu.acme.example/api/contacts?page=2', headers: [['Authorization', 'Bearer at-123']] },
  });
  // The edge's form of a proxied path.
  assert.equal(bound.apply({ url: './contacts/7' }).value.url, 'https://eu.acme.example/api/contacts/7');
  assert.equal(bound.apply({ url: 'https://other.example/x' }).value.url, 'https://other.example/x');
  bound.dispose();
});

test('bound apply answers what engine.apply answers', () => {
  const bound = bind(rules, rulesContext);
  const requests = [
    { url: 'items?a=1&authtoken=old' },
    { method: 'GET', url: 'https://api.example/v1/cost/items', headers: { authorization: 'forged', Accept: '*/*' } },
    { method: 'POST', url: 'cost/items', headers: { 'Content-Type': 'application/json' }, body: '{"name":"x","api_token":"forged"}' },
    { method: 'PUT', url: 'x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1&api_token=f' },
    { method: 'PATCH', url: 'x', body: '{"object":true}' },
    { method: 'POST', url: 'x', headers: { 'Content-Type': 'text/plain' }, body: '{"a":1}' },
    { method: 'DELETE', url: 'x', body: '{"a":1}' },
    { url: 'signed/x' },
    { url: 'inject/x' },
    { url: 'javascript:alert(1)' },
    { url: 'https://user:pw@evil.example/' },
    { url: '//evil.example/x' },
    { url: 'é/ü?q=ß#frag' },
  ];
  for (const request of requests) {
    const { oneShot, bound: answer } = bothAnswers(bound, rules, rulesContext, request);
    assert.deepEqual(answer, oneShot, JSON.stringify(request));
  }
  bound.dispose();
});

test('short, long and non-ASCII answers read back the same (the wrapper reads short ASCII answers in a loop)', () => {
  const definition = {
    name: 'answers', connection: { base_uri: 'https://api.example/v1/' },
    authorization: { type: 'api_key', apply: [{ headers: { 'X-Key': '{{connection.key}}' } }] },
  };
  for (const key of ['k', 'café-ü', 'x'.repeat(127), 'y'.repeat(128), 'z'.repeat(4000), `${'a'.repeat(100)}é`]) {
    const context = { connection: { key } };
    const bound = bind(definition, context);
    const { oneShot, bound: answer } = bothAnswers(bound, definition, context, { url: 'items' });
    assert.deepEqual(answer, oneShot, key.slice(0, 20));
    assert.equal(bound.apply({ url: 'items' }).value.headers[0][1], key);
    bound.dispose();
  }
});

test('values that do not render fail only the requests whose rules need them', () => {
  const bound = bind(rules, rulesContext);
  const signed = bound.apply({ url: 'signed/x' });
  assert.equal(signed.ok, false);
  assert.equal(signed.errors[0].path, '/authorization/apply/4/params/sig');
  assert.match(signed.errors[0].message, /connection\.secret/);
  const injected = bound.apply({ url: 'inject/x' });
  assert.equal(injected.ok, false);
  assert.match(injected.errors[0].message, /line break or NUL/);
  assert.equal(bound.apply({ url: 'plain' }).ok, true);

  // A payload value is needed only when a payload applies: a GET never fails on it.
  const payload = bind({ name: 'p', authorization: { type: 'api_key', apply: [{ payload: { k: '{{connection.missing}}' } }] } }, {});
  assert.equal(payload.apply({ method: 'GET', url: 'https://x.example/', contentType: 'application/json', body: '{}' }).ok, true);
  const post = payload.apply({ method: 'POST', url: 'https://x.example/', contentType: 'application/json', body: '{}' });
  assert.equal(post.ok, false);
  assert.equal(post.errors[0].path, '/authorization/apply/0/payload/k');
  payload.dispose();
  bound.dispose();
});

test('a payload rewrites string and byte bodies; the body is returned only then', () => {
  const bound = bind(rules, rulesContext);
  assert.equal(bound.readsRequestBody, true);
  const text = bound.apply({ method: 'POST', url: 'x', contentType: 'application/json', body: '{"name":"é"}' });
  assert.deepEqual(JSON.parse(text.value.body), { name: 'é', api_token: 'k&y' });
  const fromBytes = bound.apply({ method: 'POST', url: 'x', contentType: 'application/json', body: bytes('{"name":"é"}') });
  assert.equal(fromBytes.value.body, text.value.body);
  const fromBuffer = bound.apply({ method: 'POST', url: 'x', contentType: 'application/json', body: bytes('{"name":"é"}').buffer });
  assert.equal(fromBuffer.value.body, text.value.body);
  const form = bound.apply({ method: 'POST', url: 'x', contentType: 'application/x-www-form-urlencoded', body: 'a=1' });
  assert.equal(form.value.body, 'a=1&api_token=k%26y');
  assert.equal('body' in bound.apply({ method: 'POST', url: 'x', contentType: 'text/plain', body: '{}' }).value, false);
  assert.equal('body' in bound.apply({ method: 'GET', url: 'x' }).value, false);

  // A body larger than the connection's small input buffer.
  const large = JSON.stringify({ items: 'x'.repeat(100_000), note: 'ü' });
  const rewritten = bound.apply({ method: 'POST', url: 'x', contentType: 'application/json', body: large });
  assert.deepEqual(JSON.parse(rewritten.value.body), { ...JSON.parse(large), api_token: 'k&y' });
  bound.dispose();

  // Without payload rules the body is never read (nor copied into the module).
  const noPayload = bind(acme, acmeContext);
  assert.equal(noPayload.readsRequestBody, false);
  assert.equal('body' in noPayload.apply({ method: 'POST', url: 'x', contentType: 'application/json', body: '{}' }).value, false);
  noPayload.dispose();
});

test('the caller request problems are at /request', () => {
  const bound = bind(acme, acmeContext);
  const missing = bound.apply({});
  assert.equal(missing.ok, false);
  assert.deepEqual(missing.errors.map((e) => e.path), ['/request/url']);
  assert.deepEqual(bound.apply({ method: 'BAD METHOD', url: 'x' }).errors.map((e) => e.path), ['/request/method']);
  assert.deepEqual(bound.apply({ url: 'ftp://x.example/' }).errors.map((e) => e.path), ['/request/url']);
  assert.equal(bound.apply({ url: 42 }).ok, false);
  assert.equal(bound.apply({ url: 'x\uD800y' }).ok, true); // a lone surrogate is replaced, never a crash
  bound.dispose();
});

test('multi: the option the context selects is bound, an unknown option fails bind', () => {
  const stripe = {
    name: 'stripe',
    connection: { fields: [{ name: 'auth_type', label: 'Type', default: 'key' }], base_uri: 'https://api.stripe.com/v1/' },
    authorization: {
      type: 'multi',
      options: {
        key: { type: 'api_key', apply: [{ headers: { Authorization: 'Bearer {{connection.api_key}}' } }], refresh_on: [401] },
        oauth: {
          type: 'oauth2', authorization_url: 'https://connect.stripe.com/a', token_url: 'https://connect.stripe.com/t',
          refresh_on: [{ regex: 'expired' }],
        },
      },
    },
  };
  const key = bind(stripe, { connection: { api_key: 'sk_1' } });
  assert.deepEqual(key.apply({ url: 'charges' }).value.headers, [['Authorization', 'Bearer sk_1']]);
  assert.equal(key.readsBody, false);
  const oauth = bind(stripe, { connection: { auth_type: 'oauth', access_token: 'at' } });
  assert.deepEqual(oauth.apply({ url: 'charges' }).value.headers, [['Authorization', 'Bearer at']]);
  assert.equal(oauth.readsBody, true);
  const unknown = engine.bind(stripe, { connection: { auth_type: 'nope' } });
  assert.equal(unknown.ok, false);
  assert.equal(unknown.errors[0].path, '/authorization/selected');
  key.dispose();
  oauth.dispose();
});

test('bind reports invalid definitions and contexts as values', () => {
  const badDefinition = engine.bind({ name: 'Bad Name', authorization: { type: 'api_key' } }, {});
  assert.equal(badDefinition.ok, false);
  assert.ok(badDefinition.errors.some((e) => e.path === '/name'));
  const broken = engine.bind(acme, '{"connection":');
  assert.equal(broken.ok, false);
  assert.deepEqual(broken, engine.apply(acme, '{"connection":', { url: 'me' }));
  assert.equal(broken.errors[0].path, '/context');
  const deep = '{"connection":' + '{"a":'.repeat(1000) + '1' + '}'.repeat(1000) + '}';
  assert.deepEqual(engine.bind(acme, deep).errors, [{ path: '/context', message: 'nests deeper than 128 levels; flatten it' }]);
  // A context that lacks a value binds: the requests that need it fail.
  const empty = bind(acme, {});
  assert.match(empty.apply({ url: 'me' }).errors[0].message, /connection\.subdomain/);
  const absolute = { url: 'https://eu.acme.example/api/me' };
  assert.deepEqual(empty.apply(absolute), engine.apply(acme, {}, absolute));
  assert.match(empty.apply(absolute).errors[0].message, /access_token/);
  empty.dispose();
});

test('bound classify answers what engine.classify answers, for string and byte bodies', () => {
  const bound = bind(acme, acmeContext);
  const responses = [
    { status: 200, body: '{"items":[]}' }, { status: 200, body: '{"error":"bad"}' }, { status: 200, body: '{"error":"Token expired"}' },
    { status: 401, body: '' }, { status: 403, body: 'TOKEN HAS EXPIRED' }, { status: 404, body: 'not found' }, { status: 204 },
    { status: 99, body: '' }, { status: 200, body: 'ü "error": 💥' },
  ];
  for (const response of responses) {
    const oneShot = engine.classify(acme, acmeContext, response);
    assert.deepEqual(bound.classify(response), oneShot, JSON.stringify(response));
    if (response.body) assert.deepEqual(bound.classify({ ...response, body: bytes(response.body) }), oneShot, JSON.stringify(response));
  }
  assert.equal(bound.classify({ status: '200', body: '' }).ok, false);
  // Text that is not valid Unicode (a lone surrogate) is matched with U+FFFD
  // in its place (TextEncoder), where the one-shot path's JSON refuses it.
  assert.equal(bound.classify({ status: 200, body: '\uD800 "error":' }).value.action, 'error');
  bound.dispose();
});

test('readsBody says whether a host must read response bodies at all', () => {
  const bound = bind(acme, acmeContext);
  assert.equal(bound.readsBody, true);
  assert.equal(bound.readsBodyFor(200), true);
  assert.equal(bound.readsBodyFor(401), true);
  bound.dispose();
  const statusOnly = bind({ name: 's', authorization: { type: 'api_key', apply: [{ headers: { 'X-Key': 'k' } }], refresh_on: [401] } }, {});
  assert.equal(statusOnly.readsBody, false);
  assert.equal(statusOnly.readsBodyFor(200), false);
  assert.equal(statusOnly.classify({ status: 401, body: 'ignored' }).value.action, 'refresh');
  statusOnly.dispose();
});

test('a status whose signals read no body is classified once; one whose signals do still reads every body', () => {
  // detect_on reads 2xx bodies; refresh_on [401] looks at the status only.
  const connector = { name: 'mixed', authorization: { type: 'api_key', apply: [{ headers: { 'X-Key': 'k' } }],
    refresh_on: [401], detect_on: [{ regex: 'needle' }] } };
  const bound = bind(connector, {});
  assert.equal(bound.readsBodyFor(200), true);
  assert.equal(bound.readsBodyFor(401), false);
  for (const body of ['needle', 'hay', 'needle', 'hay']) {
    assert.deepEqual(bound.classify({ status: 200, body }), engine.classify(connector, {}, { status: 200, body }), body);
  }
  const first = bound.classify({ status: 401, body: 'needle' });
  assert.equal(first.value.action, 'refresh');
  first.value.action = 'changed by the caller';
  assert.deepEqual(bound.classify({ status: 401, body: 'hay' }), engine.classify(connector, {}, { status: 401, body: 'hay' }));
  assert.equal(bound.classify({ status: 500 }).value.action, 'error');
  assert.equal(bound.classify({ status: 204 }).value.action, 'ok');
  bound.dispose();
  assert.equal(bound.classify({ status: 401 }).ok, false, 'disposed: no answer from memory either');
});

test('bodies are matched on their first 1 MiB, linearly, as strings or bytes', () => {
  const connector = {
    name: 'limit',
    authorization: {
      type: 'api_key',
      apply: [{ headers: { 'X-Key': 'k' } }],
      refresh_on: [{ regex: '(a+)+$' }, 'b'.repeat(16)],
      detect_on: [{ regex: 'needle' }, { regex: '(a|aa)+!$' }],
    },
  };
  const bound = bind(connector, {});
  const exact = 'a'.repeat(MiB - 1) + '!';
  for (const body of [exact, bytes(exact)]) {
    const started = performance.now();
    const result = bound.classify({ status: 200, body });
    const ms = performance.now() - started;
    assert.equal(result.value.action, 'error');
    assert.equal(result.value.matched, '/authorization/detect_on/1');
    console.log(`# bound classify, 1 MiB pathological, ${typeof body === 'string' ? 'string' : 'bytes'}: ${ms.toFixed(1)} ms`);
  }
  // Past the limit nothing is seen, as strings and as bytes (also multi-byte
  // characters across the cut).
  const past = 'é'.repeat(MiB) + 'needle';
  assert.equal(bound.classify({ status: 200, body: past }).value.action, 'ok');
  assert.equal(bound.classify({ status: 200, body: bytes(past) }).value.action, 'ok');
  assert.deepEqual(bound.classify({ status: 200, body: past }), engine.classify(connector, {}, { status: 200, body: past }));
  // A whole-body string never equals a cut body; it equals a whole one.
  assert.equal(bound.classify({ status: 400, body: 'b'.repeat(16) }).value.matched, '/authorization/refresh_on/1');
  const long = 'b'.repeat(MiB + 10);
  assert.equal(bound.classify({ status: 400, body: long }).value.action, 'error');
  assert.equal(bound.classify({ status: 400, body: bytes(long) }).value.action, 'error');
  bound.dispose();
});

test('dispose frees the connection; a second dispose is harmless; later calls answer errors', () => {
  const bound = bind(acme, acmeContext);
  bound.dispose();
  bound.dispose();
  for (const result of [bound.apply({ url: 'me' }), bound.classify({ status: 200, body: '' })]) {
    const problems = [{ path: '', message: 'this BoundConnection was disposed' }];
    assert.deepEqual(result, {
      ok: false, error: { code: 'invalid_input', message: 'this BoundConnection was disposed', problems }, errors: problems,
    });
  }
  assert.equal(bound.readsBodyFor(200), false);
});

test('a bound connection outlives its connector in the cache', async () => {
  const small = await load({ cacheSize: 1 });
  const bound = small.bind(acme, acmeContext).value;
  for (let i = 0; i < 5; i++) assert.equal(small.validate({ ...acme, name: `other${i}` }).ok, true);
  for (let i = 0; i < 5; i++) small.apply({ ...acme, name: `other${i}` }, acmeContext, { url: 'me' }); // evicts acme
  assert.equal(bound.apply({ url: 'me' }).value.url, 'https://eu.acme.example/api/me');
  small.dispose();
  assert.equal(bound.apply({ url: 'me' }).value.url, 'https://eu.acme.example/api/me');
  bound.dispose();
});

test('many bind / apply / classify / dispose cycles keep answering the same', () => {
  const first = bind(acme, acmeContext);
  const expected = first.apply({ url: 'me' });
  first.dispose();
  for (let i = 0; i < 2000; i++) {
    const bound = bind(acme, acmeContext);
    bound.apply({ method: 'POST', url: 'me', contentType: 'application/json', body: 'y'.repeat(10_000) });
    bound.classify({ status: 200, body: bytes('z'.repeat(100_000)) });
    bound.dispose();
  }
  const last = bind(acme, acmeContext);
  assert.deepEqual(last.apply({ url: 'me' }), expected);
  last.dispose();
});
