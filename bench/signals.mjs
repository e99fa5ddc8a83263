// Section 3 — signal matching: engine.classify on 1 KiB, 100 KiB and 1 MiB
// bodies with typical and pathological detect_on patterns (RE2 inside the
// module), against the same pattern in JavaScript's RegExp (a backtracking
// engine) run in a worker thread that is terminated at a time cap.
//
// Each body is built so that the pattern does not match (or only at the
// very end): the scanner must read all of it. Variants, interleaved:
//   bound_bytes   bound.classify({status, body: Uint8Array}) on
//                 engine.bind(definition, context): the edge path (the body
//                 as the host reads it, copied into wasm memory as bytes)
//   bound_string  the same with the body as a string (TextEncoder into wasm
//                 memory)
//   engine        engine.classify(definition, context, response): the
//                 one-shot path, the body inside the JSON response text
//   transport     the one-shot classify with a status-only signal on the
//                 same body: what moving the body into the module costs
//                 that way (JSON envelope, Embind string, parse) before any
//                 pattern runs
// Growth: the exponent k in time ∝ size^k between 100 KiB and 1 MiB (1 =
// linear). The engine's body limit is 1 MiB (SPEC §2.5).
import { Worker } from 'node:worker_threads';
import { loadEngines } from './lib/raw_engine.mjs';
import { signalCases, signalConnector, statusOnlyConnector } from './lib/connectors.mjs';
import { cpuMs, median, sig } from './lib/stats.mjs';

const SIZES = [1024, 100 * 1024, 1024 * 1024];
const sizeName = (n) => (n >= 1 << 20 ? `${n >> 20} MiB` : `${n >> 10} KiB`);

function jsRegExp(pattern, flags, body, capMs) {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./fixtures/regexp_worker.mjs', import.meta.url), { workerData: { pattern, flags, body } });
    const timer = setTimeout(() => {
      worker.terminate();
      resolve({ capped: true });
    }, capMs);
    worker.once('message', (m) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(m);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      resolve({ error: error.message });
    });
  });
}

// Median process CPU time of `reps` runs of fn (ms), after one warm-up run
// (CPU time: the machine may be busy with other work; see lib/stats.mjs).
function timeReps(fn, reps) {
  fn();
  const times = [];
  for (let i = 0; i < reps; i += 1) {
    const t = cpuMs();
    fn();
    times.push(cpuMs() - t);
  }
  return median(times);
}

const exponent = (t1, t2, s1, s2) => Math.log(t2 / t1) / Math.log(s2 / s1);

export async function run({ quick, log }) {
  const { engine } = await loadEngines();
  const capMs = quick ? 500 : 5000;
  const reps = (size) => (size >= 1 << 20 ? (quick ? 3 : 9) : size >= 100 << 10 ? (quick ? 5 : 21) : (quick ? 50 : 300));
  const context = { connection: { key: 'k' } };
  const rows = [];
  for (const c of signalCases) {
    const connector = JSON.stringify(signalConnector(c.pattern, c.flags));
    const bound = engine.bind(connector, context);
    if (!bound.ok) throw new Error(`signals ${c.name}: bind failed ${JSON.stringify(bound.errors)}`);
    const row = { case: c.name, pattern: c.pattern, flags: c.flags, sizes: [] };
    let jsCapped = false;
    for (const size of SIZES) {
      const body = c.body(size);
      const bytes = new TextEncoder().encode(body);
      const response = { status: 200, headers: [['content-type', 'text/plain']], body };
      const check = engine.classify(connector, context, response);
      if (!check.ok || check.value.action !== 'ok') throw new Error(`signals ${c.name}: unexpected ${JSON.stringify(check)}`);
      for (const b of [bytes, body]) {
        const same = bound.value.classify({ status: 200, body: b });
        if (!same.ok || same.value.action !== 'ok') throw new Error(`signals ${c.name}: bound classify ${JSON.stringify(same)}`);
      }
      // Interleaved: each variant in turn, three rounds.
      const n = reps(size);
      const variants = {
        bound_bytes: () => bound.value.classify({ status: 200, body: bytes }),
        bound_string: () => bound.value.classify({ status: 200, body }),
        engine: () => engine.classify(connector, context, response),
        transport: () => engine.classify(statusOnlyConnector, context, response),
      };
      const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
      for (let round = 0; round < 3; round += 1) {
        for (const [name, fn] of Object.entries(variants)) times[name].push(timeReps(fn, Math.ceil(n / 3)));
      }
      const engineMs = median(times.engine);
      const transportMs = median(times.transport);
      const boundBytesMs = median(times.bound_bytes);
      const boundStringMs = median(times.bound_string);
      let js;
      if (jsCapped) {
        js = { capped: true, skipped: true };
      } else {
        js = await jsRegExp(c.pattern, c.flags, body, capMs);
        if (js.capped) jsCapped = true;
      }
      log(`signals: ${c.name} ${sizeName(size)}: bound ${boundBytesMs.toFixed(3)} ms (bytes), ${boundStringMs.toFixed(3)} ms (string), one-shot ${engineMs.toFixed(3)} ms, JS ${js.capped ? `> ${capMs} ms` : `${js.ms?.toFixed(3)} ms`}`);
      row.sizes.push({
        bytes: size,
        bound_bytes_ms: sig(boundBytesMs),
        bound_string_ms: sig(boundStringMs),
        engine_ms: sig(engineMs),
        transport_ms: sig(transportMs),
        match_ms: sig(Math.max(0, engineMs - transportMs)),
        js_ms: js.capped || js.error ? null : sig(js.ms),
        js_capped: Boolean(js.capped),
        js_skipped: Boolean(js.skipped),
        js_error: js.error ?? null,
      });
    }
    bound.value.dispose();
    const [s1, s2, s3] = row.sizes;
    row.bound_growth_exponent = sig(exponent(s2.bound_bytes_ms, s3.bound_bytes_ms, s2.bytes, s3.bytes), 2);
    row.growth_exponent = sig(exponent(s2.engine_ms, s3.engine_ms, s2.bytes, s3.bytes), 2);
    row.ratio_1mib_100kib = sig(s3.engine_ms / s2.engine_ms, 3);
    row.ratio_100kib_1kib = sig(s2.engine_ms / s1.engine_ms, 3);
    rows.push(row);
  }
  const worst = Math.max(...rows.map((r) => r.sizes[2].engine_ms));
  const worstBound = Math.max(...rows.map((r) => r.sizes[2].bound_bytes_ms));
  return { available: true, cap_ms: capMs, cases: rows, worst_bound_1mib_ms: sig(worstBound), worst_1mib_ms: sig(worst) };
}

export function table(result) {
  const rows = [['case', 'body', 'bound ms (bytes)', 'bound ms (string)', 'one-shot ms', 'of which transport ms', 'JS RegExp ms', 'growth k (bound, one-shot)']];
  for (const r of result.cases) {
    r.sizes.forEach((s, i) => rows.push([
      i === 0 ? r.case : '', sizeName(s.bytes), s.bound_bytes_ms, s.bound_string_ms, s.engine_ms, s.transport_ms,
      s.js_capped ? `> ${result.cap_ms} (${s.js_skipped ? 'skipped' : 'stopped'})` : s.js_error ? `error: ${s.js_error}` : s.js_ms,
      i === 2 ? `${r.bound_growth_exponent}, ${r.growth_exponent}` : '',
    ]));
  }
  rows.push(['bound = bound.classify({status, body}) on engine.bind(...) (the edge path), body as Uint8Array or string;'
    + ' one-shot = engine.classify(definition, context, response), the body inside JSON text;'
    + ' transport = the one-shot classify with a status-only signal (moving the body into the module, no pattern);'
    + ' growth k: time ∝ size^k from 100 KiB to 1 MiB (1 = linear); JS RegExp runs in a worker thread stopped at the cap.']);
  return rows;
}
