// Every request the edge sends to a provider goes through fetchUpstream: the
// proxied requests and, with the flows, token, refresh and test requests.
// It enforces the app's egress list (SPEC §5, §7) right before the socket,
// never follows redirects (a redirect is answered to the caller, not chased
// to an unchecked host), and bounds the wait for response headers.
import { ok, fail } from './result.mjs';
import { hostAllowed } from './egress.mjs';

/** How long to wait for an upstream's response headers (ms, default 30 s); the body may stream longer. */
export const UPSTREAM_TIMEOUT_MS = 30_000;

/**
 * `egress` is allowedHosts()'s answer. Answers the upstream Response, or
 * egress_denied / upstream_timeout / upstream_unreachable.
 */
export async function fetchUpstream(url, init, egress) {
  if (!hostAllowed(url, egress.hosts)) {
    const hint = egress.derived && egress.unresolved.length
      ? ` (the connector's URLs at ${egress.unresolved.join(', ')} depend on values only a user gives: an admin must set the app's egress)`
      : '';
    return fail('egress_denied', `the app's egress list does not allow this host${hint}`);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), UPSTREAM_TIMEOUT_MS);
  try {
    return ok(await fetch(url, { ...init, redirect: 'manual', signal: controller.signal }));
  } catch {
    return controller.signal.aborted
      ? fail('upstream_timeout', 'the provider did not answer in time')
      : fail('upstream_unreachable', 'the provider could not be reached');
  } finally {
    clearTimeout(timer);
  }
}
