// The native comparison: bench/native/engine_bench.cpp compiled with g++ -O2
// against the core library of the native build (build/native, made by
// `scripts/build native`) and Google Benchmark (libbenchmark-dev). Built once
// into build/bench/ and rebuilt when its source or the library is newer.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './edge.mjs';

const SOURCE = join(root, 'bench/native/engine_bench.cpp');
const LIBRARY = join(root, 'build/native/libconnauth_core.a');
const OUT_DIR = join(root, 'build/bench');
const BINARY = join(OUT_DIR, 'engine_bench');

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

/** The benchmark binary's path, or {reason} when it cannot be built here. */
export function nativeBench() {
  if (!existsSync(LIBRARY)) return { reason: 'build/native/libconnauth_core.a is missing (run scripts/build native)' };
  if (mtime(BINARY) > Math.max(mtime(SOURCE), mtime(LIBRARY))) return { binary: BINARY };
  mkdirSync(OUT_DIR, { recursive: true });
  try {
    const re2 = execFileSync('pkg-config', ['--cflags', '--libs', 're2'], { encoding: 'utf8' }).trim().split(/\s+/);
    execFileSync('g++', ['-O2', '-g', '-std=c++17', `-I${join(root, 'wasm/core')}`, SOURCE, LIBRARY, ...re2,
      '-lbenchmark', '-lpthread', '-o', BINARY], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { binary: BINARY };
  } catch (error) {
    return { reason: `could not build the native benchmark: ${String(error.stderr ?? error.message).split('\n')[0]}` };
  }
}

/**
 * Runs the native benchmark on `cases` ([{name, kind, connector, context,
 * input}]) -> {"<case>/<text|core|parse>": cpu ns per call} or {reason}.
 */
export function runNative(cases, { minTime = 0.2, repetitions = 3 } = {}) {
  const bench = nativeBench();
  if (!bench.binary) return { reason: bench.reason };
  const file = join(OUT_DIR, 'cases.json');
  writeFileSync(file, JSON.stringify(cases));
  const out = execFileSync(bench.binary, [file, `--benchmark_min_time=${minTime}`,
    `--benchmark_repetitions=${repetitions}`, `--benchmark_report_aggregates_only=${repetitions > 1}`,
    '--benchmark_format=json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const results = {};
  for (const b of JSON.parse(out).benchmarks) {
    // With repetitions, the median aggregate; with one run, the run itself.
    if (repetitions > 1 ? b.aggregate_name !== 'median' : b.run_type !== 'iteration') continue;
    results[b.run_name] = b.cpu_time * { ns: 1, us: 1e3, ms: 1e6 }[b.time_unit];
  }
  return { ns: results };
}

/**
 * Instructions per call of one case's `path` ('text' or 'bound'; valgrind
 * --tool=callgrind: repeatable on a busy machine): (I(n) - I(0)) / n.
 * {instructions} or {reason}.
 */
export function callgrindInstructions(cases, name, n = 200, path = 'text') {
  const bench = nativeBench();
  if (!bench.binary) return { reason: bench.reason };
  const file = join(OUT_DIR, `callgrind-${name}.json`);
  writeFileSync(file, JSON.stringify(cases));
  const refs = (reps) => {
    const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', bench.binary, file,
      '--repeat', name, String(reps), path], { encoding: 'utf8' });
    const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr ?? '');
    return m ? Number(m[1].replace(/,/g, '')) : NaN;
  };
  const base = refs(0);
  const loaded = refs(n);
  if (!Number.isFinite(base) || !Number.isFinite(loaded)) return { reason: 'valgrind did not report instruction counts' };
  return { instructions: Math.round((loaded - base) / n) };
}
