// Section — soak: proxied requests without pause for ten minutes (--quick:
// twenty seconds) through the edge in workerd, from several connections at
// once, with 1 % of the requests forcing a refresh: before every hundredth
// request one connection's access token is revoked at the provider, so the
// API answers 401 and the edge refreshes (rotating the refresh token) and
// sends the request again (SPEC §2.5). Every answer must be 200 — no 5xx —
// and workerd's resident memory must stay flat: sampled every few seconds,
// its last quarter no more than 10 % above its second quarter (the first is
// warm-up).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { startProvider } from '../demo/provider.mjs';
import { startDemoApi } from '../demo/api.mjs';
import { startEdge } from './lib/edge.mjs';
import { createApp, connect } from './lib/demo_oauth.mjs';
import { median, quantile, sig } from './lib/stats.mjs';

const ORG = 'soak-org';
const FORCED_EVERY = 100;
const RSS_GROWTH_LIMIT = 1.1;

// workerd's resident set in bytes (the one workerd this process started).
function workerdRss() {
  try {
    const pid = execFileSync('pgrep', ['-P', String(process.pid), '-x', 'workerd'], { encoding: 'utf8' }).split('\n')[0];
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

// Revokes the access tokens `login` holds now, as if the provider had
// dropped them: the next request with one gets 401 from the demo API.
async function revokeAccessTokens(provider, login) {
  for (const token of provider.stored('AccessToken')) {
    if (token.accountId !== login) continue;
    const found = await provider.provider.AccessToken.find(token.jti);
    await found?.destroy();
  }
}

function get(agent, origin, path, token) {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    const t = performance.now();
    const req = http.request({ host: hostname, port, path, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t }));
    });
    req.on('error', (error) => resolve({ status: `error: ${error.code ?? error.message}`, ms: performance.now() - t }));
    req.end();
  });
}

export async function run({ quick, log }) {
  const seconds = quick ? 20 : 600;
  const userCount = 8;
  const provider = await startProvider({ accessTokenTTL: 3600 });
  const api = await startDemoApi({ provider });
  const edge = await startEdge();
  const agent = new http.Agent({ keepAlive: true, maxSockets: userCount });
  try {
    const admin = await edge.session(ORG, 'soak-admin', 'admin');
    const app = await createApp(edge, provider, api, admin);
    if (!app.appId) return { available: false, reason: app.reason };
    const path = `/proxy/${app.appId}/contacts`;
    const users = [];
    for (let i = 0; i < userCount; i++) {
      const login = `soak-user-${i}`;
      const token = await edge.session(ORG, login, 'member');
      const connected = await connect(edge, app.appId, token, login);
      if (connected.reason) return { available: false, reason: connected.reason };
      users.push({ login, token });
    }

    const before = provider.counters.refresh_token ?? 0;
    const statuses = {};
    const latencies = [];
    const rss = [];
    let sent = 0;
    let forced = 0;
    const end = Date.now() + seconds * 1000;
    const sampler = setInterval(() => rss.push(workerdRss()), quick ? 1000 : 5000);
    rss.push(workerdRss());
    await Promise.all(users.map(async (user, i) => {
      while (Date.now() < end) {
        if (++sent % FORCED_EVERY === 0) {
          forced++;
          await revokeAccessTokens(provider, users[(i + forced) % userCount].login);
        }
        const r = await get(agent, edge.origin, path, user.token);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        latencies.push(r.ms);
      }
    }));
    clearInterval(sampler);
    rss.push(workerdRss());
    const samples = rss.filter((x) => x !== null);
    const quarter = (k) => median(samples.slice(Math.floor((samples.length * k) / 4), Math.floor((samples.length * (k + 1)) / 4)));
    const growth = samples.length >= 8 ? quarter(3) / quarter(1) : null;
    const errors = Object.entries(statuses).filter(([s]) => !(Number(s) < 500)).reduce((n, [, c]) => n + c, 0);
    log(`soak: ${latencies.length} requests in ${seconds} s, ${forced} forced refreshes, statuses ${JSON.stringify(statuses)}, RSS ${(samples[0] / 2 ** 20).toFixed(0)} → ${(samples.at(-1) / 2 ** 20).toFixed(0)} MiB`);
    return {
      available: true,
      duration_s: seconds,
      connections: userCount,
      requests: latencies.length,
      requests_per_s: sig(latencies.length / seconds),
      forced_refreshes: forced,
      refresh_requests: (provider.counters.refresh_token ?? 0) - before,
      statuses,
      errors_5xx: errors,
      all_ok: statuses[200] === latencies.length,
      p50_ms: sig(median(latencies)),
      p99_ms: sig(quantile(latencies, 0.99)),
      rss_mib: samples.map((b) => sig(b / 2 ** 20)),
      rss_growth: growth === null ? null : sig(growth),
      rss_flat: growth === null ? null : growth <= RSS_GROWTH_LIMIT,
    };
  } finally {
    agent.destroy();
    await edge.dispose();
    await api.stop();
    await provider.stop();
  }
}

export function table(result) {
  if (!result.available) return [['soak', `not available: ${result.reason}`]];
  return [
    ['duration s', 'requests', 'req/s', 'forced refreshes', 'refresh requests', 'statuses', 'p50 ms', 'p99 ms', 'workerd RSS MiB (first → last)', 'RSS last/second quarter'],
    [result.duration_s, result.requests, result.requests_per_s, result.forced_refreshes, result.refresh_requests, JSON.stringify(result.statuses),
      result.p50_ms, result.p99_ms, `${result.rss_mib[0]} → ${result.rss_mib.at(-1)}`, result.rss_growth ?? 'n/a'],
  ];
}
