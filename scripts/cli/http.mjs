// Sends a request the engine built ({method, url, headers, body}) and turns
// the answer into what the engine reads: {status, headers, body}, or
// {network_error} when no response came (refused, reset, timeout, DNS). The
// engine decides what either means (provider_unavailable, refresh, ...);
// this file only does the I/O.

/** Per-request time limit, in milliseconds (default 30 s). */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Redirects are not followed: a token endpoint or API that redirects is
 * reported as it answered (the engine sees the 3xx), and credentials never
 * travel to a host the engine did not build the request for.
 * @returns {Promise<{status:number, headers:[string,string][], body:string} | {network_error:string}>}
 */
export async function send(request, { timeoutMs = REQUEST_TIMEOUT_MS, fetchImpl = globalThis.fetch } = {}) {
  const method = (request.method ?? 'GET').toUpperCase();
  const init = {
    method,
    headers: headerPairs(request.headers),
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  };
  if (request.body !== undefined && request.body !== '' && method !== 'GET' && method !== 'HEAD') init.body = request.body;
  try {
    const res = await fetchImpl(request.url, init);
    const body = await res.text();
    return { status: res.status, headers: [...res.headers], body };
  } catch (e) {
    return { network_error: describeNetworkError(e, request.url, timeoutMs) };
  }
}

function headerPairs(headers) {
  if (!headers) return [];
  return Array.isArray(headers) ? headers : Object.entries(headers);
}

// What happened, in words a connector author can act on; never the request
// itself (it may carry credentials).
function describeNetworkError(e, url, timeoutMs) {
  let origin = '';
  try { origin = new URL(url).origin; } catch { origin = 'the URL'; }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `${origin} did not answer within ${timeoutMs / 1000} s`;
  const code = e?.cause?.code ?? e?.code;
  const reason = code ?? e?.cause?.message ?? e?.message ?? String(e);
  return `${origin} could not be reached (${reason})`;
}
