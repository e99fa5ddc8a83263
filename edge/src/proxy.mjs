// ANY /proxy/{id}/{path...} (SPEC §7): forwards the caller's request to the
// connector's base_uri with the caller's own connection applied by the
// engine, classifies the answer (SPEC §2.5), refreshes and retries exactly
// once when it says so (only when the caller's body could be kept for it),
// and streams the upstream body back.
//
// Refusals: 409 not_connected, 409 connection_lost (with `lost`), 503
// connection_degraded (with `lost` and Retry-After: the token must be
// refreshed but the provider is down and the connection backs off — no token
// request is sent until the engine's next_retry_at), 403 app_disabled, 403
// egress_denied (path escape, a host outside the app's egress list, a private
// address), 413 over the body limit, 503 server_busy (Retry-After) when the
// isolate holds too many request bodies. The upstream is never contacted for
// a refused request; 502 upstream_redirect_refused answers a redirect to this
// service itself (response_headers.mjs).
//
// A warm isolate answers from proxy_cache.mjs (the app, the caller's
// credentials, derived once): no Durable Object call per request, within
// the bounds documented there and in edge/README.md "Caching on the request
// path"; the refresh itself always goes through the ConnectionStore.
import { ok, fail } from './result.mjs';
import { getEngine, readyEngine } from './engine.mjs';
import { LIMITS } from './limits.mjs';
import { proxyRequestBody, NO_BODY } from './request_body.mjs';
import { proxyTarget } from './proxy_path.mjs';
import { fetchUpstream } from './upstream.mjs';
import { upstreamRequestHeaders } from './http_headers.mjs';
import { proxiedResponseHeaders } from './response_headers.mjs';
import { publicOrigin } from './oauth.mjs';
import {
  proxyApp, proxyCredentials, cachedProxyApp, cachedProxyCredentials, refreshProxyCredentials, invalidateConnection,
} from './proxy_cache.mjs';
import { connectionStore } from './stores.mjs';
import * as flows from './flows.mjs';
import { runConnection } from '../../wasm/connection_loop.mjs';
import { noteUse } from './use_report.mjs';

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

export async function proxy({ request, env, session, params, search, head, now, execution }) {
  const target = proxyTarget(params.rest, search);
  if (!target.ok) return target;

  // The app and the caller's credentials come from the isolate's cache when
  // it has them (proxy_cache.mjs: bounded staleness, invalidated by the
  // routes that change them), else from the Durable Objects. A warm request
  // takes them, its body and the engine without an await.
  const cachedApp = cachedProxyApp(session.org, params.id, now);
  const app = cachedApp ? ok(cachedApp) : await proxyApp(env, session.org, params.id);
  if (!app.ok) return app;
  if (!app.value.use.app.enabled) return fail('app_disabled', 'the app is disabled by an administrator');
  const cachedCredentials = cachedProxyCredentials(app.value, session.sub, now);
  const credentials = cachedCredentials ? ok(cachedCredentials) : await proxyCredentials(env, app.value, session.sub);
  if (!credentials.ok) return credentials;
  const leased = [credentials.value];
  let held = NO_BODY;
  try {
    // As the runtime parsed it: a method name is case-sensitive (RFC 9110 §9.1).
    const method = request.method;
    const engine = readyEngine() ?? await getEngine();
    // Held in memory only when a payload rule reads it or a retry may resend
    // it; otherwise streamed (request_body.mjs).
    if (method !== 'GET' && method !== 'HEAD') {
      const binding = bindingFor(engine, credentials.value).value;
      const body = await proxyRequestBody(request, head.fields, binding?.readsRequestBody ?? false, binding?.signs ?? false);
      if (!body.ok) return body;
      held = body.value;
    }
    const outgoing = {
      method, url: target.value, fields: head.fields, body: held.body, bytes: held.bytes,
      rest: params.rest, proxyPath: `/proxy/${params.id}/`, ownOrigins: () => ownOrigins(env, request),
    };

    // The engine's connection loop decides (wasm/connection_loop.mjs `use`):
    // renew first when due (cached credentials never are), send, and on a
    // refresh signal renew (single flight in the ConnectionStore) and retry
    // exactly once (SPEC §2.5 rule 3).
    let current = credentials.value;
    const responses = [];
    const start = cachedCredentials ? NOT_DUE : dueOf(engine, current);
    // A streamed body went with the first attempt and cannot be sent again.
    const used = await runConnection(engine, null, 'use', held.replayable ? start : { ...start, replayable: false }, {
      sendCaller: async (attempt) => {
        const sent = await send(engine, outgoing, current);
        if (!sent.ok) return sent;
        responses[attempt] = sent.value.response;
        return ok({ classification: sent.value.action });
      },
      renew: async () => {
        const renewed = await refreshProxyCredentials(env, current);
        if (!renewed.ok) return renewed;
        leased.push(renewed.value);
        const changed = renewed.value.version !== current.version;
        current = renewed.value;
        return ok({ changed });
      },
      // A connector that could not authorize the request (SPEC §4 connector_error).
      record: async ({ cause, detail }) => {
        const { ref } = current;
        const recorded = await connectionStore(env, ref).recordFailure(ref, current.version, { cause, detail });
        invalidateConnection(ref.org, ref.app, ref.user);
        return recorded.ok ? recorded.value : null;
      },
    });
    const delivered = used.ok ? responses[used.value.attempt] : null;
    if (delivered) noteUse(env, execution, current, app.value.use.app, now);
    for (const response of responses) if (response && response !== delivered) await response.body?.cancel();
    return used.ok ? delivered : used;
  } finally {
    held.release();
    for (const c of leased) c.release();
  }
}

const NOT_DUE = Object.freeze({ due: false, expired: false });

// Credentials read from the ConnectionStore may be due for renewal (the
// cache hands out only those that are not).
function dueOf(engine, credentials) {
  return flows.refreshDue({ engine, use: credentials.app.use, hash: credentials.hash, now: Math.floor(Date.now() / 1000) });
}

// One authorized attempt — the engine calls of an attempt (apply, then
// classify) stay together here: apply (engine), egress check, fetch,
// classify. `credentials` (proxy_credentials.mjs) carry the app entry (its
// definition, egress list, connector facts) and the engine context, built
// once per connection version. Answers {response (to return to the
// caller), action}.
async function send(engine, outgoing, credentials) {
  const { egress } = credentials.app;
  // One engine-side binding per connection and credentials version: the
  // rules' values are rendered once, not per request.
  const bound = bindingFor(engine, credentials);
  if (!bound.ok) return fail('apply_failed', 'the connector could not authorize this request', { problems: bound.errors });
  const contentType = outgoing.fields['content-type'];
  // A signer hashes the exact bytes (held whole for a signing connection).
  const body = bound.value.signs ? (outgoing.bytes ?? '') : outgoing.body;
  const applied = bound.value.apply({ method: outgoing.method, url: outgoing.url, contentType, body });
  if (!applied.ok) {
    return fail('apply_failed', 'the connector could not authorize this request', { problems: applied.errors });
  }
  const edits = applied.value;
  const headers = forwardedHeaders(outgoing.fields, edits.headers);
  if (!headers.ok) return headers;
  // Keep the caller's exact bytes unless a payload rule rewrote the text.
  const upstreamBody = edits.body ?? outgoing.bytes;

  // No bound on the wait for the answer: the caller's client sets its own
  // (a long poll may legitimately take minutes), and when it gives up the
  // request ends, and the fetch with it (upstream.mjs).
  const fetched = await fetchUpstream(edits.url, { method: outgoing.method, headers: headers.value, body: upstreamBody }, egress,
    { timeoutMs: null });
  if (!fetched.ok) return fetched;
  const upstream = fetched.value;
  const { status } = upstream;

  // SPEC §2.5: read the body only if a signal for this status looks at it
  // (the engine knows), and only up to the classification limit; the rest
  // streams unread.
  const peeked = !NULL_BODY_STATUS.has(status) && bound.value.readsBodyFor(status)
    ? await peek(upstream.body, LIMITS.classifyBodyBytes)
    : null;
  const classified = bound.value.classify({ status, body: peeked?.bytes ?? null });
  const action = classified.ok ? classified.value.action : 'error';
  // Only the allowed headers go back, a Location rewritten or refused
  // (response_headers.mjs).
  const responseHeaders = proxiedResponseHeaders(upstream.headers, {
    upstreamUrl: edits.url, rest: outgoing.rest, proxyPath: outgoing.proxyPath, ownOrigins: outgoing.ownOrigins,
  });
  if (!responseHeaders.ok) {
    await (peeked ? peeked.stream : upstream.body)?.cancel();
    return responseHeaders;
  }
  const stream = peeked ? peeked.stream : NULL_BODY_STATUS.has(status) ? null : upstream.body;
  const response = new Response(stream, { status, statusText: upstream.statusText, headers: responseHeaders.value });
  return ok({ response, action });
}

// This service's origins as a browser sees them: the request's and
// PUBLIC_ORIGIN's. A redirect to either would resend the caller's session.
function ownOrigins(env, request) {
  const own = new URL(request.url).origin;
  return [own, publicOrigin(env, { origin: own })];
}

// The caller's headers with the engine's set over them (each replaces any
// same-named one, case-insensitively). Content-Length was dropped with the
// caller's hop-by-hop headers, so a rewritten body gets its own. The engine
// renders no value a header cannot carry (CR, LF, NUL, a character above
// U+00FF: http.h header_value_problem); should one arrive anyway, the
// request is refused here instead of failing inside fetch.
function forwardedHeaders(fields, engineHeaders) {
  try {
    return ok(upstreamRequestHeaders(fields, engineHeaders));
  } catch {
    return fail('connector_error', 'the connector set a header to a value an HTTP header cannot carry');
  }
}

// The credentials entry owns the binding and disposes it when evicted and
// no request holds a lease (proxy_credentials.mjs).
function bindingFor(engine, credentials) {
  const bound = credentials.derive('bound', () => {
    const made = engine.bind(credentials.app.use.connector.definition, credentials.context);
    return made.ok ? made.value : { problems: made };
  });
  return bound.problems ?? { ok: true, value: bound };
}

// Reads up to `limit` bytes of `body` (perhaps a chunk more) and answers
// them together with a stream that yields the same bytes again followed by
// the unread rest. classify matches only the first `limit` bytes.
async function peek(body, limit) {
  const reader = body.getReader();
  const chunks = [];
  let size = 0;
  let done = false;
  while (size < limit) {
    const next = await reader.read();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    size += next.value.byteLength;
  }
  const prefix = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    prefix.set(c, at);
    at += c.byteLength;
  }
  const stream = new ReadableStream({
    start(controller) {
      if (size) controller.enqueue(prefix);
      if (done) controller.close();
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { bytes: prefix, stream };
}
