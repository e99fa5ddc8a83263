// Every request the edge sends to a provider goes through fetchUpstream: the
// proxied requests and, with the flows, token, refresh and test requests.
// It enforces the app's egress list (SPEC §5, §7) and the operator's address
// policy (egress_address.mjs) right before the socket,
// never follows redirects (a redirect is answered to the caller, not chased
// to an unchecked host), bounds the wait for response headers (the flows'
// requests), and retries an idempotent request once after a connection
// failure.
import { ok, fail } from './result.mjs';
import { hostAllowed } from './egress.mjs';
import { addressRefusal } from './egress_address.mjs';

/** How long to wait for an upstream's response headers (ms, default 30 s); the body may stream longer. */
export const UPSTREAM_TIMEOUT_MS = 30_000;

// RFC 9110 §9.2.2: a request with an idempotent method may be retried after
// a connection failure. It is, once, at once: the usual failure is a pooled
// keep-alive connection that the server closed while idle (workerd does not
// retry it), and the request never reached the server. Other methods are
// never resent: a token request may have rotated a refresh token, a caller's
// POST may have been acted on.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * `egress` is allowedHosts()'s answer. Answers the upstream Response, or
 * egress_denied / upstream_timeout / upstream_unreachable.
 *
 * `timeoutMs` bounds the wait for the response headers (default 30 s);
 * when it ends, the request is aborted through an AbortSignal on the fetch.
 * The flows (token, refresh and test requests, in a Durable Object whose
 * context outlives the call) use it. The proxy
 * passes `timeoutMs: null`, no bound: its caller's client knows the API it
 * calls (a long poll may hold a request for minutes before answering) and
 * bounds the wait itself; when it gives up, workerd ends the request and the
 * fetch with it. A timer or an abort signal would also cost every proxied
 * request.
 */
export async function fetchUpstream(url, init, egress, { timeoutMs = UPSTREAM_TIMEOUT_MS } = {}) {
  if (!hostAllowed(url, egress.hosts)) {
    const hint = egress.derived && egress.unresolved.length
      ? ` (the connector's URLs at ${egress.unresolved.join(', ')} depend on values only a user gives: an admin must set the app's egress)`
      : '';
    return fail('egress_denied', `the app's egress list does not allow this host${hint}`);
  }
  const refusal = addressRefusal(url); // loopback, private, link-local: egress_address.mjs
  if (refusal) return fail('egress_denied', refusal);
  // Method names are case-sensitive (RFC 9110 §9.1): "get" is not GET.
  // A streamed body (request_body.mjs) is gone after the first attempt.
  const attempts = IDEMPOTENT.has(init.method ?? 'GET') && !(init.body instanceof ReadableStream) ? 2 : 1;
  const options = { ...init, redirect: 'manual' };
  // With no bound (the proxy): no controller, no timer, no race.
  const controller = timeoutMs === null ? null : new AbortController();
  let timer;
  let deadline = null;
  if (controller) {
    options.signal = controller.signal;
    deadline = new Promise((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(TIMED_OUT);
      }, timeoutMs);
    });
  }
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await (deadline ? Promise.race([fetch(url, options), deadline]) : fetch(url, options));
        if (answer === TIMED_OUT) return timedOut();
        return ok(answer);
      } catch {
        if (controller?.signal.aborted) return timedOut();
        if (attempt >= attempts) return fail('upstream_unreachable', 'the provider could not be reached');
      }
    }
  } finally {
    if (controller) clearTimeout(timer);
  }
}

const TIMED_OUT = Symbol('timed out');
const timedOut = () => fail('upstream_timeout', 'the provider did not answer in time');
