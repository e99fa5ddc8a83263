// Where the edge spends its time on a proxied request: a V8 CPU profile of
// the edge worker in workerd (DevTools protocol over miniflare's inspector)
// while a closed loop of requests runs through /proxy, as bench/proxy.mjs
// sets it up. Prints the functions with the most self time and writes the
// profile (open it in Chrome DevTools → Performance, or speedscope).
// With --parts, instead times each part of the request path in a loop
// inside workerd (bench/fixtures/edge_parts_worker.mjs): µs per call.
//
//   node bench/profile_proxy.mjs [--concurrency N] [--seconds S] [--out FILE]
//   node bench/profile_proxy.mjs --parts
//
// A diagnosis tool for the proxy's cost, not a benchmark: profiling slows the worker,
// so only the shares mean something.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import WebSocket from 'ws';
import { Miniflare } from 'miniflare';
import { startEdge, root, compatibilityDate } from './lib/edge.mjs';
import { runLoad } from './lib/load.mjs';
import { startUpstream, connectMember } from './proxy.mjs';

const { values: args } = parseArgs({ options: {
  concurrency: { type: 'string', default: '1' },
  seconds: { type: 'string', default: '5' },
  out: { type: 'string', default: 'artifacts/proxy.cpuprofile' },
  port: { type: 'string', default: '9331' },
  parts: { type: 'boolean', default: false },
} });

if (args.parts) {
  const mf = new Miniflare({ workers: [{
    name: 'parts', modules: true, modulesRoot: root, scriptPath: join(root, 'bench/fixtures/edge_parts_worker.mjs'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }], compatibilityDate,
  }] });
  try {
    // The headers a typical HTTP client sends, plus the caller's session.
    const headers = { accept: '*/*', 'accept-language': '*', 'accept-encoding': 'gzip, deflate', 'user-agent': 'node',
      authorization: 'Bearer a.b.c', 'sec-fetch-mode': 'cors' };
    for (let round = 1; round <= 3; round += 1) {
      const parts = await (await mf.dispatchFetch('http://edge.test/proxy/app/items', { headers })).json();
      console.log(`round ${round}:`);
      for (const [name, us] of Object.entries(parts)) console.log(`  ${String(us).padStart(6)}  ${name === 'request_headers' ? 'request headers forwarded (count)' : `µs  ${name}`}`);
    }
  } finally {
    await mf.dispose();
  }
  process.exit(0);
}

const upstream = await startUpstream();
const inspectorPort = Number(args.port);
const edge = await startEdge({ upstream: `${upstream.origin}/v1/`, inspectorPort });
try {
  const { appId, member } = await connectMember(edge, upstream.origin);
  const target = { origin: edge.origin, path: `/proxy/${appId}/items`, headers: { authorization: `Bearer ${member}` } };
  await runLoad({ ...target, concurrency: 1, durationMs: 1000 }); // warm: JIT and caches

  const ws = new WebSocket(`ws://127.0.0.1:${inspectorPort}/core:user:edge`);
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  let id = 0;
  const pending = new Map();
  ws.on('message', (data) => {
    const message = JSON.parse(data);
    pending.get(message.id)?.(message);
  });
  const send = (method, params = {}) => new Promise((resolve) => {
    pending.set(++id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 100 });
  await send('Profiler.start');
  const load = await runLoad({ ...target, concurrency: Number(args.concurrency), durationMs: Number(args.seconds) * 1000 });
  const { result } = await send('Profiler.stop');
  ws.close();
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify(result.profile));

  const { nodes, samples } = result.profile;
  const self = new Map();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const sample of samples) {
    const { functionName, url, lineNumber } = byId.get(sample).callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const total = samples.length;
  console.log(`${load.requests} requests at concurrency ${args.concurrency}, ${total} samples; profile: ${args.out}`);
  for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${(100 * count / total).toFixed(1).padStart(5)}%  ${key}`);
  }
} finally {
  await edge.dispose();
  await upstream.close();
}
