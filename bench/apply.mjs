// Section 2 — apply cost through the WASM API, for connectors with 1, 10 and
// 50 apply rules (bench/lib/connectors.mjs), and what share of a call is the
// JS/WASM boundary rather than applying rules.
//
// Measured side by side (variants alternate in rounds; medians reported):
//   api        engine.apply(definitionText, context, request): the public JS
//              API as the edge calls it (wrapper: cache lookup, JSON.stringify
//              of context and request, JSON.parse of the answer)
//   raw        the Embind method CompiledConnector.apply(contextText,
//              requestText) on a second instance of the same module: text in,
//              text out, no wrapper
//   js_json    the wrapper's JSON work alone (stringify both, parse the answer)
//   marshal    an Embind call carrying the same number of bytes in and
//              returning a short string (requestNextStep with a string of that
//              length): the cost of moving the text across
//   empty_call an Embind method with no arguments (CompiledConnector.ok)
// and natively (g++ -O2, Google Benchmark, same connectors): the text path
// (parse + apply + serialise), the core alone on parsed JSON, and parsing.
// callgrind counts the native text path's instructions (repeatable).
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

  const cases = RULES.map((n) => {
    const text = JSON.stringify(connectorWithRules(n));
    const compiled = new raw.CompiledConnector(text);
    const first = engine.apply(text, applyContext, applyRequest);
    if (!first.ok) throw new Error(`apply ${n} rules failed: ${JSON.stringify(first.errors)}`);
    const answerText = compiled.apply(contextText, requestText);
    const filler = 'x'.repeat(contextText.length + requestText.length);
    return {
      n, text, compiled, answerText, filler,
      variants: {
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
  for (const c of cases) c.compiled.delete();

  log('apply: native comparison (g++ -O2, Google Benchmark)');
  const native = runNative(nativeCases(), { minTime: quick ? 0.05 : 0.3, repetitions: quick ? 1 : 5 });
  const instructions = quick ? { reason: 'skipped in --quick' } : callgrindInstructions(nativeCases(), 'apply_10', 200);

  const rows = cases.map((c) => {
    const m = Object.fromEntries(Object.entries(samples.get(c.n)).map(([k, v]) => [k, median(v) / 1000]));
    const nat = native.ns ? {
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
      api_us: sig(m.api),
      raw_us: sig(m.raw),
      js_json_us: sig(m.js_json),
      marshal_us: sig(m.marshal),
      empty_call_us: sig(m.empty_call),
      wrapper_share: sig((m.api - m.raw) / m.api, 2),
      boundary_share: nat ? sig(boundary / m.api, 2) : null,
      native: nat && Object.fromEntries(Object.entries(nat).map(([k, v]) => [k, sig(v)])),
      wasm_vs_native_text: nat ? sig(m.raw / nat.text_us, 2) : null,
      samples_us: Object.fromEntries(Object.entries(samples.get(c.n)).map(([k, v]) => [k, v.map((x) => sig(x / 1000))])),
    };
  });
  const at = (n) => rows.find((r) => r.rules === n);
  return {
    available: true,
    rounds,
    cases: rows,
    growth_per_rule_us: sig((at(50).api_us - at(1).api_us) / 49),
    growth_10_to_50: sig(at(50).api_us / at(10).api_us, 2),
    api_us_10_rules: at(10).api_us,
    native: native.ns ? { ok: true } : { ok: false, reason: native.reason },
    callgrind_apply_10_text_instructions: instructions.instructions ?? null,
    callgrind_note: instructions.reason ?? 'native text path (parse + apply + serialise), instructions per call',
  };
}

export function table(result) {
  const rows = [['rules', 'api µs', 'raw µs', 'js json µs', 'marshal µs', 'empty call µs', 'native text µs', 'native core µs', 'wasm/native', 'boundary share']];
  for (const r of result.cases) {
    rows.push([r.rules, r.api_us, r.raw_us, r.js_json_us, r.marshal_us, r.empty_call_us,
      r.native?.text_us ?? 'n/a', r.native?.core_us ?? 'n/a', r.wasm_vs_native_text ?? 'n/a',
      r.boundary_share === null ? 'n/a' : `${Math.round(r.boundary_share * 100)}%`]);
  }
  rows.push([`growth: +${result.growth_per_rule_us} µs per rule (1 → 50 rules); 50 rules / 10 rules = ${result.growth_10_to_50}×`]);
  if (result.callgrind_apply_10_text_instructions) {
    rows.push([`native text path, 10 rules: ${result.callgrind_apply_10_text_instructions} instructions per call (callgrind)`]);
  }
  return rows;
}
