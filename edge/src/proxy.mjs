// ANY /proxy/{id}/{path...} (SPEC §7): forwards the caller's request to the
// connector's base_uri with the caller's own connection applied by the
// engine, classifies the answer (SPEC §2.5), refreshes and retries exactly
// once when it says so, and streams the upstream body back.
//
// Refusals: 409 not_connected, 409 connection_lost (with `lost`), 503
// connection_degraded (with `lost` and Retry-After: the token must be
// refreshed but the provider is down and the connection backs off — no token
// request is sent until the engine's next_retry_at), 403 app_disabled, 403
// egress_denied (path escape, or a host outside the app's egress list), 413
// over the body limit. The upstream is never contacted for a refused request.
import { ok, fail } from './result.mjs';
import { getEngine } from './engine.mjs';
import { LIMITS, readBodyBytes } from './limits.mjs';
import { orgStore, connectionRef, connectionStore } from './stores.mjs';
import { proxyTarget } from './proxy_path.mjs';
import { allowedHosts } from './egress.mjs';
import { fetchUpstream } from './upstream.mjs';
import { upstreamRequestHeaders, callerResponseHeaders } from './http_headers.mjs';
import { connectorInfo } from './connector_info.mjs';
import { engineContext } from './flows.mjs';

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);
const TEXT_BODY = /^(application\/(json|[a-z0-9.+-]*\+json|x-www-form-urlencoded)|text\/)/i;

export async function proxy({ request, env, session, params, url }) {
  const target = proxyTarget(params.rest, url.search);
  if (!target.ok) return target;

  const store = orgStore(env, session.org);
  const found = await store.appForUse(session.org, params.id);
  if (!found.ok) return found;
  const use = found.value;
  if (!use.app.enabled) return fail('app_disabled', 'the app is disabled by an administrator');

  const engine = await getEngine();
  const egress = allowedHosts(engine, use);
  const ref = connectionRef(session.org, use.app.id, use.app.generation, session.sub);
  const connection = connectionStore(env, ref);
  // Proactive refresh (SPEC §3) happens in here, single-flight.
  const credentials = await connection.getCredentials(ref, use);
  if (!credentials.ok) return credentials;

  const body = await requestBody(request);
  if (!body.ok) return body;
  const outgoing = {
    method: request.method.toUpperCase(),
    url: target.value,
    headers: upstreamRequestHeaders(request.headers),
    ...body.value,
  };

  const first = await send(engine, use, egress, outgoing, credentials.value);
  if (!first.ok) return afterApplyFailure(connection, ref, credentials.value, first);
  if (engine.requestNextStep(first.value.action, false).value?.next !== 'refresh_and_retry') return first.value.response;

  // SPEC §2.5 rule 3: refresh (single-flight, compare-and-refresh inside the
  // connection object), then retry exactly once; the retry is final.
  const refreshed = await connection.refresh(ref, credentials.value.version, use);
  if (!refreshed.ok) {
    await first.value.response.body?.cancel();
    return refreshed;
  }
  if (refreshed.value.version === credentials.value.version) {
    // Nothing to refresh with, and the connector's test says the credentials
    // still work: the answer was about this request, not the connection.
    return first.value.response;
  }
  await first.value.response.body?.cancel();
  const second = await send(engine, use, egress, outgoing, refreshed.value);
  if (!second.ok) return afterApplyFailure(connection, ref, refreshed.value, second);
  return second.value.response; // requestNextStep(…, true) is always "deliver"
}

// A request the connector could not authorize. A problem in the caller's
// request (paths under /request) is the caller's: 400. Anything else — a
// template value missing — is the connector's (SPEC §4 connector_error): the
// connection is lost, naming the last working connector version.
async function afterApplyFailure(connection, ref, credentials, failed) {
  if (failed.error.code !== 'apply_failed') return failed;
  const problems = failed.error.details ?? [];
  if (problems.length && problems.every((p) => p.path === '/request' || p.path.startsWith('/request/'))) {
    return fail('invalid_request', 'the request cannot be sent', { details: problems });
  }
  const first = problems[0];
  const recorded = await connection.recordFailure(ref, credentials.version, {
    cause: 'connector_error',
    detail: first ? `${first.path}: ${first.message}` : 'the connector could not authorize a request',
  });
  return fail('connector_error', 'the connector could not authorize this request', {
    details: problems, ...(recorded.ok ? {} : { lost: recorded.error.lost }),
  });
}

// The caller's body, buffered (a refresh replays it) up to the proxy limit.
// JSON, form and text bodies also go to the engine as text, for `payload`
// apply rules (SPEC §2.4); others are forwarded byte for byte.
async function requestBody(request) {
  if (request.method === 'GET' || request.method === 'HEAD') return ok({ body: '', bytes: null });
  const bytes = await readBodyBytes(request, LIMITS.proxyBodyBytes);
  if (!bytes.ok) return bytes;
  const type = request.headers.get('content-type') ?? '';
  const text = TEXT_BODY.test(type) ? new TextDecoder().decode(bytes.value) : '';
  return ok({ body: text, bytes: bytes.value });
}

// One authorized attempt: apply (engine), egress check, fetch, classify.
// Answers {response (to return to the caller), action}.
async function send(engine, use, egress, outgoing, { hash }) {
  const definition = use.connector.definition;
  const context = engineContext(hash, use);
  const applied = engine.apply(definition, context, {
    method: outgoing.method, url: outgoing.url, headers: outgoing.headers, body: outgoing.body,
  });
  if (!applied.ok) {
    return fail('apply_failed', 'the connector could not authorize this request', { details: applied.errors });
  }
  const request = applied.value;

  // Keep the caller's exact bytes unless a payload rule rewrote the text.
  let upstreamBody = null;
  if (outgoing.bytes) upstreamBody = request.body !== outgoing.body ? request.body : outgoing.bytes;

  const fetched = await fetchUpstream(request.url, {
    method: request.method,
    headers: request.headers,
    body: upstreamBody,
  }, egress);
  if (!fetched.ok) return fetched;
  const upstream = fetched.value;

  // SPEC §2.5: read the body only if a signal looks at it, and only up to
  // the classification limit; the rest streams unread.
  let text = '';
  let stream = NULL_BODY_STATUS.has(upstream.status) ? null : upstream.body;
  if (stream && connectorInfo(definition).signalsReadBody) {
    const peeked = await peek(stream, LIMITS.classifyBodyBytes);
    text = peeked.text;
    stream = peeked.stream;
  }
  const classified = engine.classify(definition, context, {
    status: upstream.status, headers: [...upstream.headers], body: text,
  });
  const action = classified.ok ? classified.value.action : 'error';
  const response = new Response(stream, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: callerResponseHeaders(upstream.headers),
  });
  return ok({ response, action });
}

// Reads up to `limit` bytes of `body` and answers them as text together with
// a stream that yields the same bytes again followed by the unread rest.
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
  const text = new TextDecoder().decode(prefix.subarray(0, limit));
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
  return { text, stream };
}
