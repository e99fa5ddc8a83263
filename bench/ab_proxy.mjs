// A change to the proxy path, measured against the code before it: the
// edge's modules at a git revision (`--base`, default HEAD) and as they are
// in the working tree run side by side in one workerd, over the same Durable
// Objects, upstream and passthrough worker as the proxy benchmark
// (bench/proxy.mjs). The variants alternate in rounds; the figure is workerd's
// CPU per answered request, the one that decides throughput once workerd's
// event loop saturates (its one thread).
//
//   node bench/ab_proxy.mjs [--base REV] [--base-dist DIR] [--concurrency 1,8] [--rounds 8] [--ms 2500] [--pin]
//
// --pin puts workerd on CPU 1 and this process (load generator, upstream) on
// CPU 0: the round-to-round spread falls from ~±5% to ~±2%, so a change of
// a few µs shows; the absolute figures are then not scripts/bench's.
// Both versions load the module in wasm/dist as it is now, through the
// working tree's wasm/connauth.mjs. A change to the module is measured with
// --base-dist: DIR holds the base's wasm/dist (connauth.mjs and .wasm, built
// at REV and copied aside), which the base loads through REV's
// wasm/connauth.mjs.
// A diagnosis tool, not a test. Without --pin, two identical versions
// differ by a few µs: compare against that spread.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEdge, root, BASE_HOST } from './lib/edge.mjs';
import { startUpstream, connectMember, measured } from './proxy.mjs';
import { workerdPids } from './lib/process_cpu.mjs';
import { interleave, median } from './lib/stats.mjs';

const { values: args } = parseArgs({ options: {
  base: { type: 'string', default: 'HEAD' },
  'base-dist': { type: 'string' },
  concurrency: { type: 'string', default: '1,8' },
  rounds: { type: 'string', default: '8' },
  ms: { type: 'string', default: '2500' },
  pin: { type: 'boolean', default: false },
} });

// The base version of edge/src, in a directory beside it (its imports of
// ../../wasm resolve as edge/src's do); removed at the end. With
// --base-dist, a tree of its own instead (.ab-base-*/edge/src, wasm/,
// build/web/), so that ../../wasm is the base's wrapper and module.
const archive = (paths, into, strip) => execFileSync('sh', ['-c',
  `git -C "${root}" archive "${args.base}" ${paths} | tar -x -C "${into}" --strip-components=${strip}`]);
const baseTree = mkdtempSync(join(root, args['base-dist'] ? '' : 'edge', '.ab-base-'));
let baseEdge = baseTree;
if (args['base-dist']) {
  archive('edge/src wasm/connauth.mjs', baseTree, 0);
  mkdirSync(join(baseTree, 'wasm/dist'), { recursive: true });
  for (const file of ['connauth.mjs', 'connauth.wasm']) copyFileSync(join(args['base-dist'], file), join(baseTree, 'wasm/dist', file));
  mkdirSync(join(baseTree, 'build/web'), { recursive: true });
  copyFileSync(join(root, 'build/web/assets.mjs'), join(baseTree, 'build/web/assets.mjs'));
  baseEdge = join(baseTree, 'edge/src');
} else {
  archive('edge/src', baseTree, 2);
}

let upstream;
let edge;
try {
  upstream = await startUpstream();
  edge = await startEdge({ upstream: `${upstream.origin}/v1/`, baseEdge });
  const { appId, member } = await connectMember(edge, upstream.origin);
  const auth = { authorization: `Bearer ${member}` };
  const pids = workerdPids();
  if (args.pin) {
    for (const pid of pids) execFileSync('taskset', ['-a', '-p', '-c', '1', String(pid)], { stdio: 'ignore' });
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  }
  const targets = {
    change: { path: `/proxy/${appId}/items`, headers: auth },
    base: { path: `/proxy/${appId}/items`, headers: { ...auth, host: BASE_HOST } },
    passthrough: { path: '/pass/items', headers: auth },
  };
  console.log(`base ${args.base} vs the working tree; ${args.rounds} rounds of ${args.ms} ms${args.pin ? ', pinned' : ''}`);
  for (const concurrency of args.concurrency.split(',').map(Number)) {
    const load = (target) => async () => {
      const run = await measured(pids, { origin: edge.origin, ...target, concurrency, durationMs: Number(args.ms) });
      if (run.errors) throw new Error(`${target.path}: ${JSON.stringify(run.statuses)}`);
      return { cpuUs: run.workerdCpuUsPerRequest, rps: run.rps };
    };
    const runs = await interleave(Object.fromEntries(Object.entries(targets).map(([name, t]) => [name, load(t)])), Number(args.rounds));
    const cpu = (name) => median(runs[name].map((r) => r.cpuUs));
    const rps = (name) => median(runs[name].map((r) => r.rps));
    console.log(`concurrency ${concurrency}: workerd CPU µs per request (req/s)`);
    for (const name of Object.keys(targets)) {
      const over = name === 'passthrough' ? '' : `  +${(cpu(name) - cpu('passthrough')).toFixed(1)} over the passthrough`;
      console.log(`  ${name.padEnd(12)} ${cpu(name).toFixed(1).padStart(6)} (${Math.round(rps(name))})${over}`);
    }
    console.log(`  change - base: ${(cpu('change') - cpu('base')).toFixed(1)} µs`);
  }
} finally {
  await edge?.dispose();
  await upstream?.close();
  rmSync(baseTree, { recursive: true, force: true });
}
