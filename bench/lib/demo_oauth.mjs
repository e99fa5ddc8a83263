// The demo OAuth app as the benchmarks drive it through the edge's public
// API: an app of the demo_oauth connector bound to the demo provider and API,
// a user connected through the provider's consent pages, and N proxied
// requests at once (bench/refresh_storm.mjs, bench/crash.mjs).
import http from 'node:http';
import { completeConsent } from '../../demo/consent.mjs';
import { demoApps, loadConnector } from '../../demo/catalog.mjs';

// A demo_oauth app (SPEC §5) bound to the demo servers. {appId} or {reason}.
export async function createApp(edge, provider, api, admin) {
  const put = await edge.api('PUT', '/api/connectors/demo_oauth', { token: admin, json: loadConnector('demo_oauth') });
  if (put.status !== 201) return { reason: `PUT /api/connectors answered ${put.status} ${put.data?.error ?? ''}` };
  const app = { ...demoApps({ providerUrl: provider.issuer, apiUrl: api.url }).demo_oauth, refresh_buffer: 0 };
  const created = await edge.api('POST', '/api/apps', { token: admin, json: app });
  if (created.status !== 201) return { reason: `POST /api/apps answered ${created.status} ${created.text.slice(0, 200)}` };
  return { appId: created.data.id };
}

// Connects `member` to the app through the public API. Answers {} or
// {reason} saying which step failed.
export async function connect(edge, appId, member, login) {
  const begun = await edge.api('POST', `/api/apps/${appId}/connect`, { token: member, json: {} });
  if (begun.status !== 200 || !begun.data?.authorization_url) {
    return { reason: `the connect did not begin: POST /api/apps/{id}/connect answered ${begun.status} ${begun.data?.error ?? ''} ${begun.data?.message ?? ''}`.trim() };
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
    return { reason: `the OAuth completion did not connect (it answered ${done.status} ${done.data?.error ?? ''}: ${done.data?.message ?? ''} ${done.data?.lost?.detail ?? ''}; connection ${connection.data?.status ?? connection.status})` };
  }
  return {};
}

// N requests at once to `origin` + `path`, each on its own connection.
// Answers the time until all are done and each one's status and latency.
export async function storm(origin, path, token, n) {
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

