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
import http from 'node:http';
import { startProvider } from '../demo/provider.mjs';
import { startDemoApi } from '../demo/api.mjs';
import { completeConsent } from '../demo/consent.mjs';
import { connectAccount } from '../demo/oauth-client.mjs';
import { demoApps, loadConnector } from '../demo/catalog.mjs';
import { startEdge } from './lib/edge.mjs';
import { median, quantile, sig } from './lib/stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const notAvailable = (reason) => ({ available: false, reason });

// A demo_oauth app (SPEC §5) bound to the demo servers. {appId} or {reason}.
async function createApp(edge, provider, api, admin) {
  const put = await edge.api('PUT', '/api/connectors/demo_oauth', { token: admin, json: loadConnector('demo_oauth') });
  if (put.status !== 201) return { reason: `PUT /api/connectors answered ${put.status} ${put.data?.error ?? ''}` };
  const app = { ...demoApps({ providerUrl: provider.issuer, apiUrl: api.url }).demo_oauth, refresh_buffer: 0 };
  const created = await edge.api('POST', '/api/apps', { token: admin, json: app });
  if (created.status !== 201) return { reason: `POST /api/apps answered ${created.status} ${created.text.slice(0, 200)}` };
  return { appId: created.data.id };
}

// Connects `member` to the app through the public API. Answers {} or
// {reason} saying which step the edge does not do (yet).
async function connect(edge, appId, member, login) {
  const begun = await edge.api('POST', `/api/apps/${appId}/connect`, { token: member, json: {} });
  if (begun.status !== 200 || !begun.data?.authorization_url) {
    return { reason: `oauth2 connect is not implemented in the edge: POST /api/apps/{id}/connect answered ${begun.status} ${begun.data?.error ?? ''} ${begun.data?.message ?? ''}`.trim() };
  }
  const redirect = await completeConsent(begun.data.authorization_url, { login });
  const callback = new URL(redirect);
  if (callback.searchParams.get('error')) return { reason: `the provider refused the authorization: ${callback.searchParams.get('error')}` };
  // What the console does with the answer the callback page hands it:
  // completes it with its session and the connect's binding
  // (edge/src/consent_completion.mjs).
  const done = await edge.api('POST', `/api/apps/${appId}/connect/complete`, { token: member,
    json: { state: begun.data.state, callback: callback.search, binding: begun.data.binding } });
  const connection = await edge.api('GET', `/api/apps/${appId}/connection`, { token: member });
  if (connection.data?.status !== 'connected') {
    return { reason: `the OAuth completion did not connect (it answered ${done.status}; connection ${connection.data?.status ?? connection.status})` };
  }
  return {};
}

// N requests at once to `origin` + `path`, each on its own connection.
// Answers the time until all are done and each one's status and latency.
async function storm(origin, path, token, n) {
  const { hostname, port } = new URL(origin);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const start = performance.now();
  const results = await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
    const t = performance.now();
    const req = http.request({ host: hostname, port, path, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      // A failure keeps the start of its body: the wire code says whose it was.
      let body = '';
      res.on('data', (chunk) => {
        if (res.statusCode !== 200 && body.length < 300) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t, ...(res.statusCode === 200 ? {} : { body: body.slice(0, 300) }) }));
    });
    req.on('error', (error) => resolve({ status: `error: ${error.code ?? error.message}`, ms: performance.now() - t }));
    req.end();
  })));
  const allMs = performance.now() - start;
  agent.destroy();
  return { allMs, results };
}

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
