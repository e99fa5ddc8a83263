// Section 4 — refresh storm: N concurrent proxied requests arriving with an
// expired access token. SPEC §3: refresh is single-flight per connection, so
// every storm must cause exactly one token request; the figure of interest
// is the time until all N have their answer.
//
// Everything is real and on loopback: the demo OAuth provider (oidc-provider,
// demo/provider.mjs, counting token requests by grant type), the demo API
// (demo/api.mjs, which checks each token by introspection), and the edge in
// workerd reached on its HTTP port. Each storm has its own user, connected
// through the public API as a user would: POST /api/apps/{id}/connect, the
// provider's login and consent pages (demo/consent.mjs), and the console's
// POST /api/apps/{id}/connect/complete with that answer. Access tokens live `ttl` seconds and the app's
// refresh_buffer is 0: once `ttl` has passed since the connects, every
// stored token is expired, and the storms run one after the other, each
// sending N requests at once (one TCP connection each). `ttl` is longer than
// a storm lasts, so a refreshed token cannot expire during its storm (a
// storm that outlasts it is flagged).
//
// The demo API checks every token by introspection at the provider, which
// is slow; so that the figure can be read, the same N requests are also
// sent straight to the demo API with a valid token (`direct`): the upstream
// alone, side by side with the storm.
import { startProvider } from '../demo/provider.mjs';
import { startDemoApi } from '../demo/api.mjs';
import { connectAccount } from '../demo/oauth-client.mjs';
import { startEdge } from './lib/edge.mjs';
import { createApp, connect, storm } from './lib/demo_oauth.mjs';
import { median, quantile, sig } from './lib/stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const notAvailable = (reason) => ({ available: false, reason });

export async function run({ quick, log }) {
  const sizes = quick ? [10, 100] : [10, 100, 1000];
  const ttl = quick ? 20 : 90;
  const provider = await startProvider({ accessTokenTTL: ttl });
  const api = await startDemoApi({ provider });
  const edge = await startEdge();
  try {
    const admin = await edge.session('storm-org', 'storm-admin', 'admin');
    const app = await createApp(edge, provider, api, admin);
    if (!app.appId) return notAvailable(app.reason);
    const path = `/proxy/${app.appId}/contacts`;
    const users = [];
    for (const n of sizes) {
      const login = `storm-user-${n}`;
      const token = await edge.session('storm-org', login, 'member');
      const connected = await connect(edge, app.appId, token, login);
      if (connected.reason) return notAvailable(connected.reason);
      const warm = await edge.api('GET', path, { token });
      if (warm.status !== 200) return notAvailable(`a proxied request with a fresh token answered ${warm.status} ${warm.data?.error ?? ''}`);
      const view = await edge.api('GET', `/api/apps/${app.appId}/connection`, { token });
      users.push({ n, token, expiresAt: view.data?.expires_at ?? Math.floor(Date.now() / 1000) + ttl });
    }

    const rows = [];
    for (const { n, token, expiresAt } of users) {
      const waitMs = Math.max(0, (expiresAt + 1) * 1000 - Date.now());
      if (waitMs > 0) log(`refresh storm: waiting ${(waitMs / 1000).toFixed(1)} s for the access tokens to expire`);
      await sleep(waitMs);
      const before = { ...provider.counters };
      const s = await storm(edge.origin, path, token, n);
      // Counted now, before the direct run takes its own token.
      const after = { ...provider.counters };
      const delta = (grant) => (after[grant] ?? 0) - (before[grant] ?? 0);
      const statuses = {};
      for (const r of s.results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      const latencies = s.results.map((r) => r.ms);
      // The upstream alone: the same N requests straight to the demo API with
      // a valid token (same scopes, same introspection), taken now: one taken
      // before the wait would have expired with the others.
      const direct = await connectAccount(provider, { login: `storm-direct-${n}`, scope: 'openid offline_access contacts:read' });
      const upstreamOnly = await storm(api.url, '/api/contacts', direct.access_token, n);
      rows.push({
        n,
        token_requests: delta('refresh_token') + delta('authorization_code') + delta('client_credentials'),
        refresh_token_requests: delta('refresh_token'),
        ok: s.results.filter((r) => r.status === 200).length,
        statuses,
        all_done_ms: sig(s.allMs),
        p50_ms: sig(median(latencies)),
        p99_ms: sig(quantile(latencies, 0.99)),
        direct_all_done_ms: sig(upstreamOnly.allMs),
        direct_ok: upstreamOnly.results.filter((r) => r.status === 200).length,
        first_failure: s.results.find((r) => r.status !== 200)?.body ?? null,
        direct_first_failure: upstreamOnly.results.find((r) => r.status !== 200) ?? null,
        outlasted_token: s.allMs > ttl * 1000,
      });
      log(`refresh storm: N=${n}: ${rows.at(-1).token_requests} token request(s), all done in ${s.allMs.toFixed(0)} ms (upstream alone ${upstreamOnly.allMs.toFixed(0)} ms)`);
    }
    return {
      available: true,
      access_token_ttl_s: ttl,
      upstream: 'demo API (introspects every token at the demo provider)',
      storms: rows,
      exactly_one_token_request: rows.every((r) => r.token_requests === 1),
    };
  } finally {
    await edge.dispose();
    await api.stop();
    await provider.stop();
  }
}

export function table(result) {
  if (!result.available) return [['refresh storm', `not available: ${result.reason}`]];
  const rows = [['N', 'token requests', '200 answers', 'all done ms', 'p50 ms', 'p99 ms', 'upstream alone ms (200 answers)']];
  for (const r of result.storms) {
    rows.push([r.n, r.token_requests, `${r.ok}/${r.n}`, r.all_done_ms, r.p50_ms, r.p99_ms,
      `${r.direct_all_done_ms} (${r.direct_ok}/${r.n})${r.outlasted_token ? ' (storm outlasted the token)' : ''}`]);
  }
  for (const r of result.storms) {
    if (r.first_failure) rows.push([`N=${r.n}: the first answer that was not 200: ${r.first_failure}`]);
  }
  return rows;
}
