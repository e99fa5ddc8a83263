// connauth's JavaScript API: one `load()` for Node, the browser and workerd
// around the one WebAssembly module (wasm/dist/, built by scripts/build).
//
// Results are values, never throws: {ok: true, value} | {ok: false, error:
// {code, message, cause?, action?, detail?, problems?}} — input the engine
// cannot use is code invalid_input with problems [{path, message}] (JSON
// pointers), repeated as `errors` beside `error`. Connectors are compiled inside the module once and
// cached here by their text; the wrapper frees what it evicts, so callers
// never manage module memory — except for a BoundConnection (bind()), which
// its caller owns and frees with dispose().
import createConnauthModule from './dist/connauth.mjs';

const DEFAULT_CACHE_SIZE = 64;

/**
 * Compiles the module from whatever the host has:
 *  - a WebAssembly.Module (workerd: `import wasm from './connauth.wasm'`);
 *  - bytes (ArrayBuffer / typed array), a Response, or a URL to fetch;
 *  - nothing: Node reads wasm/dist/connauth.wasm, a browser fetches it next
 *    to this file.
 * The Emscripten glue never loads the file itself: its fetch of a file path
 * fails in Node, and workerd must instantiate from a compiled Module.
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
  return new Connauth(wasmModule, options.cacheSize ?? DEFAULT_CACHE_SIZE);
}

// A new instance of the compiled module, ready when this returns: the glue
// runs synchronously when the instance is handed over synchronously, and
// makes the object it is given the module. Instantiating a compiled Module
// is no I/O (workerd allows it anywhere, browsers for modules under 8 MB).
function instantiate(wasmModule) {
  const raw = {
    instantiateWasm(imports, done) {
      done(new WebAssembly.Instance(wasmModule, imports), wasmModule);
      return {};
    },
    print: () => {},
    printErr: () => {},
  };
  createConnauthModule(raw).catch(() => {}); // the instance is `raw`; a failure throws below
  if (typeof raw.validate !== 'function') throw new Error('connauth: the engine module did not start');
  stackBases.set(raw, raw.stackSave());
  return raw;
}

// The largest JSON text handed to the module in one argument. Embind copies
// a string into module memory without checking that the allocation
// succeeded, so what could not fit must never reach it.
const MAX_TEXT_BYTES = 8 << 20;

class InputTooLarge extends Error {}

// The fault guard's hook on Connauth and BoundConnection
// (answerFaultsAsResults), and each instance's stack pointer between calls.
const FAULTED = Symbol('connauth.faulted');
const stackBases = new WeakMap();

function bounded(textValue) {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only texts near the limit are measured.
  if (textValue.length * 3 > MAX_TEXT_BYTES && new TextEncoder().encode(textValue).length > MAX_TEXT_BYTES) {
    throw new InputTooLarge(`the input is larger than ${MAX_TEXT_BYTES >> 20} MiB`);
  }
  return textValue;
}
const text = (value) => bounded(typeof value === 'string' ? value : JSON.stringify(value ?? {}));
const json = (value) => bounded(JSON.stringify(value ?? null));

// The host's clock and CSPRNG (the core is deterministic: SPEC §3).
const epochSeconds = () => Math.floor(Date.now() / 1000);
function randomHex(bytes) {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buffer, (b) => b.toString(16).padStart(2, '0')).join('');
}
const randomFraction = () => crypto.getRandomValues(new Uint32Array(1))[0] / 2 ** 32;
// The random bytes of a stamp (core/stamp.h): 16 for `uuid`, 16 for a signer's nonce.
const STAMP_RANDOM_BYTES = 32;

/**
 * The context with the host's stamp (core/stamp.h): the clock and random
 * bytes that templates read as `now`, `now_iso` and `uuid` and request
 * signers take their timestamps and nonces from. `options.now` (epoch
 * seconds) and `options.random` (hex) pin them, for tests; a context that
 * carries its own `stamp`, or is JSON text, is passed as it is. Every call
 * whose requests apply rules or carry JWTs (`iat`, `jti`) gets one: apply,
 * testBegin, connectBegin, authorizeCallback, refreshBegin, revokeBegin and
 * connectionStep; so do the *Finish calls, which build the next step's
 * request of a list of steps.
 */
function stamped(context, options) {
  if (typeof context === 'string' || (context && context.stamp !== undefined)) return text(context);
  const stamp = { now: options.now ?? epochSeconds(), random: options.random ?? randomHex(STAMP_RANDOM_BYTES) };
  return JSON.stringify({ ...context, stamp });
}

export class Connauth {
  #wasmModule;
  #raw;
  #cache = new Map(); // definition text -> CompiledConnector (insertion order = LRU order)
  #cacheSize;

  constructor(wasmModule, cacheSize) {
    this.#wasmModule = wasmModule;
    this.#raw = instantiate(wasmModule);
    this.#cacheSize = Math.max(1, cacheSize);
  }

  // After a fault the memory the failed call held is lost to the instance:
  // the next call gets a new one (its compiled connectors are dropped with
  // the old; BoundConnections made before keep theirs until disposed).
  [FAULTED]() {
    this.#raw = instantiate(this.#wasmModule);
    this.#cache.clear();
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
   * The request with auth applied (SPEC §2.4), signed when a rule signs (SPEC §10).
   * @param context {connection: {...flat hash}, app: {client_id, client_secret, scopes, settings}}
   * @param request {method, url, headers, body}; url may be relative to connection.base_uri
   * @param options {now, random}: pin the stamp (see `stamped`), for tests
   */
  apply(definition, context, request, options = {}) {
    return this.#with(definition, (c) => c.apply(stamped(context, options), text(request)));
  }

  /** SPEC §2.5: {action: 'ok'|'refresh'|'error', reason, matched}. */
  classify(definition, context, response) {
    return this.#with(definition, (c) => c.classify(text(context), text(response)));
  }

  // ---- what the connector means (core/connector_facts.h) -------------------

  /**
   * What a user enters to connect, for the values entered so far:
   * {type (in force; null while `selected` picks no option), option,
   * choice_field (the connection field a form sets to an option key, or
   * null), options: [{key, label, type, fields, noopener}], fields (to ask for),
   * noopener, values (the connection hash to start from), problems:
   * [{path: '/fields/<name>', message}]}.
   * @param context {connection: entered values, app: {settings, secret_settings: [names]}}
   */
  connectForm(definition, context) {
    return this.#with(definition, (c) => c.connectForm(text(context)));
  }

  /**
   * The hosts the connector's own requests and the proxy may reach when the
   * app lists none (SPEC §5), from the app's values only: {hosts:
   * ['host[:port]'], unresolved: [JSON pointers of URLs that need a user's value]}.
   */
  egress(definition, context) {
    return this.#with(definition, (c) => c.egress(text(context)));
  }

  /** SPEC §2.2 `identity` of the authorization in force for a connection (string or null). */
  identity(definition, context) {
    return this.#with(definition, (c) => c.identity(text(context)));
  }

  /**
   * Binds the connector to one connection's context (the edge's request
   * path): the context is resolved and every apply rule rendered once, so
   * each request then costs a few microseconds. Answers {ok: true, value:
   * BoundConnection} or the problems of the definition or the context (for
   * instance a `multi` option that does not exist). The caller owns the
   * BoundConnection and must dispose() it; evicting the connector from the
   * cache does not affect it.
   */
  bind(definition, context) {
    const compiled = this.#compiled(definition);
    if (!compiled.ok) return compiled;
    const handle = new this.#raw.BoundConnection(compiled.value, text(context));
    if (!handle.ok()) {
      const problems = JSON.parse(handle.problems());
      handle.delete();
      return problems;
    }
    return { ok: true, value: new BoundConnection(this.#raw, handle) };
  }

  // ---- flows (SPEC §3–§4; core/flow_api.h documents every shape) ----------
  // `options.now` (epoch seconds) pins the clock, for tests; default: now.

  /** oauth2: {url, pending, noopener}. Store `pending` server-side, bound to org, user and app. */
  authorizeBegin(definition, context, options = {}) {
    // 112 bytes: 16 for state (128 bits, SPEC §3) and up to 96 for a PKCE
    // verifier of up to 128 characters (RFC 7636 §4.1; 32 for the default 43).
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.authorizeBegin(text(context), randomHex(112), now));
  }

  /** Checks the callback against `pending` -> {request, flow} (send request; pass flow as context.flow). */
  authorizeCallback(definition, context, pending, params, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.authorizeCallback(stamped(context, options), json(pending), json(params), now));
  }

  /**
   * Reads the token (or acquire) response -> {connection, warnings, identity?};
   * for an acquire of several steps, while steps remain, {step, request, steps}:
   * send `request`, then call again with its response and context.steps = `steps`.
   */
  authorizeFinish(definition, context, response, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.authorizeFinish(stamped(context, options), json(response), now));
  }

  /** Whether the token is within the app's refresh buffer of its expiry (boolean, in `value`). */
  refreshNeeded(context, options = {}) {
    return JSON.parse(this.#raw.refreshNeeded(text(context), options.now ?? epochSeconds()));
  }

  /**
   * When a refresh is due (SPEC §3): epoch seconds from which refreshNeeded
   * answers true (expires_at - the app's refresh_buffer, default 60 s), or
   * null when the expiry is unknown (refresh on signals only).
   */
  refreshDeadline(context) {
    return JSON.parse(this.#raw.refreshDeadline(text(context)));
  }

  /** -> {request} or an error saying why this connection cannot refresh. */
  refreshBegin(definition, context, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.refreshBegin(stamped(context, options), now));
  }

  /**
   * -> {connection, warnings}: the refreshed hash (old refresh token kept unless a new one came);
   * for a refresh of several steps, while steps remain, {step, request, steps} (see authorizeFinish).
   */
  refreshFinish(definition, context, response, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.refreshFinish(stamped(context, options), json(response), now));
  }

  /** SPEC §2.5 rule 3 -> {next: 'deliver' | 'refresh_and_retry'}. */
  requestNextStep(classification, refreshed) {
    return JSON.parse(this.#raw.requestNextStep(String(classification), Boolean(refreshed)));
  }

  /** api_key / basic_auth / custom_auth connect -> {step: 'acquire'|'test'|'done', request?}. */
  connectBegin(definition, context, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.connectBegin(stamped(context, options), now));
  }

  /**
   * Reads the acquire response -> {connection, warnings}; for an acquire of several steps,
   * while steps remain, {step, request, steps} (see authorizeFinish).
   */
  connectFinish(definition, context, response, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.connectFinish(stamped(context, options), json(response), now));
  }

  /** The connector's test with credentials applied -> {request} (null when the connector has none). */
  testBegin(definition, context, options = {}) {
    return this.#with(definition, (c) => c.testBegin(stamped(context, options)));
  }

  /** -> {outcome: 'ok' | 'refresh'} or an error with its SPEC §4 cause. */
  testFinish(definition, context, response, options = {}) {
    return this.#with(definition, (c) => c.testFinish(text(context), json(response), Boolean(options.refreshed)));
  }

  /**
   * RFC 7009 revocation of a connection whose tokens the host has deleted:
   * {request} to send (best effort), or {request: null} when there is
   * nothing to revoke (no revocation_url, no token).
   */
  revokeBegin(definition, context, options = {}) {
    return this.#with(definition, (c) => c.revokeBegin(stamped(context, options)));
  }

  /**
   * One transition of the connection loop (core/connection_loop.h) for the
   * renew, check and connect operations: {state, effects}. Hosts drive it
   * through connection_loop.mjs.
   */
  connectionStep(definition, context, state, event, options = {}) {
    const now = options.now ?? epochSeconds();
    return this.#with(definition, (c) => c.connectionStep(stamped(context, options), text(state ?? {}), text(event), now));
  }

  /** One transition of the connection loop's `use` operation (reads no connector). */
  useStep(state, event) {
    return JSON.parse(this.#raw.useStep(text(state ?? {}), text(event)));
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

  // Runs `call` on the compiled connector for `definition`. An invalid
  // definition answers its problems.
  #with(definition, call) {
    const compiled = this.#compiled(definition);
    return compiled.ok ? JSON.parse(call(compiled.value)) : compiled;
  }

  // The compiled connector for `definition`, compiled and cached on first
  // use: {ok: true, value} or the definition's problems.
  #compiled(definition) {
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
    return { ok: true, value: compiled };
  }
}

const failure = (message) => {
  const problems = [{ path: '', message }];
  return JSON.stringify({ ok: false, error: { code: 'invalid_input', message, problems }, errors: problems });
};
const DISPOSED = failure('this BoundConnection was disposed');
const NO_MEMORY = failure('out of memory: the input is too large');

/**
 * The module catches no exceptions (CMakeLists.txt: -fignore-exceptions):
 * the core answers every input with a Result, so a throw out of it is a
 * fault — out of memory, or a bug — that leaves the instance's stack
 * pointer where the fault left it and what the call held allocated. Every
 * public method of `cls` is wrapped: a throw becomes an `engine_fault`
 * Result, and the object's [FAULTED]() repairs what it can.
 */
function answerFaultsAsResults(cls) {
  for (const name of Object.getOwnPropertyNames(cls.prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, name);
    if (name === 'constructor' || typeof descriptor.value !== 'function') continue;
    const method = descriptor.value;
    descriptor.value = {
      [name](...args) {
        try {
          return method.apply(this, args);
        } catch (error) {
          if (error instanceof InputTooLarge) return JSON.parse(failure(error.message));
          this[FAULTED]();
          return faultResult(error);
        }
      },
    }[name];
    Object.defineProperty(cls.prototype, name, descriptor);
  }
}

// A C++ exception arrives as a number (its address) and out of memory as
// the glue's RuntimeError "Aborted()": only a JavaScript error has more to tell.
function faultResult(error) {
  const detail = error instanceof Error && !(error instanceof WebAssembly.RuntimeError)
    ? `${error.name}: ${error.message}` : undefined;
  const message = 'the engine failed (out of memory or an internal error); nothing was changed';
  return { ok: false, error: { code: 'engine_fault', message, ...(detail ? { detail } : {}) } };
}
const OPEN_BRACE = 123;
const SHORT_ANSWER = 128; // bytes: see #answer
const NEWLINE = '\n';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

// A request or response body as the module takes it: a string or bytes.
function bodyOf(body) {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return '';
}

// Bytes that writing `value` may take: UTF-8 needs at most 3 per UTF-16 unit.
const room = (value) => (typeof value === 'string' ? 3 * value.length : value.length);

// Writes a string (UTF-8) or bytes into `heap` at `at`; answers the byte
// count. Short ASCII text is copied in a loop (cheaper than a TextEncoder
// call); anything else goes through encodeInto or a typed-array copy.
function write(heap, at, value) {
  if (typeof value !== 'string') {
    heap.set(value, at);
    return value.length;
  }
  const n = value.length;
  if (n > 64) return encoder.encodeInto(value, heap.subarray(at, at + 3 * n)).written;
  for (let i = 0; i < n; i += 1) {
    const c = value.charCodeAt(i);
    if (c > 0x7f) return i + encoder.encodeInto(value.slice(i), heap.subarray(at + i, at + 3 * n)).written;
    heap[at + i] = c;
  }
  return n;
}

// The bound path's answers (core/answer_text.h): a failure is the Result
// envelope as JSON; a success is lines, cheaper to read than JSON.
function editsFrom(text) {
  if (text.charCodeAt(0) === OPEN_BRACE) return JSON.parse(text);
  let end = text.indexOf(NEWLINE);
  const count = Number(text.slice(1, end));
  let at = end + 1;
  end = text.indexOf(NEWLINE, at);
  const value = { url: text.slice(at, end), headers: new Array(count) };
  for (let i = 0; i < count; i += 1) {
    at = end + 1;
    end = text.indexOf(NEWLINE, at);
    const name = text.slice(at, end);
    at = end + 1;
    end = text.indexOf(NEWLINE, at);
    value.headers[i] = [name, text.slice(at, end)];
  }
  if (text.charCodeAt(0) === 98 /* b */) value.body = text.slice(end + 1);
  return { ok: true, value };
}

function classificationFrom(text) {
  if (text.charCodeAt(0) === OPEN_BRACE) return JSON.parse(text);
  const first = text.indexOf(NEWLINE);
  const second = text.indexOf(NEWLINE, first + 1);
  const value = { action: text.slice(0, first), reason: text.slice(first + 1, second) };
  if (second + 1 < text.length) value.matched = text.slice(second + 1);
  return { ok: true, value };
}

const EMPTY_BYTES = new Uint8Array(0);
// A bound apply's stamp bytes: `random` (hex, tests) or fresh from the CSPRNG.
function stampBytes(random) {
  if (typeof random !== 'string') return crypto.getRandomValues(new Uint8Array(STAMP_RANDOM_BYTES));
  const bytes = new Uint8Array(random.length >> 1);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(random.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

const statusCode = (status) => (Number.isInteger(status) && status >= 0 && status < 1000 ? status : 0);

/**
 * A connector bound to one connection's context (engine.bind): apply and
 * classify for the requests of that connection, until its credentials
 * change. Holds module memory: call dispose() when done (a second dispose
 * does nothing; calls after it answer an error Result).
 */
class BoundConnection {
  #raw;
  #handle;
  #address; // the handle's, for the plain exports (bindings.cpp)
  #lengthAt;
  #smallInput;
  #smallBytes;
  #bodyLimit;
  #readsBody;
  #readsRequestBody;
  #signs;
  #stamped;
  #byStatus = new Map(); // status -> answer text, for statuses whose signals read no body

  constructor(raw, handle) {
    this.#raw = raw;
    this.#handle = handle;
    this.#address = handle.address();
    this.#lengthAt = handle.answerLengthAt();
    this.#smallInput = handle.smallInput();
    this.#smallBytes = raw.boundInputBytes;
    this.#bodyLimit = raw.bodyLimit;
    this.#readsBody = handle.readsBody();
    this.#readsRequestBody = handle.readsRequestBody();
    this.#signs = handle.signs();
    this.#stamped = handle.stamped();
  }

  // A fault here leaves this connection's instance as it is (the engine
  // has moved on to a new one if the fault was its own): only the stack is reset.
  [FAULTED]() {
    this.#raw.stackRestore(stackBases.get(this.#raw));
  }

  /** Whether any signal (SPEC §2.5) looks at a response body: if not, a host need not read it. */
  get readsBody() {
    return this.#readsBody;
  }

  /** Whether classifying a response with this status may look at its body. */
  readsBodyFor(status) {
    const code = statusCode(status);
    if (this.#byStatus.has(code)) return false; // classified on its status alone before
    return this.#handle ? this.#handle.readsBodyFor(code) : false;
  }

  /** Whether apply may rewrite a request body (some rule has a payload) or signs it: if not, `body` is never read. */
  get readsRequestBody() {
    return this.#readsRequestBody;
  }

  /**
   * Whether a rule signs the request (SPEC §10): apply then needs the body's
   * exact bytes (pass a Uint8Array for anything but UTF-8 text).
   */
  get signs() {
    return this.#signs;
  }

  /**
   * SPEC §2.4 for one request -> {url, headers: [[name, value]...], body?}:
   * the absolute URL; the headers to set, each replacing any same-named
   * header of the request (case-insensitively); `body` only when a payload
   * rule rewrote it (a Content-Length the request carried no longer holds).
   * `contentType` is the request's Content-Type header (omit it when there
   * is none); `body` a string or bytes. `now` and `random` (hex) pin the
   * stamp of a connection whose rules read it or sign, for tests; by
   * default the clock and the CSPRNG give them.
   */
  apply({ method, url, contentType, body, now, random } = {}) {
    const handle = this.#handle;
    if (!handle) return JSON.parse(DISPOSED);
    const verb = method === undefined || method === null ? 'GET' : String(method);
    const target = typeof url === 'string' ? url : '';
    const hasType = contentType !== undefined && contentType !== null;
    const type = hasType ? String(contentType) : '';
    const payload = this.#readsRequestBody ? bodyOf(body) : '';
    const randomBytes = this.#stamped ? stampBytes(random) : EMPTY_BYTES;
    const at = this.#input(room(verb) + room(target) + room(type) + room(payload) + randomBytes.length);
    if (!at) return JSON.parse(NO_MEMORY);
    const heap = this.#raw.HEAPU8; // after input(): the memory may have grown
    const verbBytes = write(heap, at, verb);
    const urlBytes = write(heap, at + verbBytes, target);
    const typeBytes = write(heap, at + verbBytes + urlBytes, type);
    const bodyBytes = write(heap, at + verbBytes + urlBytes + typeBytes, payload);
    heap.set(randomBytes, at + verbBytes + urlBytes + typeBytes + bodyBytes);
    const clock = this.#stamped ? (now ?? epochSeconds()) : 0;
    const answer = this.#raw._connauth_bound_apply(this.#address, at, verbBytes, urlBytes, hasType ? typeBytes : -1, bodyBytes,
      clock, randomBytes.length);
    return editsFrom(this.#answer(answer));
  }

  /**
   * SPEC §2.5 for a response -> {action: 'ok'|'refresh'|'error', reason,
   * matched?}. `body` is a string or bytes (bytes are cheaper); only its
   * first 1 MiB is matched, and it is not read at all when no signal looks
   * at bodies.
   */
  classify({ status, body } = {}) {
    const handle = this.#handle;
    if (!handle) return JSON.parse(DISPOSED);
    const code = statusCode(status);
    // When no signal for this status reads the body, the answer depends on
    // the status alone: the engine is asked once per status (at most 1000).
    const byStatus = this.#byStatus.get(code);
    if (byStatus !== undefined) return classificationFrom(byStatus);
    const statusOnly = !handle.readsBodyFor(code);
    let matched = statusOnly ? '' : bodyOf(body);
    // One unit past the limit still tells the engine the body was cut.
    const keep = this.#bodyLimit + 1;
    if (matched.length > keep) matched = typeof matched === 'string' ? matched.slice(0, keep) : matched.subarray(0, keep);
    const at = this.#input(room(matched));
    if (!at) return JSON.parse(NO_MEMORY);
    const bodyBytes = write(this.#raw.HEAPU8, at, matched);
    const answer = this.#answer(this.#raw._connauth_bound_classify(this.#address, at, code, bodyBytes));
    if (statusOnly) this.#byStatus.set(code, answer);
    return classificationFrom(answer);
  }

  /** Frees the module memory it holds. */
  dispose() {
    if (!this.#handle) return;
    this.#handle.delete();
    this.#handle = null;
  }

  // Where to write `bytes` of input: the connection's small buffer, or one
  // for this call only (0 when out of memory).
  #input(bytes) {
    return bytes <= this.#smallBytes ? this.#smallInput : this.#handle.input(bytes);
  }

  // The answer text at `at`. A short ASCII answer (a URL and a short key
  // header) is read in a loop: in workerd a TextDecoder call costs a proxied
  // request more than the loop. In Node the decoder is faster from ~100
  // bytes on, and the loop's cost grows with the length, so longer answers
  // (a bearer token, many rules) go through the decoder.
  #answer(at) {
    const length = this.#raw.HEAPU32[this.#lengthAt >>> 2];
    const heap = this.#raw.HEAPU8;
    if (length > SHORT_ANSWER) return decoder.decode(heap.subarray(at, at + length));
    let text = '';
    for (let i = at, end = at + length; i < end; i += 1) {
      const c = heap[i];
      if (c > 0x7f) return decoder.decode(heap.subarray(at, at + length));
      text += String.fromCharCode(c);
    }
    return text;
  }
}

answerFaultsAsResults(Connauth);
answerFaultsAsResults(BoundConnection);
