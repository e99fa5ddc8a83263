// The caller's own connection to an app (SPEC §4, §7): view, connect,
// check, disconnect. The connection object is addressed from the verified
// session (org, sub) and the app, never from anything else in the request,
// so no caller can reach another's. (The OAuth callback is oauth.mjs.)
import { fail } from './result.mjs';
import { json } from './errors.mjs';
import { getEngine } from './engine.mjs';
import { LIMITS, readJsonObject } from './limits.mjs';
import { orgStore, connectionRef, connectionStore } from './stores.mjs';
import { beginOAuthConnect, previousAccount, accountNews } from './oauth.mjs';
import * as flows from './flows.mjs';
import { invalidateConnection } from './proxy_cache.mjs';

/**
 * The wire shape of a connection: {app_id, status, identity, scope,
 * expires_at, lost, next_retry_at, last_success_at, history}. From the
 * engine's stateView: `status` is `disabled` while the app is disabled
 * (SPEC §4; the stored status comes back on enable); `lost` is the diagnosis
 * {cause, message, action, detail} while degraded or lost, else null;
 * `scope` the scope the provider granted (SPEC §10; oauth2), else null.
 */
export function connectionView(engine, app, view) {
  const shown = flows.stateView(engine, view.state, app.enabled);
  return {
    app_id: app.id,
    status: shown.status,
    identity: view.identity,
    scope: view.scope ?? null,
    expires_at: view.expires_at,
    lost: shown.lost ?? shown.degraded ?? null,
    next_retry_at: shown.next_retry_at ?? null,
    last_success_at: shown.last_success_at ?? null,
    history: shown.history,
  };
}

async function appAndConnection(env, session, id) {
  const app = await orgStore(env, session.org).appState(session.org, id);
  if (!app.ok) return app;
  const ref = connectionRef(session.org, id, app.value.generation, session.sub);
  return { ok: true, value: { app: app.value, ref, store: connectionStore(env, ref) } };
}

// The caller's connection changes (stored credentials, state): the proxy's
// cached credentials for it are dropped once the ConnectionStore has
// answered, whatever it answered (proxy_cache.mjs).
async function changingConnection(session, id, change) {
  try {
    return await change();
  } finally {
    invalidateConnection(session.org, id, session.sub);
  }
}

async function answerView(app, view) {
  return view.ok ? json(200, connectionView(await getEngine(), app, view.value)) : view;
}

/** GET /api/apps/{id}/connection. */
export async function getConnection({ env, session, params }) {
  const found = await appAndConnection(env, session, params.id);
  if (!found.ok) return found;
  const { app, ref, store } = found.value;
  return answerView(app, await store.view(ref));
}

/**
 * DELETE /api/apps/{id}/connection: the caller's tokens and field values are
 * deleted; then revoked at the provider (SPEC §9), which the answer does not
 * wait for. An app whose connector is missing still disconnects, unrevoked.
 */
export async function disconnect({ env, session, params }) {
  const found = await appAndConnection(env, session, params.id);
  if (!found.ok) return found;
  const { app, ref, store } = found.value;
  const use = await orgStore(env, session.org).appForUse(session.org, params.id);
  return answerView(app, await changingConnection(session, params.id, () => store.disconnect(ref, use.ok ? use.value : null)));
}

/**
 * POST /api/apps/{id}/connect. oauth2: {authorization_url, prompt, state,
 * noopener} (oauth.mjs). Other types: body {"fields": {...}}; the values
 * are checked by the engine (flows.connectForm: the option in force, field
 * problems at /fields/<name>, defaults), then the connector's acquire
 * (if any) and test run (flows.acquireAndTest); only then are they sealed
 * into the caller's connection, which is answered with `identity_problem`
 * and `account_changed` {from, to} when there is something to say (SPEC
 * §10). A failed test answers 422 connect_failed
 * (503 provider_unavailable when the provider is down) with the diagnosis
 * in `lost`, and stores nothing.
 */
export async function connect({ request, env, session, params, url }) {
  const store = orgStore(env, session.org);
  const found = await store.appForUse(session.org, params.id);
  if (!found.ok) return found;
  const use = found.value;
  if (!use.app.enabled) return fail('app_disabled', 'the app is disabled: no new connections');
  const body = await readJsonObject(request);
  if (!body.ok) return body;
  const fields = body.value.fields ?? {};

  if (JSON.stringify(fields).length > LIMITS.connectionFieldsBytes) {
    return fail('payload_too_large', `the connection fields exceed ${LIMITS.connectionFieldsBytes} bytes`);
  }

  const engine = await getEngine();
  const form = flows.connectForm(engine, use, fields);
  if (!form.ok) return fail('connector_error', 'the app\'s connector is invalid', { details: form.errors });
  if (form.value.problems.length) {
    return fail('invalid_fields', 'the connection fields are invalid', { details: form.value.problems });
  }
  const values = form.value.values;
  if (form.value.type === 'oauth2') {
    // The values entered (a `multi` choice, a subdomain) start the
    // connection hash at the callback; the provider's page does the rest.
    return beginOAuthConnect({ request, env, url, session, use, fields: values });
  }

  const ref = connectionRef(session.org, use.app.id, use.app.generation, session.sub);
  const before = await connectionStore(env, ref).view(ref);
  const acquired = await flows.acquireAndTest({
    engine, use, fields: values, previous: before.ok ? previousAccount(before.value) : null,
    send: flows.sender(engine, use), now: Math.floor(Date.now() / 1000),
  });
  if (!acquired.ok) return connectFailure(acquired.error);
  // Indexed before anything is written, so reset/delete can always find it.
  const registered = await store.registerConnection(session.org, use.app.id, use.app.generation, session.sub);
  if (!registered.ok) return registered;
  const connected = await changingConnection(session, use.app.id, () => connectionStore(env, ref).saveCredentials(ref, {
    ...acquired.value,
    connectorVersion: use.connector.version,
    keepaliveSeconds: use.app.keepalive_seconds,
  }));
  if (!connected.ok) return connected;
  const { identity_problem: problem, account_changed: changed } = accountNews(acquired.value);
  return json(200, { ...connectionView(engine, use.app, connected.value), ...(problem ? { identity_problem: problem } : {}),
    ...(changed ? { account_changed: changed } : {}) });
}

// A connect whose acquire or test failed: the engine's diagnosis, nothing stored.
function connectFailure(error) {
  if (!error.cause) return { ok: false, error };
  const lost = { cause: error.cause, message: error.message, action: error.action ?? '', detail: error.detail };
  const code = error.cause === 'provider_unavailable' ? 'provider_unavailable' : 'connect_failed';
  return fail(code, `${error.message}${error.action ? ` ${error.action}` : ''}`, { lost, details: error.problems });
}

/**
 * POST /api/apps/{id}/check: runs the connector's test now, even while the
 * connection backs off or is lost (ConnectionStore.check), and answers the
 * connection — degraded or lost with the diagnosis if the test failed.
 */
export async function check({ env, session, params }) {
  const found = await orgStore(env, session.org).appForUse(session.org, params.id);
  if (!found.ok) return found;
  const use = found.value;
  if (!use.app.enabled) return fail('app_disabled', 'the app is disabled: its connections cannot be used');
  const ref = connectionRef(session.org, use.app.id, use.app.generation, session.sub);
  return answerView(use.app, await changingConnection(session, use.app.id, () => connectionStore(env, ref).check(ref, use)));
}
