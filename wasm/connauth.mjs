// connauth's JavaScript API: one `load()` for Node, the browser and workerd
// around the one WebAssembly module (wasm/dist/, built by scripts/build).
//
// Results are values, never throws: {ok: true, value} | {ok: false, errors:
// [{path, message}]}. Connectors are compiled inside the module once and
// cached here by their text; the wrapper frees what it evicts, so callers
// never manage module memory.
import createConnauthModule from './dist/connauth.mjs';

const DEFAULT_CACHE_SIZE = 64;

/**
 * Compiles the module from whatever the host has:
 *  - a WebAssembly.Module (workerd: `import wasm from './connauth.wasm'`);
 *  - bytes (ArrayBuffer / typed array), a Response, or a URL to fetch;
 *  - nothing: Node reads wasm/dist/connauth.wasm, a browser fetches it next
 *    to this file.
 * The Emscripten glue never loads the file itself (TOOLCHAIN.md).
 */
async function compileModule(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  if (typeof Response !== 'undefined' && source instanceof Response) return compileResponse(source);
  if (source === undefined && globalThis.process?.getBuiltinModule) {
    // Node (>= 20.16): no dynamic import, so bundlers and workerd's module
    // locator never see a reference to node:fs.
    const fs = globalThis.process.getBuiltinModule('node:fs');
    return WebAssembly.compile(fs.readFileSync(new URL('./dist/connauth.wasm', import.meta.url)));
  }
  const url = source ?? new URL('./dist/connauth.wasm', import.meta.url);
  return compileResponse(await fetch(url));
}

async function compileResponse(response) {
  if (!response.ok) throw new Error(`connauth: cannot load connauth.wasm: HTTP ${response.status}`);
  if (WebAssembly.compileStreaming && response.headers.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Loads the engine. `options.wasm` is the module source (see compileModule);
 * `options.cacheSize` bounds how many compiled connectors stay in memory.
 * @returns {Promise<Connauth>}
 */
export async function load(options = {}) {
  const wasmModule = await compileModule(options.wasm);
  const raw = await createConnauthModule({
    instantiateWasm(imports, done) {
      // Instantiate from the compiled Module, never from bytes (workerd).
      WebAssembly.instantiate(wasmModule, imports).then((instance) => done(instance, wasmModule));
      return {};
    },
    print: () => {},
    printErr: () => {},
  });
  return new Connauth(raw, options.cacheSize ?? DEFAULT_CACHE_SIZE);
}

const text = (value) => (typeof value === 'string' ? value : JSON.stringify(value ?? {}));
const json = (value) => JSON.stringify(value ?? null);

// The host's clock and CSPRNG (the core is deterministic: SPEC §3, STYLE.md).
const epochSeconds = () => Math.floor(Date.now() / 1000);
function randomHex(bytes) {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buffer, (b) => b.toString(16).padStart(2, '0')).join('');
}
const randomFraction = () => crypto.getRandomValues(new Uint32Array(1))[0] / 2 ** 32;

export class Connauth {
  #raw;
  #cache = new Map(); // definition text -> CompiledConnector (insertion order = LRU order)
  #cacheSize;

  constructor(raw, cacheSize) {
    this.#raw = raw;
    this.#cacheSize = Math.max(1, cacheSize);
  }

  /** Validates a connector definition (object or JSON text): SPEC §2. */
  validate(definition) {
    return JSON.parse(this.#raw.validate(text(definition)));
  }

  /** Name, title, type and the connection fields a UI must ask for. */
  describe(definition) {
    return this.#with(definition, (c) => c.describe());
  }

  /**
   * The request with auth applied (SPEC §2.4).
   * @param context {connection: {...flat hash}, app: {client_id, client_secret, scopes, settings}}
   * @param request {method, url, headers, body}; url may be relative to connection.base_uri
   */
  apply(definition, context, request) {
    return this.#with(definition, (c) => c.apply(text(context), text(request)));
  }

  /** SPEC §2.5: {action: 'ok'|'refresh'|'error', reason, matched}. */
  classify(definition, context, response) {
    return this.#with(definition, (c) => c.classify(text(context), text(response)));
  }

  // ---- flows (SPEC §3–§4; core/flow_api.h documents every shape) ----------
  // `options.now` (epoch seconds) pins the clock, for tests; default: now.

  /** oauth2: {url, pending, noopener}. Store `pending` server-side, bound to org, user and app. */
  authorizeBegin(definition, context, options = {}) {
    // 48 bytes: 16 for state (128 bits, SPEC §3) and 32 for the PKCE verifier (RFC 7636 §4.1).
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.authorizeBegin(text(context), randomHex(48), now));
  }

  /** Checks the callback against `pending` -> {request, flow} (send request; pass flow as context.flow). */
  authorizeCallback(definition, context, pending, params, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.authorizeCallback(text(context), json(pending), json(params), now));
  }

  /** Reads the token (or acquire) response -> {connection, warnings, identity?}. */
  authorizeFinish(definition, context, response, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.authorizeFinish(text(context), json(response), now));
  }

  /** Whether the token is within the app's refresh buffer of its expiry (boolean, in `value`). */
  refreshNeeded(context, options = {}) {
    return JSON.parse(this.#raw.refreshNeeded(text(context), options.now ?? epochSeconds()));
  }

  /** -> {request} or an error saying why this connection cannot refresh. */
  refreshBegin(definition, context, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.refreshBegin(text(context), now));
  }

  /** -> {connection, warnings}: the refreshed hash (old refresh token kept unless a new one came). */
  refreshFinish(definition, context, response, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.refreshFinish(text(context), json(response), now));
  }

  /** SPEC §2.5 rule 3 -> {next: 'deliver' | 'refresh_and_retry'}. */
  requestNextStep(classification, refreshed) {
    return JSON.parse(this.#raw.requestNextStep(String(classification), Boolean(refreshed)));
  }

  /** api_key / basic_auth / custom_auth connect -> {step: 'acquire'|'test'|'done', request?}. */
  connectBegin(definition, context, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.connectBegin(text(context), now));
  }

  /** Reads the acquire response -> {connection, warnings}. */
  connectFinish(definition, context, response, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.connectFinish(text(context), json(response), now));
  }

  /** The connector's test with credentials applied -> {request} (null when the connector has none). */
  testBegin(definition, context) {
    return this.#with(definition, (c) => c.testBegin(text(context)));
  }

  /** -> {outcome: 'ok' | 'refresh'} or an error with its SPEC §4 cause. */
  testFinish(definition, context, response, options = {}) {
    return this.#with(definition, (c) => c.testFinish(text(context), json(response), Boolean(options.refreshed)));
  }

  /** Connection state after a success; `options.version` = connector version in force. */
  stateSuccess(state, options = {}) {
    return JSON.parse(this.#raw.stateSuccess(json(state), options.now ?? epochSeconds(), json(options.version ?? null)));
  }

  /** Connection state after a failure with a SPEC §4 cause (backoff jitter from the host's CSPRNG). */
  stateFailure(state, cause, detail, options = {}) {
    const now = options.now ?? epochSeconds();
    const fraction = options.randomFraction ?? randomFraction();
    return JSON.parse(this.#raw.stateFailure(json(state), String(cause), String(detail ?? ''), now, fraction, json(options.settings ?? null)));
  }

  /** Connection state after disconnect / reset. */
  stateDisconnect(state, detail, options = {}) {
    return JSON.parse(this.#raw.stateDisconnect(json(state), options.now ?? epochSeconds(), String(detail ?? '')));
  }

  /** What GET /api/apps/{id}/connection shows for a state. */
  stateView(state, appEnabled = true) {
    return JSON.parse(this.#raw.stateView(json(state), Boolean(appEnabled)));
  }

  /**
   * One transition of the consent popup's state machine (core/consent_flow.h):
   * {state, effects} for the previous state and the observed event.
   */
  consentStep(state, event) {
    return JSON.parse(this.#raw.consentStep(text(state ?? {}), text(event)));
  }

  /** Frees every compiled connector (the module itself is garbage-collected). */
  dispose() {
    for (const compiled of this.#cache.values()) compiled.delete();
    this.#cache.clear();
  }

  // Runs `call` on the compiled connector for `definition`, compiling and
  // caching it on first use. An invalid definition answers its problems.
  #with(definition, call) {
    const key = text(definition);
    let compiled = this.#cache.get(key);
    if (compiled) {
      this.#cache.delete(key); // refresh its LRU position
    } else {
      compiled = new this.#raw.CompiledConnector(key);
      if (!compiled.ok()) {
        const problems = JSON.parse(compiled.problems());
        compiled.delete();
        return problems;
      }
      if (this.#cache.size >= this.#cacheSize) {
        const [oldestKey, oldest] = this.#cache.entries().next().value;
        oldest.delete();
        this.#cache.delete(oldestKey);
      }
    }
    this.#cache.set(key, compiled);
    return JSON.parse(call(compiled));
  }
}
