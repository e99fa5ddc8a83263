// Section 2 — apply cost through the WASM API, for connectors with 1, 10 and
// 50 apply rules (bench/lib/connectors.mjs), and what share of a call is the
// JS/WASM boundary rather than applying rules.
//
// Measured side by side (variants alternate in rounds; medians reported):
//   bound      bound.apply({method, url}) on engine.bind(definition, context):
//              the edge path (a connection bound once per credentials
//              version; rules rendered at bind time; answers the edits)
//   bound_raw  the plain export connauth_bound_apply(handle, at, ...) that
//              bound.apply calls (wasm/bindings.cpp), on the same module,
//              the request already in wasm memory: the call without the
//              wrapper's encoding and decoding
//   api        engine.apply(definitionText, context, request): the one-shot
//              public JS API (wrapper: cache lookup, JSON.stringify of
//              context and request, JSON.parse of the answer), as the
//              console preview and the CLI call it
//   raw        the Embind method CompiledConnector.apply(contextText,
//              requestText) on a second instance of the same module: text in,
//              text out, no wrapper
//   js_json    the wrapper's JSON work alone (stringify both, parse the answer)
//   marshal    an Embind call carrying the same number of bytes in and
//              returning a short string (requestNextStep with a string of that
//              length): the cost of moving the text across
//   empty_call an Embind method with no arguments (CompiledConnector.ok)
// and natively (g++ -O2, Google Benchmark, same connectors): the bound path
// (apply + answer text), the one-shot text path (parse + apply + serialise),
// the core alone on parsed JSON, and parsing. callgrind counts the native
// paths' instructions (repeatable).
import { loadEngines } from './lib/raw_engine.mjs';
import { applyContext, applyRequest, connectorWithRules } from './lib/connectors.mjs';
import { runNative, callgrindInstructions } from './lib/native.mjs';
import { median, nsPerCall, sig } from './lib/stats.mjs';

const RULES = [1, 10, 50];

export function nativeCases() {
  return RULES.map((n) => ({ name: `apply_${n}`, kind: 'apply', connector: connectorWithRules(n), context: applyContext, input: applyRequest }));
}

export async function run({ quick, log }) {
  const { engine, raw } = await loadEngines();
  const rounds = quick ? 3 : 9;
  const timing = { batchMs: quick ? 10 : 25, batches: 3 };
  const contextText = JSON.stringify(applyContext);
  const requestText = JSON.stringify(applyRequest);

  // The bound path takes what decides apply: verb, URL, Content-Type, body
  // (the caller's other headers stay with the host).
  const boundRequest = { method: applyRequest.method, url: applyRequest.url };
  const cases = RULES.map((n) => {
    const text = JSON.stringify(connectorWithRules(n));
    const compiled = new raw.CompiledConnector(text);
    const first = engine.apply(text, applyContext, applyRequest);
    if (!first.ok) throw new Error(`apply ${n} rules failed: ${JSON.stringify(first.errors)}`);
    const bound = engine.bind(text, applyContext);
    if (!bound.ok) throw new Error(`bind ${n} rules failed: ${JSON.stringify(bound.errors)}`);
    sameEdits(first.value, bound.value.apply(boundRequest), n);
    const handle = new raw.BoundConnection(compiled, contextText);
    const input = new TextEncoder().encode(`${boundRequest.method}${boundRequest.url}`);
    const at = handle.smallInput();
    const address = handle.address();
    raw.HEAPU8.set(input, at);
    const methodBytes = boundRequest.method.length;
    const answerText = compiled.apply(contextText, requestText);
    const filler = 'x'.repeat(contextText.length + requestText.length);
    return {
      n, text, compiled, answerText, filler, bound: bound.value, handle,
      variants: {
        bound: () => bound.value.apply(boundRequest),
        bound_raw: () => raw._connauth_bound_apply(address, at, methodBytes, input.length - methodBytes, -1, 0),
        api: () => engine.apply(text, applyContext, applyRequest),
        raw: () => compiled.apply(contextText, requestText),
        js_json: () => JSON.parse(JSON.stringify(applyContext) + JSON.stringify(applyRequest) && answerText),
        marshal: () => raw.requestNextStep(filler, false),
        empty_call: () => compiled.ok(),
      },
    };
  });

  // Warm up: V8 tiers hot WebAssembly and JS up to optimised code.
  log(`apply: warming up`);
  for (let i = 0; i < (quick ? 300 : 2000); i += 1) for (const c of cases) for (const f of Object.values(c.variants)) f();

  const samples = new Map(cases.map((c) => [c.n, Object.fromEntries(Object.keys(c.variants).map((k) => [k, []]))]));
  for (let round = 0; round < rounds; round += 1) {
    log(`apply: round ${round + 1}/${rounds}`);
    const order = round % 2 ? [...cases].reverse() : cases;
    for (const c of order) {
      const names = Object.keys(c.variants);
      for (const name of round % 2 ? [...names].reverse() : names) {
        samples.get(c.n)[name].push(nsPerCall(c.variants[name], timing));
      }
    }
  }
  for (const c of cases) {
    c.compiled.delete();
    c.handle.delete();
    c.bound.dispose();
  }

  log('apply: native comparison (g++ -O2, Google Benchmark)');
  const native = runNative(nativeCases(), { minTime: quick ? 0.05 : 0.3, repetitions: quick ? 1 : 5 });
  const instructions = quick ? { reason: 'skipped in --quick' } : callgrindInstructions(nativeCases(), 'apply_10', 200);
  const boundInstructions = quick ? { reason: 'skipped in --quick' } : callgrindInstructions(nativeCases(), 'apply_10', 2000, 'bound');

  const rows = cases.map((c) => {
    const m = Object.fromEntries(Object.entries(samples.get(c.n)).map(([k, v]) => [k, median(v) / 1000]));
    const nat = native.ns ? {
      bound_us: native.ns[`apply_${c.n}/bound`] / 1000,
      text_us: native.ns[`apply_${c.n}/text`] / 1000,
      core_us: native.ns[`apply_${c.n}/core`] / 1000,
      parse_us: native.ns[`apply_${c.n}/parse`] / 1000,
    } : null;
    // Inside the module: everything the raw call does besides moving text.
    const inWasm = Math.max(0, m.raw - m.marshal);
    // Of that, the JSON text handling (parse + serialise), estimated with the
    // native split of the same call.
    const jsonInWasm = nat ? inWasm * (1 - nat.core_us / nat.text_us) : null;
    const boundary = (m.api - m.raw) + m.marshal + (jsonInWasm ?? 0);
    return {
      rules: c.n,
      bound_us: sig(m.bound),
      bound_raw_us: sig(m.bound_raw),
      bound_wrapper_share: sig((m.bound - m.bound_raw) / m.bound, 2),
      api_us: sig(m.api),
      raw_us: sig(m.raw),
      js_json_us: sig(m.js_json),
      marshal_us: sig(m.marshal),
      empty_call_us: sig(m.empty_call),
      wrapper_share: sig((m.api - m.raw) / m.api, 2),
      boundary_share: nat ? sig(boundary / m.api, 2) : null,
      native: nat && Object.fromEntries(Object.entries(nat).map(([k, v]) => [k, sig(v)])),
      wasm_vs_native_text: nat ? sig(m.raw / nat.text_us, 2) : null,
      wasm_vs_native_bound: nat ? sig(m.bound_raw / nat.bound_us, 2) : null,
      one_shot_vs_bound: sig(m.api / m.bound, 3),
      samples_us: Object.fromEntries(Object.entries(samples.get(c.n)).map(([k, v]) => [k, v.map((x) => sig(x / 1000))])),
    };
  });
  const at = (n) => rows.find((r) => r.rules === n);
  return {
    available: true,
    rounds,
    cases: rows,
    bound_growth_per_rule_us: sig((at(50).bound_us - at(1).bound_us) / 49),
    growth_per_rule_us: sig((at(50).api_us - at(1).api_us) / 49),
    growth_10_to_50: sig(at(50).api_us / at(10).api_us, 2),
    bound_us_10_rules: at(10).bound_us,
    api_us_10_rules: at(10).api_us,
    native: native.ns ? { ok: true } : { ok: false, reason: native.reason },
    callgrind_apply_10_bound_instructions: boundInstructions.instructions ?? null,
    callgrind_apply_10_text_instructions: instructions.instructions ?? null,
    callgrind_note: instructions.reason ?? 'native bound path (apply + answer text) and one-shot text path (parse + apply + serialise), instructions per call',
  };
}

// The bound path answers edits; applied to the request they must give the
// one-shot answer (tests/native/bound_connection_test.cpp checks this for
// every case; here it guards the benchmark's own inputs).
function sameEdits(oneShot, edits, n) {
  if (!edits.ok) throw new Error(`bound apply ${n} rules failed: ${JSON.stringify(edits.errors)}`);
  const headers = new Map(Object.entries(applyRequest.headers).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [name, value] of edits.value.headers) headers.set(name.toLowerCase(), value);
  const expected = new Map(Object.entries(oneShot.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const same = edits.value.url === oneShot.url && edits.value.body === undefined && headers.size === expected.size
    && [...headers].every(([k, v]) => expected.get(k) === v);
  if (!same) throw new Error(`bound and one-shot apply differ for ${n} rules: ${JSON.stringify({ oneShot, edits })}`);
}

export function table(result) {
  const rows = [['rules', 'bound µs', 'bound raw µs', 'one-shot api µs', 'one-shot raw µs', 'js json µs', 'marshal µs', 'empty call µs',
    'native bound µs', 'native text µs', 'native core µs', 'wasm/native (bound)', 'one-shot/bound', 'boundary share (one-shot)']];
  for (const r of result.cases) {
    rows.push([r.rules, r.bound_us, r.bound_raw_us, r.api_us, r.raw_us, r.js_json_us, r.marshal_us, r.empty_call_us,
      r.native?.bound_us ?? 'n/a', r.native?.text_us ?? 'n/a', r.native?.core_us ?? 'n/a', r.wasm_vs_native_bound ?? 'n/a',
      `${r.one_shot_vs_bound}×`,
      r.boundary_share === null ? 'n/a' : `${Math.round(r.boundary_share * 100)}%`]);
  }
  rows.push(['bound = the edge path: engine.bind(definition, context) once, then bound.apply({method, url}) per request;'
    + ' one-shot = engine.apply(definition, context, request) (console preview, CLI)']);
  rows.push([`growth: bound +${result.bound_growth_per_rule_us} µs per rule; one-shot +${result.growth_per_rule_us} µs per rule (1 → 50 rules), 50 rules / 10 rules = ${result.growth_10_to_50}×`]);
  if (result.callgrind_apply_10_text_instructions) {
    rows.push([`native, 10 rules, instructions per call (callgrind): bound ${result.callgrind_apply_10_bound_instructions}, one-shot text path ${result.callgrind_apply_10_text_instructions}`]);
  }
  return rows;
}
