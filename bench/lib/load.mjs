// A closed-loop HTTP load generator: `concurrency` clients, each sending its
// next request as soon as the previous answer's body has arrived, over
// keep-alive connections (one node:http Agent socket per client), for
// `durationMs`. Measures the real server path: TCP to the given origin.
import http from 'node:http';

/**
 * Answers {requests, errors, statuses, seconds, rps, latenciesMs}. Only
 * 2xx answers count as requests; anything else is an error (and counted by
 * status in `statuses`).
 */
export async function runLoad({ origin, path, headers = {}, concurrency, durationMs, method = 'GET' }) {
  const { hostname, port } = new URL(origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latenciesMs = [];
  const statuses = {};
  let errors = 0;
  const one = () => new Promise((resolve) => {
    const start = performance.now();
    const req = http.request({ host: hostname, port, path, method, headers, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        const ms = performance.now() - start;
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode >= 200 && res.statusCode < 300) latenciesMs.push(ms);
        else errors += 1;
        resolve();
      });
    });
    req.on('error', () => {
      errors += 1;
      resolve();
    });
    req.end();
  });
  // Warm the connections first so that connection setup is not measured.
  await Promise.all(Array.from({ length: concurrency }, one));
  latenciesMs.length = 0;
  errors = 0;
  for (const k of Object.keys(statuses)) delete statuses[k];

  const started = performance.now();
  const deadline = started + durationMs;
  const client = async () => {
    while (performance.now() < deadline) await one();
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { requests: latenciesMs.length, errors, statuses, seconds, rps: latenciesMs.length / seconds, latenciesMs };
}
