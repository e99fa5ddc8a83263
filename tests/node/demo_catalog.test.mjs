// The demo connectors (demo/connectors/*.json) are valid (SPEC §2) and point
// at the routes the demo servers really serve, with the apps of demo/catalog.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadConnector, demoApps, DEMO_CONNECTORS } from '../../demo/catalog.mjs';
import { startProvider } from '../../demo/provider.mjs';

const wasmBuilt = existsSync(new URL('../../wasm/dist/connauth.wasm', import.meta.url));
const needsWasm = wasmBuilt ? {} : { skip: 'wasm/dist not built (scripts/build)' };

// `{{connection.key}}` only: enough to read where the demo connectors point,
// without pretending to be the engine's template language.
function fill(template, connection) {
  return template.replace(/\{\{\s*connection\.([a-z_]+)\s*\}\}/g, (_, key) => connection[key]);
}

test('every demo connector has an app, bound by name, with both URL settings', () => {
  const apps = demoApps({ providerUrl: 'http://127.0.0.1:1', apiUrl: 'http://127.0.0.1:2' });
  for (const name of DEMO_CONNECTORS) {
    const connector = loadConnector(name);
    assert.equal(connector.name, name);
    assert.equal(apps[name].connector, name);
    for (const field of connector.connection.fields) assert.ok(field.name in apps[name].settings, field.name);
  }
});

test('demo connector URLs lead to the demo provider and API routes', async () => {
  const op = await startProvider();
  try {
    const settings = { provider_url: op.issuer, api_url: 'http://127.0.0.1:2' };
    const oauth = loadConnector('demo_oauth');
    assert.equal(fill(oauth.authorization.authorization_url, settings), op.endpoints.authorization);
    assert.equal(fill(oauth.authorization.token_url, settings), op.endpoints.token);
    assert.equal(new URL(oauth.test.url, fill(oauth.connection.base_uri, settings)).href, 'http://127.0.0.1:2/api/me');
    const meta = await (await fetch(op.endpoints.discovery)).json();
    for (const scope of oauth.authorization.scopes) assert.ok(meta.scopes_supported.includes(scope), scope);

    const cc = loadConnector('demo_client_credentials');
    assert.equal(fill(cc.authorization.acquire.request.url, settings), op.endpoints.token);
  } finally {
    await op.stop();
  }
});

test('demo connectors validate with the engine', needsWasm, async () => {
  const { load } = await import('../../wasm/connauth.mjs');
  const engine = await load();
  for (const name of DEMO_CONNECTORS) {
    const result = engine.validate(loadConnector(name));
    assert.equal(result.ok, true, `${name}: ${JSON.stringify(result.errors)}`);
  }
  // And the engine signs a demo API call as the demo API expects (RFC 6750 §2.1).
  const settings = { provider_url: 'http://127.0.0.1:1', api_url: 'http://127.0.0.1:2' };
  const applied = engine.apply(loadConnector('demo_oauth'),
    { connection: { ...settings, access_token: 'at-1' }, app: demoApps({ providerUrl: settings.provider_url, apiUrl: settings.api_url }).demo_oauth },
    { method: 'GET', url: 'me' });
  assert.equal(applied.ok, true, JSON.stringify(applied.errors));
  assert.equal(applied.value.url, 'http://127.0.0.1:2/api/me');
  const auth = Object.entries(applied.value.headers).find(([k]) => k.toLowerCase() === 'authorization');
  assert.equal(auth?.[1], 'Bearer at-1');
});
