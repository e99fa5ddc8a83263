// What a proxied request costs workerd in instructions: the edge, the
// passthrough and the hello worker of the proxy benchmark (bench/proxy.mjs,
// same workerd, same upstream), with workerd run under valgrind's callgrind,
// which counts the instructions each thread executes. Unlike CPU time, the
// count hardly depends on what else the machine is doing, so a change of a
// few percent in the proxy's cost shows in one run, where CPU-time figures
// move with the machine's load.
//
//   node bench/count_proxy.mjs [--rounds 3] [--requests 150] [--warm 400] [--client-fields]
//
// Counted: workerd's main thread (its event loop: every worker's JavaScript,
// the runtime's API calls, HTTP), per answered request, over `--requests`
// requests at concurrency 2 after `--warm` requests per variant (so that V8
// has compiled the hot code). The runtime's background threads (concurrent
// compilation and GC) are left out: they add noise, not per-request work.
// The figure per variant is the least of its rounds (a round that met a
// major GC counts more). A diagnosis tool, not part of scripts/bench:
// valgrind slows workerd ~50 times, so a run takes minutes.
import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { startEdge, root } from './lib/edge.mjs';
import { startUpstream, connectMember } from './proxy.mjs';
import { median } from './lib/stats.mjs';

const { values: args } = parseArgs({ options: {
  rounds: { type: 'string', default: '3' },
  requests: { type: 'string', default: '150' },
  warm: { type: 'string', default: '400' },
  // The headers a browser-like client adds, which the proxy forwards (the
  // default sends only the session, as scripts/bench does).
  'client-fields': { type: 'boolean', default: false },
} });

const CLIENT_FIELDS = {
  accept: 'application/json', 'accept-language': 'en-US,en;q=0.9', 'user-agent': 'bench-client/1.0 (linux)',
  'cache-control': 'no-cache', 'x-request-id': '7f0c2a1e-5b7d-4c1e-9a55-3d1f0e8b2c44', 'if-none-match': 'W/"5e1-abc"',
};

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('count_proxy: valgrind is not installed (Debian package valgrind)');
  process.exit(2);
}

// miniflare starts workerd through MINIFLARE_WORKERD_PATH: a script that
// starts it under callgrind, one output file per thread and dump.
const dir = join(root, 'artifacts/callgrind');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const workerd = join(root, 'node_modules/@cloudflare/workerd-linux-64/bin/workerd');
const wrapper = join(dir, 'workerd');
writeFileSync(wrapper, `#!/bin/sh\nexec valgrind --tool=callgrind --smc-check=all-non-file --separate-threads=yes \\
  --cache-sim=no --branch-sim=no --dump-line=no --dump-instr=no --collect-jumps=no \\
  --callgrind-out-file=${dir}/cg.%p.out ${workerd} "$@" 2>>${dir}/valgrind.log\n`);
chmodSync(wrapper, 0o755);
process.env.MINIFLARE_WORKERD_PATH = wrapper;

const upstream = await startUpstream();
// A TTL longer than the run: a reload of the app and credentials (Durable
// Object calls, AES-GCM) inside a measurement would be counted in it.
const edge = await startEdge({ upstream: `${upstream.origin}/v1/`, cacheTtlMs: 60_000 });
try {
  const { appId, member } = await connectMember(edge, upstream.origin);
  const pid = execSync(`pgrep -f 'callgrind.*${workerd}' | head -1`).toString().trim();
  const headers = { authorization: `Bearer ${member}`, ...(args['client-fields'] ? CLIENT_FIELDS : {}) };
  const variants = {
    proxy: `/proxy/${appId}/items`,
    passthrough: '/pass/items',
    hello: '/hello/items',
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const { hostname, port } = new URL(edge.origin);
  const one = (path) => new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
  // n requests, two at a time; a request that fails (valgrind is slow
  // enough for the upstream timeout to fire) is sent again.
  const send = async (path, n) => {
    let left = n;
    const client = async () => {
      while (left > 0) {
        left -= 1;
        try {
          await one(path);
        } catch {
          left += 1;
        }
      }
    };
    await Promise.all([client(), client()]);
  };
  const dumps = () => new Set(readdirSync(dir).filter((f) => f.startsWith(`cg.${pid}.out.`)));
  // Instructions of the main thread since the last dump (callgrind zeroes its
  // counters at each dump; the main thread's file ends in -01).
  const mainThreadInstructions = () => {
    const before = dumps();
    execFileSync('callgrind_control', ['-d', pid], { stdio: 'ignore' });
    for (let i = 0; i < 100; i += 1) {
      const file = [...dumps()].find((f) => !before.has(f) && f.endsWith('-01'));
      if (file) return Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, file), 'utf8'))[1]);
      execSync('sleep 0.1');
    }
    throw new Error('callgrind wrote no dump');
  };

  const rounds = Number(args.rounds);
  const requests = Number(args.requests);
  for (const path of Object.values(variants)) await send(path, Number(args.warm));
  const counts = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 ? Object.keys(variants).reverse() : Object.keys(variants);
    for (const name of order) {
      await send(variants[name], 10);
      mainThreadInstructions();
      await send(variants[name], requests);
      counts[name].push(mainThreadInstructions() / requests);
    }
  }
  const least = (name) => Math.min(...counts[name]);
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  console.log(`workerd main-thread instructions per request (least of ${rounds} rounds of ${requests}; median in parentheses)`);
  for (const name of Object.keys(variants)) {
    console.log(`  ${name.padEnd(12)} ${fmt(least(name)).padStart(11)}  (${fmt(median(counts[name]))})`);
  }
  const added = least('proxy') - least('passthrough');
  console.log(`  proxy - passthrough: ${fmt(added)} (${(100 * added / least('passthrough')).toFixed(1)}%); passthrough/proxy ${(least('passthrough') / least('proxy')).toFixed(3)}`);
} finally {
  await edge.dispose();
  await upstream.close();
}
