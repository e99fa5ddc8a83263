// The seam between the edge host and the engine's flows (SPEC §3, §4): OAuth
// authorization, token refresh, the connection test, and the connection
// state machine with its diagnosis. The engine owns all of that logic (JSON
// in/out, Result envelopes: authorizeBegin / authorizeCallback /
// authorizeFinish, refreshBegin / refreshFinish, needsRefresh, testBegin /
// testFinish, stateSuccess / stateFailure). This file only does what a host
// does around them: build the engine context, send the requests the engine
// builds (sans-I/O, STYLE.md), hand back the responses.
//
// PHASE 1: those engine methods do not exist yet. Each function below says
// what it will do and what it does until then; nothing here decides a
// protocol or a diagnosis beyond the phase-1 placeholders marked as such.
// Every function answers a Result (result.mjs). `fetch`, where passed, is
// upstream.mjs fetchUpstream bound to the app's egress list: (url, init) →
// Result<Response>.
import { ok, fail } from './result.mjs';

/** History entries kept per connection (the engine's kHistoryLimit). */
export const HISTORY_LIMIT = 50;

/**
 * The engine context for one connection (wasm/connauth.d.ts Context): the
 * flat connection hash and the app's client and settings. Settings win over
 * the user's values inside the engine (scope.cpp).
 */
export function engineContext(hash, use) {
  return {
    connection: hash ?? {},
    app: {
      client_id: use.app.client_id ?? undefined,
      client_secret: use.secrets.client_secret ?? undefined,
      scopes: use.app.scopes,
      settings: use.secrets.settings,
    },
  };
}

/**
 * The authorization type in force for a connection: the connector's, or for
 * `multi` the option the connection selected. PHASE 1 approximation: the
 * default selector `{{connection.auth_type}}`; the engine's resolve_context
 * is the authority once flows expose it.
 */
export function authorizationType(engine, definition, hash = {}) {
  const described = engine.describe(definition);
  if (!described.ok) return null;
  const { type, options } = described.value;
  if (type !== 'multi') return type;
  return options?.find((o) => o.key === hash.auth_type)?.type ?? null;
}

// ---- connect --------------------------------------------------------------

/**
 * POST /api/apps/{id}/connect for non-oauth2 types: SPEC §6 `connect` —
 * run the connector's `acquire` (custom_auth), merge what it returns, then
 * the `test` request; only a passing test connects.
 * Engine: testBegin/testFinish (+ acquire through the same begin/finish pair).
 * PHASE 1: the entered values become the connection hash unverified.
 */
export async function acquireAndTest({ fields }) {
  return ok({ hash: { ...fields }, identity: null, expires_at: null, verified: false });
}

/**
 * POST /api/apps/{id}/connect for oauth2: SPEC §3 authorization URL with
 * state (bound to org, user, app; 10 minutes; single-use) and PKCE.
 * Engine: authorizeBegin. PHASE 1: not implemented.
 */
export async function beginAuthorization() {
  return fail('not_implemented', 'OAuth 2.0 connections are not available yet');
}

/**
 * GET /oauth/callback: checks state and iss, exchanges the code.
 * Engine: authorizeCallback / authorizeFinish. PHASE 1: not implemented.
 */
export async function completeAuthorization() {
  return fail('not_implemented', 'OAuth 2.0 callbacks are not available yet');
}

// ---- refresh and test -----------------------------------------------------

/**
 * SPEC §3 proactive refresh: now >= expires_at - refresh_buffer.
 * Engine: needsRefresh. PHASE 1: never (refresh happens on signals only).
 */
export function needsRefresh() {
  return false;
}

/**
 * Obtains fresh credentials for `hash` (ConnectionStore.refresh calls this
 * inside its single flight). Answers {hash, expires_at, identity} or an error
 * carrying the `cause` (SPEC §4) and a secret-free `detail`.
 * Engine: refreshBegin → fetch → refreshFinish (oauth2 refresh grant or the
 * connector's `refresh`, custom_auth `acquire`).
 * PHASE 1: oauth2 answers not_implemented; the other types have nothing to
 * refresh with, so the stored credentials count as rejected.
 */
export async function refreshCredentials({ engine, use, hash }) {
  const type = authorizationType(engine, use.connector.definition, hash);
  if (type === 'oauth2' || type === 'custom_auth') {
    return fail('not_implemented', `refreshing ${type} connections is not available yet`);
  }
  return fail('cannot_refresh', 'the provider rejected the stored credentials', {
    cause: 'credentials_rejected',
    detail: `${type ?? 'these'} credentials cannot be refreshed; the provider rejected a request`,
  });
}

/**
 * POST /api/apps/{id}/check: SPEC §4 runs the connector's test now.
 * Engine: testBegin → fetch → testFinish, then stateSuccess/stateFailure.
 * PHASE 1: not implemented.
 */
export async function testConnection() {
  return fail('not_implemented', 'checking a connection is not available yet');
}

// ---- connection state (the engine's ConnectionState JSON) -----------------
// Shape: {status, cause, detail, failure_streak, next_retry_at,
// last_success_at, last_working_version, history: [{at, from, to, cause, detail}]}
// with times in epoch seconds (wasm/core/connection_state.h).

/** The state of a connection that never connected. */
export function initialState() {
  return { status: 'not_connected', cause: null, detail: '', failure_streak: 0, next_retry_at: null,
    last_success_at: null, last_working_version: null, history: [] };
}

/** Engine: stateSuccess. PHASE 1: connected, streak cleared, version remembered. */
export function stateSuccess(state, { now, connectorVersion, detail = '' }) {
  const next = change(state, 'connected', null, detail, now);
  return { ...next, cause: null, detail: '', failure_streak: 0, next_retry_at: null,
    last_success_at: now, last_working_version: connectorVersion ?? state.last_working_version };
}

/**
 * Engine: stateFailure (backoff and jitter for transient causes, SPEC §4).
 * PHASE 1: only permanent causes occur, and they lose the connection.
 */
export function stateFailure(state, { cause, detail, now }) {
  const next = change(state, 'lost', cause, detail, now);
  return { ...next, cause, detail, failure_streak: state.failure_streak + 1, next_retry_at: null };
}

/** The user disconnected: not_connected (engine: record_disconnect). */
export function stateDisconnect(state, { now, detail }) {
  const next = change(state, 'not_connected', null, detail, now);
  return { ...next, cause: null, detail: '', failure_streak: 0, next_retry_at: null };
}

function change(state, to, cause, detail, now) {
  if (state.status === to && state.cause === cause) return state; // no change to record
  const history = [...state.history, { at: now, from: state.status, to, cause, detail }];
  return { ...state, status: to, history: history.slice(-HISTORY_LIMIT) };
}

/**
 * The `lost` object of SPEC §4 for a cause: {cause, message, action}.
 * Engine: the diagnosis of stateFailure (diagnosis.cpp). PHASE 1: the one
 * cause phase 1 produces, and a neutral text for anything else.
 */
export function diagnose(cause) {
  if (cause === 'credentials_rejected') {
    return { cause, message: 'The provider rejected the stored credentials: the key or password was revoked or changed.',
      action: 'Enter new credentials for this connection.' };
  }
  return { cause, message: 'The connection stopped working.', action: 'Reconnect.' };
}
