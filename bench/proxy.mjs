// Section 1 — proxy throughput and added latency in workerd.
//
// One workerd (miniflare) serves these workers on its real HTTP port:
//   proxy        GET /proxy/{app}/items through the edge: session check
//                (verified tokens cached per isolate), the app and the
//                caller's credentials from the isolate's cache
//                (edge/src/proxy_cache.mjs; the Durable Objects on a miss,
//                at most every PROXY_CACHE_TTL_MS = 5 s), engine.apply
//                (api_key connector, key in a header), egress check, fetch,
//                engine.classify, streamed answer;
//   proxy, cache off  the same edge with PROXY_CACHE_TTL_MS=0 (Host
//                nocache.bench): OrgStore.appForUse + ConnectionStore
//                .getCredentials (Durable Objects, AES-GCM open) on every
//                request, as before the cache;
//   passthrough  GET /pass/items: forwards to the same upstream, no auth work
//                (the physical limit);
//   hello        GET /hello/items: answers at once (the HTTP layer's ceiling,
//                no upstream).
// The upstream is a Node HTTP server on 127.0.0.1 in its own worker thread,
// answering at once (the edge's own cost is all there is to see) and, in the
// full run, also after 20 ms (a provider's typical latency: what a caller
// sees in practice).
// Load comes from Node's http client over keep-alive connections. The
// variants alternate in rounds (proxy, pass, proxy with the cache off,
// hello, then reversed); the figures are medians over rounds, and the
// ratio is taken per round.
import { Worker } from 'node:worker_threads';
import { startEdge, expectStatus, NO_CACHE_HOST } from './lib/edge.mjs';
import { runLoad } from './lib/load.mjs';
import { workerdPids, cpuMs } from './lib/process_cpu.mjs';
import { interleave, median, quantile, ratioMedian, sig } from './lib/stats.mjs';

export function startUpstream() {
  const worker = new Worker(new URL('./fixtures/upstream_server.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    worker.once('message', ({ port }) => resolve({
      origin: `http://127.0.0.1:${port}`,
      close: () => new Promise((r) => {
        worker.once('exit', r);
        worker.postMessage('close');
      }),
    }));
    worker.once('error', reject);
  });
}

// An api_key connector whose base_uri is the local upstream, an app allowing
// exactly that host, and one member connected with a key: a cached credential.
export async function connectMember(edge, upstreamOrigin) {
  const admin = await edge.session('bench-org', 'admin', 'admin');
  const member = await edge.session('bench-org', 'member-1', 'member');
  const connector = {
    name: 'bench_api_key',
    title: 'Bench upstream',
    connection: {
      fields: [{ name: 'api_key', label: 'API key', secret: true }],
      base_uri: `${upstreamOrigin}/v1/`,
    },
    authorization: {
      type: 'api_key',
      apply: [{ headers: { 'X-Api-Key': '{{connection.api_key}}' } }],
      refresh_on: [401],
    },
  };
  expectStatus(await edge.api('PUT', '/api/connectors/bench_api_key', { token: admin, json: connector }), 201, 'put connector');
  const app = expectStatus(await edge.api('POST', '/api/apps', {
    token: admin,
    json: { name: 'Bench', prompt: 'Connect', connector: 'bench_api_key', egress: [new URL(upstreamOrigin).host] },
  }), 201, 'create app');
  expectStatus(await edge.api('POST', `/api/apps/${app.id}/connect`, {
    token: member, json: { fields: { api_key: 'bench-key-0123456789' } },
  }), 200, 'connect');
  const check = await edge.api('GET', `/proxy/${app.id}/items`, { token: member });
  expectStatus(check, 200, 'first proxied request');
  const uncached = await runLoad({
    origin: edge.origin, path: `/proxy/${app.id}/items`, headers: { authorization: `Bearer ${member}`, host: NO_CACHE_HOST },
    concurrency: 1, durationMs: 1,
  });
  if (uncached.errors || !uncached.statuses[200]) throw new Error(`proxy with the cache off: ${JSON.stringify(uncached.statuses)}`);
  return { appId: app.id, member };
}

function summarize(runs) {
  const all = runs.flatMap((r) => r.latenciesMs);
  const cpu = runs.map((r) => r.workerdCpuUsPerRequest).filter((us) => us !== null);
  return {
    workerd_cpu_us: cpu.length ? sig(median(cpu)) : null,
    rps: sig(median(runs.map((r) => r.rps))),
    p50_ms: sig(median(runs.map((r) => quantile(r.latenciesMs, 0.5)))),
    p99_ms: sig(median(runs.map((r) => quantile(r.latenciesMs, 0.99)))),
    p99_all_ms: sig(quantile(all, 0.99)),
    requests: runs.reduce((n, r) => n + r.requests, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    rps_per_round: runs.map((r) => sig(r.rps)),
  };
}

// runLoad, with the CPU time workerd used during it per answered request
// (µs; null where /proc cannot tell): the edge's own cost, whatever the
// load generator and the upstream took of the machine meanwhile.
export async function measured(pids, options) {
  const before = cpuMs(pids);
  const load = await runLoad(options);
  const after = cpuMs(pids);
  load.workerdCpuUsPerRequest = before === null || after === null || !load.requests ? null : ((after - before) * 1000) / load.requests;
  return load;
}

// The four variants' requests ({path, headers} for runLoad).
function targetsFor(appId, headers, query) {
  return {
    proxy: { path: `/proxy/${appId}/items${query}`, headers },
    proxy_nocache: { path: `/proxy/${appId}/items${query}`, headers: { ...headers, host: NO_CACHE_HOST } },
    passthrough: { path: `/pass/items${query}`, headers },
    hello: { path: `/hello/items${query}`, headers },
  };
}

// Before any round, every variant serves requests for WARM_UP_MS at c = 8,
// unmeasured, so that the rounds compare the steady state a serving
// isolate is in: V8 compiles a function with its optimizing tiers only
// after it has run many times (TurboFan for JavaScript; for WebAssembly
// after a budget of executed code, and the engine's entry points run once
// per request). Without it the first level measured (c = 1) would take the
// proxy's warm-up, its req/s rising from round to round while the
// passthrough's, a few lines of JavaScript, stays flat; the engine's entry
// points reach the optimizing tier only after thousands of requests. A
// first request's cost is the cold-start section's figure.
const WARM_UP_MS = 12_000;

async function warmUp(origin, targets, ms, log) {
  log(`proxy: warm-up, ${ms} ms per variant at concurrency 8 (not measured)`);
  for (const [name, target] of Object.entries(targets)) {
    const load = await runLoad({ origin, ...target, concurrency: 8, durationMs: ms });
    if (load.errors || !load.requests) throw new Error(`warm-up of ${name}: ${JSON.stringify(load.statuses)}`);
  }
}

// `levels`, `rounds`, `durationMs` and `warmUpMs` override the defaults (for one-off
// experiments; scripts/bench uses the defaults).
export async function run({ quick, log, ...overrides }) {
  // Ten short rounds rather than four long ones, in the same time: the
  // machine drifts over seconds (which core each process lands on), and the
  // ratio is taken per round between neighbours in time.
  const rounds = overrides.rounds ?? (quick ? 2 : 10);
  const durationMs = overrides.durationMs ?? (quick ? 1000 : 1200);
  const warmUpMs = overrides.warmUpMs ?? (quick ? 300 : WARM_UP_MS);
  const levels = overrides.levels ?? (quick ? [{ concurrency: 1 }, { concurrency: 16 }]
    : [{ concurrency: 1 }, { concurrency: 8 }, { concurrency: 32 }, { concurrency: 32, delayMs: 20 }]);
  const upstream = await startUpstream();
  const edge = await startEdge({ upstream: `${upstream.origin}/v1/` });
  try {
    const { appId, member } = await connectMember(edge, upstream.origin);
    const headers = { authorization: `Bearer ${member}` };
    const pids = workerdPids();
    await warmUp(edge.origin, targetsFor(appId, headers, ''), warmUpMs, log);
    const results = [];
    for (const { concurrency, delayMs = 0 } of levels) {
      const query = delayMs ? `?delay=${delayMs}` : '';
      const targets = targetsFor(appId, headers, query);
      log(`proxy: concurrency ${concurrency}, upstream delay ${delayMs} ms, ${rounds} rounds of ${durationMs} ms per variant`);
      const load = (name) => () => measured(pids, { origin: edge.origin, ...targets[name], concurrency, durationMs });
      // The proxy and the passthrough next to each other in every round
      // (proxy, passthrough, …, then … passthrough, proxy): the ratio the
      // goal is about is taken between neighbours in time.
      const runs = await interleave({
        proxy: load('proxy'), passthrough: load('passthrough'), proxy_nocache: load('proxy_nocache'), hello: load('hello'),
      }, rounds);
      const proxy = summarize(runs.proxy);
      const proxyNoCache = summarize(runs.proxy_nocache);
      const passthrough = summarize(runs.passthrough);
      const hello = summarize(runs.hello);
      results.push({
        concurrency,
        upstream_delay_ms: delayMs,
        proxy,
        proxy_nocache: proxyNoCache,
        passthrough,
        hello,
        ratio_rps: sig(ratioMedian(runs.proxy.map((r) => r.rps), runs.passthrough.map((r) => r.rps))),
        ratio_rps_nocache: sig(ratioMedian(runs.proxy_nocache.map((r) => r.rps), runs.passthrough.map((r) => r.rps))),
        added_workerd_cpu_us: proxy.workerd_cpu_us !== null && passthrough.workerd_cpu_us !== null
          ? sig(proxy.workerd_cpu_us - passthrough.workerd_cpu_us) : null,
        added_p50_ms: sig(median(runs.proxy.map((r, i) => quantile(r.latenciesMs, 0.5) - quantile(runs.passthrough[i].latenciesMs, 0.5)))),
        passthrough_vs_hello_rps: sig(ratioMedian(runs.passthrough.map((r) => r.rps), runs.hello.map((r) => r.rps))),
      });
    }
    const instant = results.filter((l) => !l.upstream_delay_ms);
    return {
      available: true,
      setup: {
        connector: 'api_key, one header rule, refresh_on [401]',
        upstream: 'node:http on 127.0.0.1 (worker thread), 27-byte JSON answer',
        client: 'node:http keep-alive agent, closed loop',
        rounds, duration_ms: durationMs, warm_up_ms_per_variant: warmUpMs,
      },
      levels: results,
      ratio_rps: Math.min(...instant.map((l) => l.ratio_rps)),
    };
  } finally {
    await edge.dispose();
    await upstream.close();
  }
}

export function table(result) {
  if (!result.available) return [['proxy', `not available: ${result.reason}`]];
  const rows = [['concurrency', 'variant', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'workerd CPU µs/req', 'proxy/pass']];
  const cpu = (v) => v.workerd_cpu_us ?? 'n/a';
  for (const l of result.levels) {
    const level = l.upstream_delay_ms ? `${l.concurrency}, upstream +${l.upstream_delay_ms} ms` : l.concurrency;
    rows.push([level, 'proxy (auth)', l.proxy.rps, l.proxy.p50_ms, l.proxy.p99_ms, l.proxy.errors, cpu(l.proxy), l.ratio_rps]);
    rows.push(['', 'proxy, cache off', l.proxy_nocache.rps, l.proxy_nocache.p50_ms, l.proxy_nocache.p99_ms, l.proxy_nocache.errors, cpu(l.proxy_nocache), l.ratio_rps_nocache]);
    rows.push(['', 'passthrough', l.passthrough.rps, l.passthrough.p50_ms, l.passthrough.p99_ms, l.passthrough.errors, cpu(l.passthrough), '']);
    rows.push(['', 'hello (no upstream)', l.hello.rps, l.hello.p50_ms, l.hello.p99_ms, l.hello.errors, cpu(l.hello), '']);
  }
  rows.push(['proxy = /proxy with an api_key connection (session check, app and credentials from the isolate\'s cache, engine apply + classify);'
    + ' cache off = the same with PROXY_CACHE_TTL_MS=0 (two Durable Object calls and AES-GCM per request);'
    + ' passthrough = the same upstream with no auth work; hello = answers at once (the HTTP layer\'s ceiling).'
    + ' workerd CPU = the CPU time of the workerd process per answered request (all its threads; not shared with the load generator or the upstream).'
    + ` Medians of ${result.setup.rounds} alternating rounds of ${result.setup.duration_ms} ms.`]);
  return rows;
}
