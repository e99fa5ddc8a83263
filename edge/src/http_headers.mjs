// Which headers cross the proxy (SPEC §7). Hop-by-hop headers belong to one
// connection and are never forwarded (RFC 9110 §7.6.1: Connection and every
// header it names, Keep-Alive, Proxy-Connection, TE, Trailer,
// Transfer-Encoding, Upgrade; on the way up also every Proxy-* field). The
// caller's own credentials (Authorization, Cookie) are for this
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

// What of the upstream's response reaches the caller: response_headers.mjs.
const NONE = new Set();

/**
 * The field names a Connection header value lists (RFC 9110 §7.6.1). The
 * usual values name no field beyond the hop-by-hop ones: no Set for them.
 */
export function connectionNamed(value) {
  if (!value || value === 'keep-alive' || value === 'close') return NONE;
  const named = new Set();
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name) named.add(name);
  }
  return named;
}

// Why the proxy reads and writes headers the way it does: in workerd each
// call into a Headers object is a call into the runtime, and what a request
// costs is mostly those calls. So the request's fields are walked once
// (the router, the session check and the proxy read that one record); the
// forwarded headers go to fetch() as an ordinary record (one conversion); the response's are asked for by name (the few
// that matter), never walked.

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
 * The headers that go upstream, as a record {name: value} for fetch(): the
 * caller's fields (readRequestHead) that may, then `set` ([[name,
 * value]...], the engine's) each replacing any same-named one,
 * case-insensitively, with the engine's spelling of the name. Throws a
 * TypeError, as Headers does, for a value a header cannot carry.
 *
 * A record rather than a Headers object: fetch() converts it in one call,
 * where a Headers object costs a call per field, a wrapped runtime object
 * for the garbage collector and a copy inside fetch().
 */
export function upstreamRequestHeaders(fields, set = []) {
  const named = connectionNamed(fields.connection);
  const out = {};
  const names = Object.keys(fields);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (!dropsOnTheWayUp(name) && !named.has(name)) put(out, name, fields[name]);
  }
  // The caller's names are lowercase; an earlier engine header's spelling is
  // remembered only when the engine sets more than one.
  const spelled = set.length > 1 ? new Map() : null; // lowercased name -> the engine's spelling
  for (let i = 0; i < set.length; i++) {
    const [name, value] = set[i];
    if (UNCARRIABLE.test(value)) throw new TypeError(`the value of ${name} cannot be carried by an HTTP header`);
    const lower = name.toLowerCase();
    delete out[lower];
    if (spelled) {
      const earlier = spelled.get(lower);
      if (earlier !== undefined) delete out[earlier];
      spelled.set(lower, name);
    }
    put(out, name, value);
  }
  return out;
}

// An ordinary object rather than one without a prototype: V8 keeps it in
// its fast form (the same fields in the same order each time share one
// shape), which fetch() reads faster than a dictionary. A field named
// __proto__ is defined, not assigned, so that it is a header and not the
// object's prototype.
function put(out, name, value) {
  if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  else out[name] = value;
}

// What Headers refuses in a value (the Fetch standard's header value, as
// a ByteString): NUL, CR, LF, or a character above U+00FF.
const UNCARRIABLE = /[\0\r\n\u0100-\uffff]/;

// Loops without closures: this runs for every field of every proxied request.
function dropsOnTheWayUp(name) {
  if (HOP_BY_HOP.has(name) || REQUEST_DROPPED.has(name)) return true;
  for (let i = 0; i < REQUEST_DROPPED_PREFIXES.length; i++) if (name.startsWith(REQUEST_DROPPED_PREFIXES[i])) return true;
  return false;
}
