// A loopback HTTP server that can be stopped and started again on the same
// port. Tests use the restart to play a provider outage and its recovery:
// while stopped, clients get ECONNREFUSED, exactly as from a host that is down.
import http from 'node:http';

export const LOOPBACK = '127.0.0.1';

// handler: (req, res) => void. Resolves once listening; port 0 = any free port,
// and every later start() reuses the port the first start got.
export async function serve(handler, { host = LOOPBACK, port = 0 } = {}) {
  let server = null;
  const handle = {
    host,
    port,
    get url() { return `http://${host}:${handle.port}`; },
    get running() { return server !== null; },
    async start() {
      if (server) return handle;
      const next = http.createServer(handler);
      // Keep-alive sockets from fetch() would keep a stopped server reachable
      // and keep the test process alive; a short timeout limits both.
      next.keepAliveTimeout = 1000;
      await new Promise((resolve, reject) => {
        next.once('error', reject);
        next.listen(handle.port, host, () => { next.off('error', reject); resolve(); });
      });
      handle.port = next.address().port;
      server = next;
      return handle;
    },
    // Closes the listener and every open socket at once (in-flight requests
    // included): an outage, not a graceful drain.
    async stop() {
      if (!server) return;
      const closing = server;
      server = null;
      const closed = new Promise((resolve) => closing.close(() => resolve()));
      closing.closeAllConnections();
      // The listener is closed at once; the callback waits for the last
      // socket to be released. It is not waited for beyond a second: a
      // socket node never reports closed must not hold a test run.
      let timer;
      await Promise.race([closed, new Promise((resolve) => { timer = setTimeout(resolve, 1000); timer.unref(); })]);
      clearTimeout(timer);
    },
  };
  return handle.start();
}

// Reads a request body as text, refusing anything over `limit` bytes.
export async function readBody(req, limit = 1024 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res, status, value, headers = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}
