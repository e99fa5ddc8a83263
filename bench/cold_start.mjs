// Section 5 — cold start and size.
//
// Cold start: what a first request waits for before the engine has parsed
// its connector (the 10-rule connector of the apply section), in each host:
//   workerd (edge)  a fresh workerd (new Miniflare) per sample running
//             bench/fixtures/cold_edge_worker.mjs, which loads the engine
//             through the edge's own edge/src/engine.mjs: instantiated and
//             warmed up at module evaluation (when workerd loads the script,
//             before it serves anything). Its first request times waiting
//             for the engine plus parsing its connector: `workerd_cold_ms`.
//             The module-scope work is reported beside it (startup ms): on
//             Cloudflare an isolate is started when a request needs it (or
//             during the TLS handshake before it), so a request that finds
//             no isolate at all waits for that too.
//   workerd (loaded in the request)  the same without module-scope loading
//             (bench/fixtures/cold_worker.mjs): the first request
//             instantiates and parses (what module-scope loading saves).
//             workerd compiles the .wasm while loading the script, so compile
//             is not part of a request; it is timed separately where allowed.
//   Node      a fresh process per sample (bench/fixtures/cold_node.mjs)
//   Chromium  a fresh browser context per sample (bench/fixtures/cold.html),
//             playwright-core with Debian's /usr/bin/chromium
// Size: wasm raw, gzip -9 and brotli; its code and data sections; the
// Emscripten glue and the JS wrapper.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants as zlib } from 'node:zlib';
import { Miniflare } from 'miniflare';
import { root, compatibilityDate } from './lib/edge.mjs';
import { startStaticServer } from './lib/static_server.mjs';
import { wasmLayout } from './lib/wasm_sections.mjs';
import { applyContext, applyRequest, connectorWithRules } from './lib/connectors.mjs';
import { median, sig } from './lib/stats.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

const connector = JSON.stringify(connectorWithRules(10));
const context = JSON.stringify(applyContext);
const request = JSON.stringify(applyRequest);


function workerdOptions(scriptPath) {
  return {
    host: '127.0.0.1',
    port: 0,
    modules: true,
    modulesRoot: root,
    scriptPath: join(root, scriptPath),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate,
    bindings: { CONNECTOR: connector, CONTEXT: context, REQUEST: request },
    dataBlobBindings: { WASM_BYTES: join(root, 'wasm/dist/connauth.wasm') },
  };
}

// The edge's engine module in a fresh workerd: its first request.
async function edgeSample() {
  const mf = new Miniflare(workerdOptions('bench/fixtures/cold_edge_worker.mjs'));
  try {
    const url = await mf.ready;
    const sentAt = Date.now();
    const first = await (await fetch(new URL('/first', url))).json();
    // Module evaluation happens when workerd loads the script; if it had
    // been deferred to the first request, the engine would be ready only
    // after the request was sent, and the request would have waited for it.
    return { ...first, ready_before_sent: first.ready_at !== null && first.ready_at <= sentAt };
  } finally {
    await mf.dispose();
  }
}

// The engine loaded inside the first request, in a fresh workerd.
async function workerdSample(withRepeat) {
  const mf = new Miniflare(workerdOptions('bench/fixtures/cold_worker.mjs'));
  try {
    const url = await mf.ready;
    const first = await (await fetch(new URL('/first', url))).json();
    if (!withRepeat) return { first };
    const repeat = await (await fetch(new URL('/repeat?n=20', url))).json();
    const compile = await (await fetch(new URL('/compile', url))).json();
    return { first, repeat, compile };
  } finally {
    await mf.dispose();
  }
}

function nodeSample() {
  const out = execFileSync(process.execPath, [join(root, 'bench/fixtures/cold_node.mjs'), connector, context, request], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

async function chromiumSamples(samples) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return { reason: 'playwright-core is not installed' };
  }
  const server = await startStaticServer();
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (error) {
    await server.close();
    return { reason: `Chromium did not start: ${String(error.message).split('\n')[0]}` };
  }
  const results = [];
  try {
    const hash = encodeURIComponent(JSON.stringify([connector, applyContext, applyRequest]));
    for (let i = 0; i < samples; i += 1) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.goto(`${server.origin}/bench/fixtures/cold.html#${hash}`);
      const handle = await page.waitForFunction(() => window.__result, null, { timeout: 30_000 });
      const r = await handle.jsonValue();
      await ctx.close();
      if (r.error) return { reason: r.error };
      results.push(r);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return { samples: results };
}

// Median of each field over samples.
function medians(samples) {
  const keys = Object.keys(samples[0] ?? {});
  return Object.fromEntries(keys.map((k) => [k, sig(median(samples.map((s) => s[k])))]));
}

function sizes() {
  const wasm = readFileSync(join(root, 'wasm/dist/connauth.wasm'));
  const glue = readFileSync(join(root, 'wasm/dist/connauth.mjs'));
  const wrapper = readFileSync(join(root, 'wasm/connauth.mjs'));
  const brotli = (b) => brotliCompressSync(b, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const { sections } = wasmLayout(new Uint8Array(wasm));
  const section = (name) => sections.find((s) => s.name === name)?.bytes ?? 0;
  return {
    wasm_bytes: wasm.length,
    wasm_gzip_bytes: gzipSync(wasm, { level: 9 }).length,
    wasm_brotli_bytes: brotli(wasm),
    wasm_code_bytes: section('code'),
    wasm_data_bytes: section('data'),
    glue_bytes: glue.length,
    glue_gzip_bytes: gzipSync(glue, { level: 9 }).length,
    wrapper_bytes: wrapper.length,
  };
}

export async function run({ quick, log }) {
  const samples = quick ? 2 : 9;
  const result = { available: true, size: sizes(), hosts: {} };

  log(`cold start: workerd (edge engine module), ${samples} fresh workerd processes`);
  const edge = [];
  for (let i = 0; i < samples; i += 1) edge.push(await edgeSample());
  const startups = edge.map((s) => s.startup_ms).filter((ms) => ms !== null);
  result.hosts.workerd_edge = {
    samples: edge.length,
    wait_ms: sig(median(edge.map((s) => s.wait_ms))),
    parse_ms: sig(median(edge.map((s) => s.parse_ms))),
    first_apply_ms: sig(median(edge.map((s) => s.first_apply_ms))),
    first_total_ms: sig(median(edge.map((s) => s.wait_ms + s.parse_ms))),
    startup_ms: startups.length ? sig(median(startups)) : null,
    ready_before_sent: `${edge.filter((s) => s.ready_before_sent).length} of ${edge.length}`,
    note: 'first_total_ms = what the first request waits for (engine ready + its connector parsed); '
      + 'startup_ms = module-scope load + warm-up, done when workerd loads the script (Date.now, 1 ms resolution)',
  };

  log(`cold start: workerd (loaded in the request), ${samples} fresh workerd processes`);
  const workerd = [];
  let extra;
  for (let i = 0; i < samples; i += 1) {
    const s = await workerdSample(i === 0);
    workerd.push(s.first);
    if (i === 0) extra = s;
  }
  result.hosts.workerd = {
    samples: workerd.length,
    ...medians(workerd),
    first_total_ms: sig(median(workerd.map((s) => s.instantiate_ms + s.parse_ms))),
    repeat_instantiate_parse_apply_ms: sig(extra.repeat.mean_ms),
    compile_ms: extra.compile.compile_ms !== undefined ? sig(extra.compile.compile_ms) : null,
    compile_note: extra.compile.error ?? 'WebAssembly.compile of the bytes inside a request (workerd normally compiles at script load)',
    clock_note: 'workerd timers have 1 ms resolution; repeat_* is the mean of 20 in a row',
  };

  log(`cold start: Node, ${samples} fresh processes`);
  const node = Array.from({ length: samples }, nodeSample);
  result.hosts.node = { samples: node.length, ...medians(node) };
  result.hosts.node.first_total_ms = sig(median(node.map((s) => s.instantiate_ms + s.parse_ms)));

  log(`cold start: Chromium, ${samples} fresh contexts`);
  const chromium = await chromiumSamples(samples);
  if (chromium.samples) {
    result.hosts.chromium = { samples: chromium.samples.length, ...medians(chromium.samples) };
    result.hosts.chromium.first_total_ms = sig(median(chromium.samples.map((s) => s.instantiate_ms + s.parse_ms)));
  } else {
    result.hosts.chromium = { available: false, reason: chromium.reason };
  }
  // The goal's figure: what the edge's first request waits for.
  result.workerd_cold_ms = result.hosts.workerd_edge.first_total_ms;
  result.workerd_startup_ms = result.hosts.workerd_edge.startup_ms;
  return result;
}

export function table(result) {
  const rows = [['host', 'compile ms', 'instantiate ms', 'parse connector ms', 'first request waits ms', 'first apply ms', 'startup ms']];
  const names = { workerd_edge: 'workerd (edge)', workerd: 'workerd (in request)' };
  for (const [host, h] of Object.entries(result.hosts)) {
    const name = names[host] ?? host;
    if (h.available === false) {
      rows.push([name, `not available: ${h.reason}`, '', '', '', '', '']);
      continue;
    }
    if (host === 'workerd_edge') {
      rows.push([name, 'n/a', 'at startup', h.parse_ms, h.first_total_ms, h.first_apply_ms, h.startup_ms ?? 'n/a']);
      continue;
    }
    rows.push([name, h.compile_ms ?? 'n/a', h.instantiate_ms, h.parse_ms, h.first_total_ms, h.first_apply_ms, 'n/a']);
  }
  rows.push(['workerd (edge): edge/src/engine.mjs instantiates and warms the engine at module evaluation; "first request waits" = '
    + 'waiting for it + parsing the request\'s connector; "startup" = that module-scope work, done when workerd loads the script '
    + `(on Cloudflare: when the isolate starts; here the engine was ready before the first request was sent in ${result.hosts.workerd_edge?.ready_before_sent} samples). `
    + 'The other rows load the engine when first asked (first request waits = instantiate + parse).']);
  const s = result.size;
  const n = (x) => x.toLocaleString('en-US');
  rows.push([`size: wasm ${n(s.wasm_bytes)} B raw, ${n(s.wasm_gzip_bytes)} B gzip -9, ${n(s.wasm_brotli_bytes)} B brotli `
    + `(code section ${n(s.wasm_code_bytes)} B, data ${n(s.wasm_data_bytes)} B); Emscripten glue ${n(s.glue_bytes)} B `
    + `(${n(s.glue_gzip_bytes)} B gzip); JS wrapper ${n(s.wrapper_bytes)} B`]);
  if (result.hosts.workerd?.compile_ms === null) rows.push(['workerd compiles the module when it loads the script (not per request); compile ms n/a']);
  return rows;
}
