// What a connector means, answered by the real WebAssembly module in Node
// (wasm/core/connector_facts.h): the connect form, egress, identity and the
// refresh deadline, which every host asks instead of reading definitions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from '../../wasm/connauth.mjs';

const engine = await load();

const modeMulti = {
  name: 'acme',
  connection: { fields: [{ name: 'region', default: 'eu' }], base_uri: 'https://{{connection.region}}.acme.example/' },
  authorization: {
    type: 'multi',
    selected: '{{connection.mode}}',
    options: {
      key: { type: 'api_key', fields: [{ name: 'api_key', secret: true }],
        apply: [{ headers: { 'X-Key': '{{connection.api_key}}' } }], identity: 'key {{connection.api_key_name | default: "unnamed"}}' },
      sso: { type: 'oauth2', authorization_url: 'https://login.acme.example/authorize', token_url: 'https://login.acme.example/token',
        noopener: true, identity: '{{connection.email}}' },
    },
  },
  test: { url: 'me' },
};

test('connectForm: the option in force through a custom selector, its fields, defaults and problems', () => {
  const form = engine.connectForm(modeMulti, { connection: { mode: 'key', api_key: 'k', region: '' }, app: {} });
  assert.equal(form.ok, true, JSON.stringify(form));
  const { type, option, choice_field, options, fields, values, problems, noopener } = form.value;
  assert.deepEqual({ type, option, choice_field, noopener }, { type: 'api_key', option: 'key', choice_field: 'mode', noopener: false });
  assert.deepEqual(fields.map((f) => f.name), ['region', 'api_key']);
  assert.deepEqual(values, { mode: 'key', api_key: 'k', region: 'eu' }, '"" is not entered: the default applies');
  assert.deepEqual(problems, []);
  assert.deepEqual(options.map((o) => [o.key, o.label, o.type, o.noopener, o.fields.map((f) => f.name)]),
    [['key', 'key', 'api_key', false, ['region', 'api_key']], ['sso', 'sso', 'oauth2', true, ['region']]]);

  const none = engine.connectForm(modeMulti, { connection: { auth_type: 'key' }, app: { settings: { region: 'us' } } }).value;
  assert.equal(none.type, null);
  assert.deepEqual(none.problems, [
    { path: '/fields/auth_type', message: 'is not a field of this connector' },
    { path: '/fields/mode', message: 'must be one of key, sso' },
  ]);
  assert.deepEqual(none.options[0].fields.map((f) => f.name), ['api_key'], 'the app sets region');

  const byApp = engine.connectForm(modeMulti, { connection: {}, app: { settings: { mode: 'sso' } } }).value;
  assert.deepEqual([byApp.type, byApp.option, byApp.choice_field, byApp.noopener], ['oauth2', 'sso', null, true]);

  const secret = engine.connectForm(modeMulti, { connection: { mode: 'key' }, app: { secret_settings: ['api_key'] } }).value;
  assert.deepEqual(secret.problems, []);
  assert.deepEqual(secret.fields.map((f) => f.name), ['region']);

  assert.deepEqual(engine.connectForm(modeMulti, { connection: [1] }).value.problems[0],
    { path: '/fields', message: 'must be an object of field values' });
  assert.equal(engine.connectForm('{', {}).ok, false, 'an invalid definition answers its problems');
});

test('connectForm: the example connectors that read auth_type by default', () => {
  const stripe = readFileSync(new URL('../../connectors/examples/stripe_multi.json', import.meta.url), 'utf8');
  const form = engine.connectForm(stripe, { connection: {}, app: {} }).value;
  assert.equal(form.choice_field, 'auth_type');
  assert.equal(form.option, 'stripe_api_key', 'the field default picks it');
  assert.equal(form.type, 'api_key');
});

test('egress: request URL hosts from the app values only, unresolved pointers for the rest', () => {
  const derived = engine.egress(modeMulti, { app: { settings: { region: 'us' } }, connection: { region: 'evil' } });
  assert.deepEqual(derived.value, { hosts: ['us.acme.example', 'login.acme.example'], unresolved: [] });
  assert.deepEqual(engine.egress(modeMulti, {}).value, { hosts: ['login.acme.example'], unresolved: ['/connection/base_uri'] });
});

test('identity: the template of the option in force', () => {
  assert.deepEqual(engine.identity(modeMulti, { connection: { mode: 'key', api_key: 'k' } }), { ok: true, value: 'key unnamed' });
  assert.deepEqual(engine.identity(modeMulti, { connection: { mode: 'sso' } }), { ok: true, value: null }, 'no email yet');
  assert.deepEqual(engine.identity(modeMulti, { connection: { mode: 'sso', email: 'a@b.example' } }).value, 'a@b.example');
  assert.equal(engine.identity(modeMulti, { connection: { mode: 'nope' } }).ok, false);
});

test('refreshDeadline agrees with refreshNeeded to the second', () => {
  const now = 1_800_000_000;
  for (const expiresAt of [now - 100, now, now + 59, now + 60, now + 61, now + 90.7, String(now + 75), 'soon', undefined]) {
    for (const buffer of [undefined, 0, 1, 60, 120, -5]) {
      const context = { connection: { expires_at: expiresAt }, app: buffer === undefined ? {} : { refresh_buffer: buffer } };
      const deadline = engine.refreshDeadline(context);
      assert.equal(deadline.ok, true);
      for (const t of [now - 1, now, now + 1, now + 15, now + 30, now + 61]) {
        const needed = engine.refreshNeeded(context, { now: t }).value;
        assert.equal(deadline.value !== null && t >= deadline.value, needed, `${expiresAt} ${buffer} ${t}`);
      }
    }
  }
  assert.deepEqual(engine.refreshDeadline({ connection: { expires_at: now } }), { ok: true, value: now - 60 }, 'default 60 s');
  assert.deepEqual(engine.refreshDeadline({ connection: {} }), { ok: true, value: null });
});
