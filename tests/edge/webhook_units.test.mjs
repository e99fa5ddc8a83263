// The webhook modules that need no worker, in Node (the same WebCrypto and
// URL APIs as workerd): Standard Webhooks signatures checked by the
// reference library (npm `standardwebhooks`), and the URL and events rules.
// Deliveries end to end are in webhooks.test.mjs (workerd).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signingKey, signedHeaders, SECRET_BYTES } from '../../edge/src/webhook_signature.mjs';
import { validateWebhookInput, webhookUrlProblem, MAX_URL_LENGTH } from '../../edge/src/webhook_input.mjs';
import { configureEgressAddresses } from '../../edge/src/egress_address.mjs';
import { EVENT_TYPES } from '../../edge/src/events.mjs';

describe('webhook signatures (Standard Webhooks)', () => {
  test('a secret is whsec_ + base64 of 32 random bytes, new every time', () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    assert.match(a, /^whsec_[A-Za-z0-9+/]+=*$/);
    assert.equal(Buffer.from(a.slice(6), 'base64').length, SECRET_BYTES);
    assert.notEqual(a, b);
  });

  test('what signedHeaders produces verifies with the reference library', async () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: 'app.created', timestamp: '2026-01-01T00:00:00.000Z', data: { org: 'o', app: { id: 'a', name: 'Ünïcode ✓' } } });
    const now = Math.floor(Date.now() / 1000);
    const headers = await signedHeaders(await signingKey(secret), 'evt_abc', now, body);
    assert.equal(headers['webhook-id'], 'evt_abc');
    assert.equal(headers['webhook-timestamp'], String(now));
    assert.match(headers['webhook-signature'], /^v1,[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    // The library's own signature of the same message is the same text.
    assert.equal(new Webhook(secret).sign('evt_abc', new Date(now * 1000), body), headers['webhook-signature']);
  });

  test('the signature covers the id, the timestamp, the body and the key', async () => {
    const secret = newWebhookSecret();
    const key = await signingKey(secret);
    const now = Math.floor(Date.now() / 1000);
    const headers = await signedHeaders(key, 'evt_1', now, '{"a":1}');
    const refused = (payload, h, s = secret) => assert.throws(() => new Webhook(s).verify(payload, h), /signature|timestamp/i);
    refused('{"a":2}', headers);
    refused('{"a":1}', { ...headers, 'webhook-id': 'evt_2' });
    refused('{"a":1}', { ...headers, 'webhook-timestamp': String(now - 1) });
    refused('{"a":1}', headers, newWebhookSecret());
  });

  test('signingKey refuses what is not a whsec_ secret', () => {
    assert.throws(() => signingKey('c2VjcmV0'), TypeError);
    assert.throws(() => signingKey(undefined), TypeError);
  });
});

describe('webhook URL and events', () => {
  const prod = {};
  const dev = { CONNAUTH_DEV: '1' };

  test('https URLs to public hosts are accepted; events absent means every type', () => {
    configureEgressAddresses({});
    assert.deepEqual(validateWebhookInput({ url: 'https://hooks.example.com/connauth?x=1' }, prod),
      { ok: true, value: { url: 'https://hooks.example.com/connauth?x=1', events: null } });
    const picked = validateWebhookInput({ url: 'https://h.example/', events: ['app.created', 'connection.lost', 'app.created'] }, prod);
    assert.deepEqual(picked.value.events, ['app.created', 'connection.lost']);
  });

  test('each problem is named with its JSON pointer', () => {
    configureEgressAddresses({});
    const r = validateWebhookInput({ url: 'http://hooks.example.com/', events: ['app.created', 'app.exploded', 7], extra: 1 }, prod);
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'invalid_input');
    assert.deepEqual(r.error.details.map((d) => d.path), ['/extra', '/url', '/events/1', '/events/2']);
    assert.match(r.error.details[1].message, /https/);
    assert.match(r.error.details[2].message, /connection\.lost/);
    assert.deepEqual(validateWebhookInput({}, prod).error.details, [{ path: '/url', message: 'is required' }]);
    for (const events of [[], 'app.created', {}]) {
      assert.equal(validateWebhookInput({ url: 'https://h.example/', events }, prod).error.details[0].path, '/events');
    }
    assert.equal(EVENT_TYPES.length, 12);
  });

  test('URL rules: https only, no user info, no fragment, bounded length', () => {
    configureEgressAddresses({});
    const cases = {
      'ftp://h.example/': /https/,
      'javascript:alert(1)': /https/,
      'https://user:pw@h.example/': /user name or password/,
      'https://h.example/#x': /fragment/,
      '/relative': /absolute/,
      [`https://h.example/${'a'.repeat(MAX_URL_LENGTH)}`]: /at most/,
    };
    for (const [url, why] of Object.entries(cases)) assert.match(webhookUrlProblem(url, prod), why, url);
    assert.match(webhookUrlProblem(42, prod), /URL/);
  });

  test('plain http reaches loopback only in dev mode; private addresses need EGRESS_ALLOW_PRIVATE', () => {
    configureEgressAddresses({});
    assert.match(webhookUrlProblem('http://127.0.0.1:8080/hook', prod), /scripts\/dev/);
    assert.match(webhookUrlProblem('http://10.0.0.5/hook', dev), /https/);
    assert.match(webhookUrlProblem('http://hooks.example.com/', dev), /https/);
    // Dev mode alone does not open loopback: the address policy still refuses it.
    assert.match(webhookUrlProblem('http://127.0.0.1:8080/hook', dev), /EGRESS_ALLOW_PRIVATE/);
    assert.match(webhookUrlProblem('https://169.254.169.254/latest', prod), /EGRESS_ALLOW_PRIVATE/);
    assert.match(webhookUrlProblem('https://[::1]/', prod), /EGRESS_ALLOW_PRIVATE/);
    configureEgressAddresses({ EGRESS_ALLOW_PRIVATE: '1' });
    try {
      for (const url of ['http://127.0.0.1:8080/hook', 'http://[::1]:9/x', 'http://localhost:3000/']) assert.equal(webhookUrlProblem(url, dev), null, url);
      assert.match(webhookUrlProblem('http://127.0.0.1:8080/hook', prod), /https/);
      assert.equal(webhookUrlProblem('https://10.1.2.3/hook', prod), null);
    } finally {
      configureEgressAddresses({});
    }
  });
});
