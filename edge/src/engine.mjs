// The connauth engine, loaded once per isolate (the worker and its Durable
// Objects share the isolate, so they share the instance). workerd imports
// the .wasm as a compiled WebAssembly.Module (wrangler.toml rule
// CompiledWasm); the glue never fetches it (workerd instantiates from the
// Module, never from bytes).
//
// Cold start: the load starts while this module is evaluated, not
// on the first request. Instantiating a compiled Module is no I/O, so
// workerd allows it at global scope (fetch, timers and random values are
// not allowed there; nothing here uses them), and it completes within the
// module evaluation's microtasks: a first request finds the engine ready.
// The warm-up then runs one connector through describe, apply and classify
// once, so that the engine's functions (compiled lazily by V8 on first call)
// are compiled before a request needs them rather than during it. No
// top-level await: if loading failed, the worker must still start (static
// pages, clear 500s), and getEngine() tries again on the next call.
import wasm from '../../wasm/dist/connauth.wasm';
import { load } from '../../wasm/connauth.mjs';

// One connector touching every kind of rule, condition, template filter and
// signal of SPEC §2, so that whatever connector a first request brings, the
// engine code that parses and applies it is already compiled.
const WARM_UP = JSON.stringify({
  name: 'warm_up',
  connection: {
    fields: [{ name: 'tenant', label: 'Tenant' }, { name: 'region', label: 'Region', optional: true }],
    base_uri: 'https://warm-up.invalid/v1/',
  },
  authorization: {
    type: 'oauth2',
    authorization_url: 'https://warm-up.invalid/authorize',
    token_url: 'https://warm-up.invalid/token',
    apply: [
      { headers: { Authorization: 'Bearer {{access_token}}', Accept: 'application/json' } },
      { when: { url: { prefix: 'https://warm-up.invalid/v1/items/' } }, headers: { 'X-Tenant': '{{connection.tenant | urlencode}}' } },
      { when: { verb: ['POST', 'PUT', 'PATCH'] }, payload: { tenant: '{{connection.tenant}}' } },
      { when: { url: { contains: '/items' } }, params: { tenant: '{{connection.tenant}}' } },
      { when: { url: { regex: '^https://warm-up\\.invalid/v1/(items|users)/[0-9]+' } }, headers: { 'X-Region': '{{connection.region | default: "eu"}}' } },
      { when: { url: 'users' }, headers: { 'X-Basic': '{{connection.tenant | base64}}' } },
    ],
    refresh_on: [401, { regex: 'invalid[_ ]token', flags: 'i' }],
    detect_on: ['{"error":"expired"}', { regex: '"error"\\s*:' }],
  },
  test: { method: 'GET', url: 'me' },
});

function warmUp(engine) {
  const context = {
    connection: { tenant: 'acme corp', access_token: 'warm-up', expires_at: 4102444800 },
    app: { client_id: 'warm-up', client_secret: 'warm-up', scopes: ['read'], settings: {} },
    // A stamp of its own: apply would otherwise draw random bytes, which
    // workerd refuses at global scope (the warm-up would fail).
    stamp: { now: 0 },
  };
  engine.describe(WARM_UP);
  engine.apply(WARM_UP, context, { method: 'GET', url: 'items/42?page=2', headers: [['accept', 'application/json']], body: '' });
  engine.apply(WARM_UP, context, { method: 'POST', url: 'users/7', headers: [['content-type', 'application/json']], body: '{"a":1}' });
  engine.classify(WARM_UP, context, { status: 200, body: '{"ok":true}' });
  engine.classify(WARM_UP, context, { status: 401, body: '{"error":"invalid_token"}' });
  engine.requestNextStep('refresh', false);
  engine.refreshNeeded(context);
  return engine;
}

let ready; // the engine once loaded
let loading = start();

function start() {
  return load({ wasm }).then(warmUp).then((engine) => {
    ready = engine;
    return engine;
  }, (error) => {
    loading = undefined;
    throw error;
  });
}

// An unobserved rejection at global scope must not be reported as unhandled:
// the error surfaces from getEngine() to the request that needs the engine.
loading.catch(() => {});

/** The engine if it is loaded, else undefined: synchronous, for the proxy's hot path (then getEngine()). */
export function readyEngine() {
  return ready;
}

/** The engine; a failed load is retried on the next call instead of cached. */
export function getEngine() {
  loading ??= start();
  return loading;
}
