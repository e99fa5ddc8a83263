// The seam between the edge host and the engine's flows (SPEC §3, §4): OAuth
// authorization, token refresh, the connection test, and the connection
// state machine with its diagnosis. The engine owns all of that logic
// (wasm/core/flow_api.h: authorizeBegin / authorizeCallback / authorizeFinish,
// refreshNeeded, refreshBegin / refreshFinish, connectBegin / connectFinish,
// testBegin / testFinish, stateSuccess / stateFailure / stateDisconnect /
// stateView). This file only does what a host does around them (the core is
// sans-I/O): build the engine context, send the requests the engine builds,
// hand the responses back, and translate the engine's answers into Results.
//
// Every flow function answers a Result (result.mjs); a failed flow is the
// engine's failure as it is: {code, message, cause, action, detail,
// problems?}, `cause` a SPEC §4 cause (null for a callback the flow itself
// refused). `send`, where passed,
// is `sender(use)`: the engine's request → the engine's response JSON, through
// upstream.fetchUpstream and the app's egress list.
import { ok } from './result.mjs';
import { LIMITS } from './limits.mjs';
import { fetchUpstream } from './upstream.mjs';
import { allowedHosts } from './egress.mjs';
import { runConnection, refreshState, lifecycleSettings } from '../../wasm/connection_loop.mjs';

/**
 * The engine context for one connection (flow_api.h `context`): the flat
 * connection hash, the app's client, scopes, settings and token settings,
 * plus `extra` (`flow` during the authorization, `state` so a connector_error
 * diagnosis can name the last working version). Settings win over the
 * user's values inside the engine (scope.cpp).
 */
export function engineContext(hash, use, extra = {}) {
  const app = use.app;
  return {
    connection: hash ?? {},
    app: {
      client_id: app.client_id ?? undefined,
      client_secret: use.secrets.client_secret ?? undefined,
      scopes: app.scopes,
      settings: use.secrets.settings,
      default_expires_in: app.default_expires_in ?? undefined,
      refresh_buffer: app.refresh_buffer ?? undefined,
      issuer: app.issuer ?? undefined,
    },
    ...extra,
  };
}

/**
 * What the entered `fields` mean for the app's connector (engine.connectForm,
 * wasm/core/connect_form.h): {type in force (null while the connector's
 * `selected` picks no option), option, values (the hash to start from),
 * problems at /fields/<name>, ...}. The app's settings, opened, win over the
 * entered values as in every flow.
 */
export function connectForm(engine, use, fields) {
  return engine.connectForm(use.connector.definition, { connection: fields, app: { settings: use.secrets.settings } });
}

// ---- talking to the provider ------------------------------------------------

/**
 * The host's half of every engine request: `send(request)` fetches the
 * engine's {method, url, headers, body} through the egress check and answers
 * the engine's response JSON — {status, headers, body} (body read up to the
 * classification limit) or {network_error} when nothing came back (the engine
 * diagnoses that as provider_unavailable). A host outside the app's egress
 * list is not the provider's fault: that stays `egress_denied`.
 */
export function sender(engine, use) {
  const egress = allowedHosts(engine, use);
  return async (request) => {
    const init = { method: request.method, headers: request.headers };
    if (request.body !== undefined && request.body !== '' && !['GET', 'HEAD'].includes(request.method)) init.body = request.body;
    const fetched = await fetchUpstream(request.url, init, egress);
    if (!fetched.ok) {
      if (fetched.error.code === 'egress_denied') return fetched;
      return ok({ network_error: fetched.error.code === 'upstream_timeout' ? 'timeout' : 'connection failed' });
    }
    const response = fetched.value;
    let body;
    try {
      body = await readText(response, LIMITS.classifyBodyBytes);
    } catch {
      return ok({ network_error: 'the connection broke while reading the answer' });
    }
    return ok({ status: response.status, headers: [...response.headers], body });
  };
}

// Reads at most `limit` bytes of a response body as text; the rest is dropped.
async function readText(response, limit) {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value.subarray(0, Math.max(0, limit - size)));
    size += value.byteLength;
    if (size >= limit) {
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

// ---- oauth2: the authorization code flow (SPEC §3) ------------------------------

/**
 * POST /api/apps/{id}/connect for oauth2: the authorization URL and the
 * pending record (state: 128 random bits, 10 minutes; PKCE verifier) the
 * caller stores server-side. Engine: authorizeBegin.
 * Answers {url, pending, noopener}.
 */
export function beginAuthorization({ engine, use, fields, redirectUri, now }) {
  const answer = engine.authorizeBegin(use.connector.definition,
    engineContext(fields, use, { flow: { redirect_uri: redirectUri } }), { now });
  return answer.ok ? ok(answer.value) : { ok: false, error: answer.error };
}

/**
 * GET /oauth/callback: checks the callback against the pending record (state
 * in constant time, expiry, RFC 9207 iss, the provider's error), exchanges
 * the code and reads the tokens, then the identity request if the connector
 * has one: the engine's exchange operation. A refused callback (no `cause`)
 * sends nothing. `previous` is the account of the connection being replaced
 * ({identity, owner_id}, or null).
 * Answers connected(): {hash, identity, owner_id, scope, identity_problem, account_changed}.
 */
export async function completeAuthorization({ engine, use, pending, params, fields, previous = null, send, now }) {
  const exchanged = await runConnection(engine, use.connector.definition, 'exchange', { pending, params, previous }, {
    context: () => engineContext(fields, use),
    now: () => now,
    send,
  });
  return exchanged.ok ? ok(connected(exchanged.value)) : exchanged;
}

/**
 * What the engine's exchange and connect operations answer about the new
 * connection (SPEC §10): the hash to store, the identity (null when
 * unknown, with `identity_problem` saying why), the owner id, the granted
 * scope (oauth2) and `account_changed` {from, to} when a reconnect landed on
 * another account than `previous`.
 */
function connected(value) {
  return {
    hash: value.connection,
    identity: value.identity ?? null,
    owner_id: value.owner_id ?? null,
    scope: value.scope ?? null,
    identity_problem: value.identity_problem ?? null,
    account_changed: value.account_changed ?? null,
  };
}

// ---- connect without a redirect (api_key, basic_auth, custom_auth) -------------

/**
 * POST /api/apps/{id}/connect with fields: SPEC §6 `connect` — the
 * connector's `acquire` if it has one (merging what it returns), then its
 * test; only a passing test connects; then the identity request if the
 * connector has one: the engine's connect operation
 * (wasm/connection_loop.mjs). `previous` as for completeAuthorization.
 * Answers connected() and `tested`, or the engine's failure (with its SPEC
 * §4 `cause`).
 */
export async function acquireAndTest({ engine, use, fields, previous = null, send, now }) {
  const done = await runConnection(engine, use.connector.definition, 'connect', { previous }, {
    context: () => engineContext(fields, use),
    now: () => now,
    send,
  });
  if (!done.ok) return done;
  return ok({ ...connected(done.value), tested: done.value.tested });
}

// ---- refresh and test ------------------------------------------------------------

/**
 * The engine's refresh deadline for the connection loop's `use` and `check`
 * operations: {due, expired} (connection_loop.mjs refreshState).
 */
export function refreshDue({ engine, use, hash, now }) {
  return refreshState(engine, engineContext(hash, use), now);
}

/**
 * SPEC §2.2 `identity` (e.g. the account e-mail) of a stored connection, for
 * the authorization in force (engine.identity): the template over the
 * connection hash only. The exchange and connect operations answer the
 * identity themselves (id_token claims, the identity request). Nothing when
 * there is none or a value is missing.
 */
export function renderIdentity(engine, use, hash) {
  const answer = engine.identity(use.connector.definition, engineContext(hash, use));
  return answer.ok ? answer.value : null;
}

// ---- connection state (the engine's ConnectionState JSON) ---------------------
// Shape: {status, cause, detail, failure_streak, next_retry_at,
// last_success_at, last_working_version, history: [{at, from, to, cause,
// detail}]}, times in epoch seconds (wasm/core/connection_state.h). A null
// state is not_connected. The engine writes every state, so a refusal here
// is a bug, not an input error: it throws (index.mjs answers 500).

function value(answer, what) {
  if (!answer.ok) throw new Error(`connauth engine refused ${what}: ${JSON.stringify(answer.errors ?? answer.error)}`);
  return answer.value;
}

/** A request, refresh or test succeeded: connected (engine: stateSuccess). */
export function stateSuccess(engine, state, { now, connectorVersion }) {
  return value(engine.stateSuccess(state ?? null, { now, version: connectorVersion ?? null }), 'stateSuccess');
}

/**
 * A failure with a SPEC §4 cause: degraded with backoff, or lost (engine:
 * stateFailure), under `app`'s lifecycle policy (lost_after_failures,
 * backoff_base_seconds, backoff_cap_seconds; the engine's defaults without one).
 */
export function stateFailure(engine, state, { cause, detail, now, app = null }) {
  return value(engine.stateFailure(state ?? null, cause, detail, { now, settings: lifecycleSettings(app) }), 'stateFailure');
}

/** The user disconnected: not_connected, history kept (engine: stateDisconnect). */
export function stateDisconnect(engine, state, { now, detail }) {
  return value(engine.stateDisconnect(state ?? null, detail, { now }), 'stateDisconnect');
}

/**
 * What a connection view shows (engine: stateView): {status (disabled while
 * the app is), lost | degraded: {cause, message, action, detail},
 * next_retry_at, last_success_at, history}.
 */
export function stateView(engine, state, appEnabled = true) {
  return value(engine.stateView(state ?? null, appEnabled), 'stateView');
}

/** The SPEC §4 diagnosis a view shows for a degraded or lost state, else null. */
export function diagnosis(engine, state) {
  const view = stateView(engine, state);
  return view.lost ?? view.degraded ?? null;
}
