// The egress allow-list (SPEC §5, §7): the hosts connector requests and the
// proxy may reach. An app's explicit `egress` wins; when it is null the list
// is derived from the connector's request URLs (connector_info.mjs).
//
// Entries: "api.example.com" (that host, the scheme's default port only),
// "api.example.com:8443" (that port only), "*.example.com" (any subdomain,
// not example.com itself), IP literals such as "127.0.0.1:8787" or
// "[::1]:8787". A host only ever matches an entry; nothing is resolved.
//
// Derivation is the engine's (engine.egress, wasm/core/egress.h): the host
// (and a port that is not the default) of every URL the edge requests for the
// connector, templates rendered with the APP's values only (client id,
// scopes, settings), never the user's fields, which a user controls. A URL
// that cannot be rendered that way contributes nothing, and the admin must
// set `egress` explicitly (the proxy answers 403 egress_denied saying so).

const DEFAULT_PORT = { 'http:': '80', 'https:': '443' };

/**
 * The allowed hosts for an app: {hosts, derived, unresolved: [paths]}.
 * `use` is OrgStore.appForUse's answer.
 */
export function allowedHosts(engine, use) {
  if (Array.isArray(use.app.egress)) return { hosts: use.app.egress, derived: false, unresolved: [] };
  const app = { client_id: use.app.client_id ?? undefined, scopes: use.app.scopes, settings: use.secrets.settings };
  const derived = engine.egress(use.connector.definition, { app });
  // A stored definition is valid; if the engine refuses it, nothing is reachable.
  if (!derived.ok) return { hosts: [], derived: true, unresolved: [] };
  return { hosts: derived.value.hosts, derived: true, unresolved: derived.value.unresolved };
}

/**
 * Whether the absolute `url` may be requested under `hosts`. Every request
 * the edge sends is checked (upstream.mjs), so answers are remembered per
 * list for plain origins (see originKey); anything else is parsed each time.
 */
export function hostAllowed(url, hosts) {
  const key = originKey(url);
  if (key === null) return hostAllowedByParsing(url, hosts);
  let known = answersByList.get(hosts);
  if (!known) answersByList.set(hosts, (known = new Map()));
  let allowed = known.get(key);
  if (allowed === undefined) {
    // The origin alone, parsed: the same host, port and scheme as the whole
    // URL has (originKey), so the same answer.
    allowed = hostAllowedByParsing(`${key}/`, hosts);
    if (known.size >= MAX_REMEMBERED_ORIGINS) known.clear();
    known.set(key, allowed);
  }
  return allowed;
}

// The answer for a URL depends only on its scheme, host and port. When a URL
// starts with "http://" or "https://" followed by characters that can only
// spell a host and port (letters, digits, ".", "-", ":", "[", "]"), up to
// the first "/", "?", "#" or a backslash (where the WHATWG URL parser ends the
// authority of an http(s) URL), that prefix is its origin as the parser
// reads it: no userinfo ("@"), no percent-encoding, no tab or newline the
// parser would remove, no space or control character it would trim or
// refuse. Such a prefix is the key under which hostAllowed remembers the
// answer; for any other URL there is no key and it is parsed every time.
// Parsing it would cost every request a URL and five getters.
const ORIGIN = /^https?:\/\/[A-Za-z0-9.:[\]-]+(?=[/?#\\])/;
const MAX_REMEMBERED_ORIGINS = 64; // per list; a list usually meets one or two
const answersByList = new WeakMap(); // hosts array -> Map(origin key -> allowed)

function originKey(url) {
  return ORIGIN.exec(url)?.[0] ?? null;
}

/** hostAllowed without remembering: the URL parsed every time (tests compare the two). */
export function hostAllowedByParsing(url, hosts) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username || parsed.password) return false;
  const host = parsed.hostname.toLowerCase();
  const port = parsed.port || DEFAULT_PORT[parsed.protocol];
  return parsedEntries(hosts).some(({ pattern, port: entryPort }) => {
    if ((entryPort ?? DEFAULT_PORT[parsed.protocol]) !== port) return false;
    if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
    return host === pattern;
  });
}

// Each entry split into {pattern, port (undefined: the scheme's default)},
// once per list (an app's list is the same array for every request).
const parsedLists = new WeakMap();
function parsedEntries(hosts) {
  let parsed = parsedLists.get(hosts);
  if (!parsed) {
    parsed = hosts.map((entry) => {
      const m = /^(.*?)(?::([0-9]+))?$/.exec(entry);
      return { pattern: m[1], port: m[2] };
    });
    parsedLists.set(hosts, parsed);
  }
  return parsed;
}
