// What of an upstream's response headers reaches the caller of the proxy
// (SPEC §7). A proxied response is served on this service's own origin, the
// one the console and the API share, so the upstream must not be able to act
// on that origin through its headers: only an allow-list of descriptive
// headers passes, every proxied response is sandboxed (CSP `sandbox`: an
// HTML answer opened in the browser runs no script and has no origin) and
// never type-sniffed, and a redirect may not send the caller's client back
// to this service with its session (docs/security.md).
import { ok, fail } from './result.mjs';
import { connectionNamed } from './http_headers.mjs';

// Headers that describe the representation, its caching, paging and rate
// limits; nothing that sets state on the origin (Set-Cookie,
// Clear-Site-Data), grants it to others (Access-Control-*), challenges the
// caller's client (WWW-Authenticate, Proxy-Authenticate), or sets a policy
// (Content-Security-Policy and friends, Strict-Transport-Security).
// Content-Length is framing, which the runtime writes for the body it sends
// (it may differ from the upstream's once the runtime re-encodes it).
const ALLOWED = new Set([
  'content-type', 'content-encoding', 'content-language', 'content-disposition', 'content-range',
  'accept-ranges', 'cache-control', 'expires', 'pragma', 'etag', 'last-modified', 'vary', 'age', 'date',
  'retry-after', 'link', 'allow', 'deprecation', 'sunset', 'warning',
  'request-id', 'x-request-id', 'x-correlation-id', 'x-total-count',
]);
const ALLOWED_PREFIXES = ['ratelimit', 'x-ratelimit-', 'x-rate-limit-'];

// Rewritten instead (below): Location and Content-Location. Dropped:
// Refresh (a redirect the caller's client may follow by itself).

/** What every proxied response carries, whatever the upstream said. */
export const PROXY_RESPONSE_HEADERS = Object.freeze({
  'content-security-policy': 'sandbox',
  'x-content-type-options': 'nosniff',
});

function allowed(name) {
  if (ALLOWED.has(name)) return true;
  for (let i = 0; i < ALLOWED_PREFIXES.length; i++) if (name.startsWith(ALLOWED_PREFIXES[i])) return true;
  return false;
}

/**
 * The caller's headers for an upstream response: {ok, value: Headers} or
 * `upstream_redirect_refused` when its Location would send the caller's
 * client to this service itself.
 *
 * `request` = {upstreamUrl: the URL that was requested, rest: the caller's
 * raw path after /proxy/{id}/, proxyPath: "/proxy/{id}/", ownOrigins(): this
 * service's origins}, read only when the upstream sends a Location.
 */
export function proxiedResponseHeaders(headers, request) {
  const out = new Headers(PROXY_RESPONSE_HEADERS);
  const named = connectionNamed(headers.get('connection')); // hop-by-hop, RFC 9110 §7.6.1
  for (const [name, value] of headers) {
    if (allowed(name) && !named.has(name)) out.append(name, value);
  }
  const location = headers.get('location');
  const contentLocation = headers.get('content-location');
  if (location === null && contentLocation === null) return ok(out);
  const where = {
    upstreamUrl: request.upstreamUrl,
    base: proxyBase(request.upstreamUrl, request.rest),
    proxyPath: request.proxyPath,
    ownOrigins: request.ownOrigins(),
  };
  if (location !== null) {
    const target = callerLocation(location, where);
    if (target.refused) {
      return fail('upstream_redirect_refused',
        'the provider redirected to this service itself, which the proxy does not pass on (it would resend your session)');
    }
    if (target.value !== null) out.set('location', target.value);
  }
  if (contentLocation !== null) {
    const target = callerLocation(contentLocation, where);
    if (!target.refused && target.value !== null) out.set('content-location', target.value);
  }
  return ok(out);
}

/**
 * Where a Location (or Content-Location) sends the caller: resolved against
 * the upstream URL (RFC 9110 §10.2.2); under the connector's base URL, the
 * matching /proxy/{id}/... path; on this service's own host, refused;
 * anywhere else, the absolute URL. An unreadable value is dropped (null).
 */
export function callerLocation(value, { upstreamUrl, base, proxyPath, ownOrigins }) {
  let resolved;
  try {
    resolved = new URL(value, upstreamUrl);
  } catch {
    return { value: null };
  }
  if (resolved.protocol !== 'https:' && resolved.protocol !== 'http:') return { value: null };
  if (base && resolved.origin === base.origin && resolved.pathname.startsWith(base.path) && !resolved.username && !resolved.password) {
    return { value: `${proxyPath}${resolved.pathname.slice(base.path.length)}${resolved.search}${resolved.hash}` };
  }
  // This service's host on any scheme or port: a client may carry a session
  // across those, and no upstream has a reason to send one there.
  if (ownOrigins.some((origin) => new URL(origin).hostname === resolved.hostname)) return { refused: true };
  return { value: resolved.href };
}

/**
 * The connector's base URL for a proxied request: the requested URL without
 * the caller's part (`rest`, the raw path after /proxy/{id}/): {origin,
 * path} or null when the URL does not end with it (then no Location is
 * rewritten into the proxy; it stays absolute).
 */
export function proxyBase(upstreamUrl, rest) {
  let url;
  try {
    url = new URL(upstreamUrl);
  } catch {
    return null;
  }
  if (!url.pathname.endsWith(rest)) return null;
  const path = url.pathname.slice(0, url.pathname.length - rest.length);
  return path.endsWith('/') ? { origin: url.origin, path } : null;
}
