// The loopback redirect endpoint of `connauth authorize` (RFC 8252 §7.3):
// http://127.0.0.1:PORT/oauth/callback on the IPv4 loopback only. It waits
// for the callback that carries the pending state, lets the caller handle it
// (the engine checks and exchanges it), answers the browser a small page and
// stops listening. Any other request to that address — a page on the
// machine probing the port, a forged callback — is answered and ignored: it
// can neither end the wait nor reach the exchange.
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';

export const CALLBACK_PATH = '/oauth/callback';
export const LOOPBACK_HOST = '127.0.0.1';

export class ListenError extends Error {}

/**
 * Starts listening. `port` 0 lets the OS choose. Resolves to
 * {redirectUri, port, wait(handle, timeoutMs), close()}.
 */
export async function listenForCallback(port = 0) {
  let onCallback = null; // set by wait()
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, `http://${LOOPBACK_HOST}`);
    if (url.pathname !== CALLBACK_PATH || req.method !== 'GET' || !onCallback) {
      // Favicons, probes, a second callback: not the provider's answer.
      page(res, 404, 'Not found', 'This address only receives the answer of the provider.');
      return;
    }
    onCallback(url, res);
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new ListenError(e.code === 'EADDRINUSE'
      ? `port ${port} on ${LOOPBACK_HOST} is in use; choose another with --port, or 0 for any free port`
      : `cannot listen on ${LOOPBACK_HOST}:${port}: ${e.message}`)));
    server.listen(port, LOOPBACK_HOST, resolve);
  });
  const actual = server.address().port;

  const close = () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

  return {
    port: actual,
    redirectUri: `http://${LOOPBACK_HOST}:${actual}${CALLBACK_PATH}`,
    close,
    /**
     * Waits for the callback whose `state` parameter is `state` (one, equal:
     * RFC 6749 §10.12); with no `state` given, the first callback. `handle(query)` resolves to
     * {ok, title, message} for the browser and anything else for the caller.
     * Resolves to handle's result, or {timeout: true}.
     */
    wait(handle, timeoutMs, { state } = {}) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          onCallback = null;
          resolve({ timeout: true });
        }, timeoutMs);
        onCallback = async (url, res) => {
          if (state !== undefined && !sameState(url.searchParams.getAll('state'), state)) {
            page(res, 400, 'connauth: not this sign-in',
              'This answer does not belong to this sign-in (its state differs), so it was ignored. ' +
              'Finish the sign-in that `connauth authorize` opened.');
            return;
          }
          onCallback = null; // single use
          const query = url.search;
          clearTimeout(timer);
          let outcome;
          try {
            outcome = await handle(query);
          } catch (e) {
            outcome = { ok: false, title: 'connauth: failed', message: String(e?.message ?? e), thrown: e };
          }
          page(res, outcome.ok ? 200 : 400, outcome.title, outcome.message, () => resolve(outcome));
        };
      });
    },
  };
}

// One state parameter, equal to the pending one, compared in constant time.
function sameState(given, expected) {
  if (given.length !== 1) return false;
  const a = Buffer.from(given[0]);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, status, title, message, done) {
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">` +
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>` +
    `<p>You can close this window and return to the terminal.</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    // The page shows nothing from anywhere else and must not leak the code.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'referrer-policy': 'no-referrer',
    connection: 'close',
  });
  res.end(body, done);
}
