// Which headers cross the proxy (SPEC §7). Hop-by-hop headers belong to one
// connection and are never forwarded (RFC 9110 §7.6.1: Connection and every
// header it names, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding,
// Upgrade). The caller's own credentials (Authorization, Cookie) are for this
// service, not the upstream; the connector applies the upstream's.

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-connection']);

// Request headers the proxy drops besides hop-by-hop ones: the caller's
// credentials; what the runtime sets itself (host, content-length, the
// encoding it negotiates); and what would tell the upstream about the caller
// or this service (client address headers, the console's origin/referer).
const REQUEST_DROPPED = new Set(['authorization', 'cookie', 'host', 'content-length', 'accept-encoding',
  'forwarded', 'x-real-ip', 'true-client-ip', 'cdn-loop', 'origin', 'referer']);
const REQUEST_DROPPED_PREFIXES = ['proxy-', 'cf-', 'x-forwarded-', 'sec-fetch-'];

// Response headers the proxy drops besides hop-by-hop ones: the upstream's
// cookies must not be set on this service's origin.
const RESPONSE_DROPPED = new Set(['set-cookie', 'set-cookie2']);

// The field names a Connection header value lists (RFC 9110 §7.6.1).
function connectionNamed(value) {
  const named = new Set();
  if (!value) return named;
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name) named.add(name);
  }
  return named;
}

function hopByHop(name, named) {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-') || named.has(name);
}

// Why the request path reads a Headers object once: in workerd every call
// into a Headers object is a call into the runtime, and the cost is in the
// calls, not in the JavaScript around them. A walk (forEach, about half the
// cost of iterating [name, value] entries, which allocates an array per
// header) costs ~2.5 µs for a typical request, a get() ~0.6 µs, `new
// Headers(record)` ~1 µs per field (issue 6, measured in workerd with
// bench/profile_proxy.mjs --parts). The router, the session check and the
// proxy all read the one record made here.

/**
 * A request's header fields, read in one walk: {fields, size}. `fields` is
 * a record {name: value} with no prototype (a header may be named
 * `__proto__`); names come lowercased and a repeated field comes combined
 * (a request's Headers yields each name once), so nothing is lost. `size`
 * is what limits.checkHeaderSize bounds: names and values with 4 bytes each
 * for ": " and CRLF, a stand-in for the header block's size.
 */
export function readRequestHead(headers) {
  const fields = Object.create(null);
  let size = 0;
  headers.forEach((value, name) => {
    fields[name] = value;
    size += name.length + value.length + 4;
  });
  return { fields, size };
}

/**
 * The caller's fields (readRequestHead) that go upstream, as a new record
 * with no prototype: fetch() takes it as it is (converting a record once
 * inside fetch costs less than building a Headers object that fetch then
 * copies again).
 */
export function upstreamRequestHeaders(fields) {
  const named = connectionNamed(fields.connection);
  const out = Object.create(null);
  for (const name in fields) {
    if (hopByHop(name, named) || REQUEST_DROPPED.has(name) || REQUEST_DROPPED_PREFIXES.some((p) => name.startsWith(p))) continue;
    out[name] = fields[name];
  }
  return out;
}

// The hop-by-hop fields workerd writes itself: it never copies a Response's
// own Connection, Keep-Alive, TE, Trailer, Transfer-Encoding or Upgrade onto
// the wire (tests/edge/proxy.test.mjs checks the caller's side of the
// socket). HTTP/1.1 servers send "Connection: keep-alive" and a Keep-Alive
// field with nearly every response; dropping them here would change nothing
// the caller sees and would cost a copy of the headers and a new Response
// (~15 µs of workerd CPU per request, issue 6).
const RUNTIME_WRITES = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * The upstream response's headers that go back to the caller: `headers`
 * itself when nothing must be dropped besides what the runtime drops itself
 * (the usual case: the proxy then answers the upstream's Response as it is),
 * else a copy without any hop-by-hop field, proxy-* field or cookie. One walk.
 */
export function callerResponseHeaders(headers) {
  let connection = '';
  let dropped = null;
  let names = null;
  headers.forEach((value, name) => { // names come lowercased
    if (name === 'connection') connection = value;
    if (name.startsWith('proxy-') || RESPONSE_DROPPED.has(name)) (dropped ??= []).push(name);
    else (names ??= []).push(name);
  });
  // The fields Connection names are known only once it has been read.
  const named = connectionNamed(connection);
  if (names && named.size) for (const name of names) if (named.has(name) && !RUNTIME_WRITES.has(name)) (dropped ??= []).push(name);
  if (!dropped) return headers;
  const out = new Headers(headers);
  for (const name of dropped) out.delete(name);
  if (names) for (const name of names) if (RUNTIME_WRITES.has(name) || named.has(name)) out.delete(name);
  return out;
}
