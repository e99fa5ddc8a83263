// The address half of the egress policy (SPEC §5, §7): besides the app's
// host list (egress.mjs), an upstream URL whose host is a loopback,
// link-local, private, shared or otherwise non-public IP literal (or
// "localhost") is refused, so that no connector or admin can point the edge
// at the network it runs in (SSRF). The operator turns this off with the
// EGRESS_ALLOW_PRIVATE=1 binding (scripts/dev does, for its loopback demo
// servers). Hostnames are not resolved (workerd has no DNS API): a public
// name that resolves to a private address is the operator's network to
// guard (docs/security.md).

let privateAllowed = false; // refused until an isolate reads its env

/**
 * Reads the operator's setting from the worker's env (index.mjs calls this
 * for every request and every Durable Object: bindings are the isolate's).
 * "1" or "true" allows private addresses; anything else refuses them.
 */
export function configureEgressAddresses(env) {
  const value = env?.EGRESS_ALLOW_PRIVATE;
  const allowed = value === '1' || value === 'true' || value === true;
  if (allowed !== privateAllowed) {
    privateAllowed = allowed;
    remembered.clear();
  }
}

/** Whether private addresses are allowed in this isolate (EGRESS_ALLOW_PRIVATE). */
export function privateAddressesAllowed() {
  return privateAllowed;
}

/**
 * Why `url` may not be requested for its address, or null when it may.
 * Answers are remembered per plain origin (as egress.hostAllowed does): this
 * runs for every proxied request.
 */
export function addressRefusal(url) {
  if (privateAllowed) return null;
  const key = ORIGIN.exec(url)?.[0];
  if (key === undefined) return refusalByParsing(url);
  let answer = remembered.get(key);
  if (answer === undefined) {
    answer = refusalByParsing(`${key}/`);
    if (remembered.size >= 256) remembered.clear();
    remembered.set(key, answer);
  }
  return answer;
}

const ORIGIN = /^https?:\/\/[A-Za-z0-9.:[\]-]+(?=[/?#\\])/;
const remembered = new Map(); // origin -> refusal text or null

function refusalByParsing(url) {
  let host;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return null; // not a URL: the host list refuses it
  }
  return isPrivateHost(host)
    ? `${host} is a loopback, link-local or private address, which the edge does not reach (the operator may allow it with EGRESS_ALLOW_PRIVATE=1)`
    : null;
}

/**
 * Whether `host` (a WHATWG URL hostname: IPv4 literals already normalised
 * to dotted quads, IPv6 in brackets) names a non-public address.
 */
export function isPrivateHost(host) {
  if (host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.') return true;
  if (host.startsWith('[')) return isPrivateIPv6(host.slice(1, -1));
  const v4 = ipv4(host);
  return v4 !== null && isPrivateIPv4(v4);
}

// IPv4 ranges that are not the public internet (RFC 6890 and its updates).
const V4_RANGES = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // shared address space, RFC 6598
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], ['198.51.100.0', 24], ['203.0.113.0', 24], // documentation
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
].map(([base, bits]) => ({ base: ipv4(base), mask: bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0 }));

function ipv4(text) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function isPrivateIPv4(address) {
  return V4_RANGES.some(({ base, mask }) => ((address & mask) >>> 0) === base);
}

// An IPv6 literal as eight 16-bit groups ("::" expanded, a trailing dotted
// IPv4 part split in two), or null.
function ipv6Groups(text) {
  let head = text;
  const tail = [];
  const dotted = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(head);
  if (dotted) {
    const v4 = ipv4(dotted[1]);
    if (v4 === null) return null;
    head = head.slice(0, dotted.index);
    if (head.endsWith(':')) head += ':'; // "::1.2.3.4"
    tail.push(v4 >>> 16, v4 & 0xffff);
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const parse = (s) => (s === '' ? [] : s.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  const given = left.length + right.length + tail.length;
  if ([...left, ...right].some(Number.isNaN)) return null;
  if (halves.length === 1 && given !== 8) return null;
  if (given > 8) return null;
  return [...left, ...Array(8 - given).fill(0), ...right, ...tail];
}

function isPrivateIPv6(text) {
  const g = ipv6Groups(text.toLowerCase());
  if (!g) return true; // unreadable: refused rather than guessed
  const zeroUpTo = (n) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(7) && (g[7] === 0 || g[7] === 1)) return true; // :: and ::1
  const embedded = ((g[6] << 16) | g[7]) >>> 0;
  if (zeroUpTo(5) && g[5] === 0xffff) return isPrivateIPv4(embedded); // IPv4-mapped
  if (zeroUpTo(6)) return isPrivateIPv4(embedded); // IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return isPrivateIPv4(embedded); // NAT64
  if ((g[0] & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g[0] & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g[0] & 0xffc0) === 0xfec0) return true; // site-local (deprecated)
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // documentation
  return false;
}
