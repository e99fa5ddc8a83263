// workerd smoke test: the real workerd binary (through miniflare) loads the
// WebAssembly module and applies rules to a request.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';

const root = fileURLToPath(new URL('../../', import.meta.url));
const mf = new Miniflare({
  modules: true,
  modulesRoot: root,
  scriptPath: fileURLToPath(new URL('./fixtures/smoke-worker.mjs', import.meta.url)),
  modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
  compatibilityDate: '2024-09-23',
});
after(() => mf.dispose());

const connector = {
  name: 'autodesk_like',
  authorization: {
    type: 'oauth2',
    authorization_url: 'https://developer.api.autodesk.com/authentication/v2/authorize',
    token_url: 'https://developer.api.autodesk.com/authentication/v2/token',
    apply: [
      { headers: { Authorization: 'Bearer {{access_token}}', 'Content-Type': 'application/vnd.api+json' } },
      { when: { url: { prefix: 'https://developer.api.autodesk.com/cost/' } }, headers: { 'Content-Type': 'application/json' } },
    ],
    refresh_on: [401],
  },
};

async function call(body) {
  const res = await mf.dispatchFetch('http://edge.test/', { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return res.json();
}

test('workerd applies current_url rules with the WASM module', async () => {
  const context = { connection: { access_token: 'tok-1' } };
  const cost = await call({ op: 'apply', connector, context, input: { method: 'GET', url: 'https://developer.api.autodesk.com/cost/v1/containers' } });
  assert.deepEqual(cost, {
    ok: true,
    value: {
      method: 'GET',
      url: 'https://developer.api.autodesk.com/cost/v1/containers',
      headers: { Authorization: 'Bearer tok-1', 'Content-Type': 'application/json' },
      body: '',
    },
  });
  const other = await call({ op: 'apply', connector, context, input: { url: 'https://developer.api.autodesk.com/data/v1/projects' } });
  assert.equal(other.value.headers['Content-Type'], 'application/vnd.api+json');
});

test('workerd classifies and survives hostile input', async () => {
  const refresh = await call({ op: 'classify', connector, context: {}, input: { status: 401, body: '' } });
  assert.equal(refresh.value.action, 'refresh');
  const bad = await call({ op: 'apply', connector, context: {}, input: { url: 'me' } });
  assert.equal(bad.ok, false);
  const again = await call({ op: 'classify', connector, context: {}, input: { status: 200, body: 'ok' } });
  assert.equal(again.value.action, 'ok');
});
