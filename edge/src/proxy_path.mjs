// The caller's part of a proxied URL (`/proxy/{id}/{path...}`) must stay
// under the connector's base_uri (SPEC §7: nothing a caller sends may reach a
// host outside the app's egress list). The path is joined as a relative
// reference "./<path>" (RFC 3986 §5.2), which can only leave the base's
// authority through a network-path reference ("//host"), an absolute URL or
// dot segments; each of these — and every encoding of them that some server
// might decode again, or "..;param" that some servers read as ".." — is
// refused here, before anything is resolved. The
// host of the final URL is checked against the egress list afterwards too.
import { ok, fail } from './result.mjs';

// RFC 3986 pchar minus '@' (userinfo look-alikes are refused outright), plus
// '/' and '%' for the escapes checked below.
const ALLOWED = /^[A-Za-z0-9\-._~!$&'()*+,;=:%/]*$/;
const QUERY_ALLOWED = /^[^\u0000-\u0020\u007f\\#]*$/;
const DECODE_ROUNDS = 4; // double-, triple-encoded escapes are decoded too
// The usual path, which the checks below would all pass: segments of
// unreserved characters only (RFC 3986 §2.3: nothing encoded, no ':', so no
// scheme), none of them "." or "..", no empty segment but a trailing slash.
// Tested first, in one linear pass (each segment is matched once), so that a
// proxied request does not pay for the segment walk.
const PLAIN_PATH = /^(?:(?!\.\.?\/)[A-Za-z0-9\-._~]+\/)*(?!\.\.?$)[A-Za-z0-9\-._~]*$/;

const escape = (why) => fail('egress_denied', 'the path must stay under the connector\'s base URL', { why });

/**
 * `rest`: the raw (still percent-encoded) path after "/proxy/{id}/";
 * `search`: the raw query ("" or "?..."). Answers the relative reference to
 * hand to engine.apply, or egress_denied / invalid_path.
 */
export function proxyTarget(rest, search) {
  if (PLAIN_PATH.test(rest) && QUERY_ALLOWED.test(search)) return ok(`./${rest}${search}`);
  return checkedProxyTarget(rest, search);
}

/** proxyTarget without the PLAIN_PATH shortcut: every segment checked (exported for the test that the two agree). */
export function checkedProxyTarget(rest, search) {
  if (!ALLOWED.test(rest)) {
    if (/[\\@]/.test(rest)) return escape('backslash or @ in the path');
    return fail('invalid_path', 'the path contains characters that must be percent-encoded');
  }
  if (!QUERY_ALLOWED.test(search)) return fail('invalid_path', 'the query contains characters that must be percent-encoded');
  const segments = rest.split('/');
  for (let i = 0; i < segments.length; i++) {
    const raw = segments[i];
    // An empty segment is "//" (a network-path reference once leading);
    // only a trailing slash is allowed.
    if (raw === '' && i !== segments.length - 1) return escape('empty path segment');
    let value = raw;
    for (let round = 0; round <= DECODE_ROUNDS; round++) {
      // "..;x" is ".." to Tomcat and Jetty (path parameters, RFC 3986 §3.3).
      const name = value.includes(';') ? value.slice(0, value.indexOf(';')) : value;
      if (name === '.' || name === '..') return escape('dot segment');
      if (/[/\\@]/.test(value)) return escape('encoded slash, backslash or @');
      if (/[\u0000-\u001f\u007f]/.test(value)) return escape('control character');
      if (round === 0 && i === 0 && /^[a-z][a-z0-9+.-]*:/i.test(value)) return escape('absolute URL');
      if (!value.includes('%')) break;
      try {
        value = decodeURIComponent(value);
      } catch {
        return fail('invalid_path', 'the path has a malformed percent-encoding');
      }
      if (round === DECODE_ROUNDS && value.includes('%')) return escape('too deeply encoded');
    }
    if (i === 0 && /^[a-z][a-z0-9+.-]*:/i.test(value)) return escape('absolute URL');
  }
  return ok(`./${rest}${search}`);
}
