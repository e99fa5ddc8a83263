// The caller's own connection to an app (SPEC §4, §7): view, connect,
// check, disconnect. The connection object is addressed from the verified
// session (org, sub) and the app, never from anything else in the request,
// so no caller can reach another's. (The OAuth callback is oauth.mjs.)
import { fail } from './result.mjs';
import { json } from './errors.mjs';
import { getEngine } from './engine.mjs';
import { LIMITS, readJsonObject } from './limits.mjs';
import { orgStore, connectionRef, connectionStore } from './stores.mjs';
import { beginOAuthConnect } from './oauth.mjs';
import * as flows from './flows.mjs';
import { invalidateConnection } from './proxy_cache.mjs';

/**
 * The wire shape of a connection: {app_id, status, identity, expires_at,
 * lost, next_retry_at, last_success_at, history}. From the engine's
 * stateView: `status` is `disabled` while the app is disabled (SPEC §4; the
 * stored status comes back on enable); `lost` is the diagnosis
 * {cause, message, action, detail} while degraded or lost, else null.
 */
export function connectionView(engine, app, view) {
  const shown = flows.stateView(engine, view.state, app.enabled);
  return {
    app_id: app.id,
    status: shown.status,
    identity: view.identity,
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

/** DELETE /api/apps/{id}/connection: the caller's tokens and field values are deleted. */
export async function disconnect({ env, session, params }) {
  const found = await appAndConnection(env, session, params.id);
  if (!found.ok) return found;
  const { app, ref, store } = found.value;
  return answerView(app, await changingConnection(session, params.id, () => store.disconnect(ref)));
}

/**
 * POST /api/apps/{id}/connect. oauth2: {authorization_url, prompt, state,
 * noopener} (oauth.mjs). Other types: body {"fields": {...}}; the values
 * are checked against the connector's fields, then the connector's acquire
 * (if any) and test run (flows.acquireAndTest); only then are they sealed
 * into the caller's connection. A failed test answers 422 connect_failed
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

  const engine = await getEngine();
  const described = engine.describe(use.connector.definition);
  if (!described.ok) return fail('connector_error', 'the app\'s connector is invalid', { details: described.errors });
  const checked = checkFields(described.value, fields, use.secrets.settings);
  if (!checked.ok) return checked;
  if (flows.authorizationType(engine, use.connector.definition, fields, use.secrets.settings) === 'oauth2') {
    // The values entered (a `multi` choice, a subdomain) start the
    // connection hash at the callback; the provider's page does the rest.
    return beginOAuthConnect({ request, env, url, session, use, fields: checked.value });
  }

  const ref = connectionRef(session.org, use.app.id, use.app.generation, session.sub);
  const acquired = await flows.acquireAndTest({
    engine, use, fields: checked.value, send: flows.sender(engine, use), now: Math.floor(Date.now() / 1000),
  });
  if (!acquired.ok) return connectFailure(acquired.error);
  // Indexed before anything is written, so reset/delete can always find it.
  const registered = await store.registerConnection(session.org, use.app.id, use.app.generation, session.sub);
  if (!registered.ok) return registered;
  const connected = await changingConnection(session, use.app.id, () => connectionStore(env, ref).saveCredentials(ref, {
    hash: acquired.value.hash,
    identity: acquired.value.identity,
    connectorVersion: use.connector.version,
  }));
  return connected.ok ? json(200, connectionView(engine, use.app, connected.value)) : connected;
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

// The entered values against the connector's fields (engine.describe): only
// declared fields; strings, numbers or booleans; every required field given
// (or set by the app's settings, which win anyway). `multi` adds the
// selected option's fields and its selector `auth_type` (SPEC §2.2).
function checkFields(description, fields, settings) {
  const details = [];
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    return fail('invalid_fields', 'the connection fields are invalid', {
      details: [{ path: '/fields', message: 'must be an object of field values' }],
    });
  }
  if (JSON.stringify(fields).length > LIMITS.connectionFieldsBytes) {
    return fail('payload_too_large', `the connection fields exceed ${LIMITS.connectionFieldsBytes} bytes`);
  }
  const declared = new Map(description.fields.map((f) => [f.name, f]));
  if (description.type === 'multi') {
    const keys = (description.options ?? []).map((o) => o.key);
    const selected = fields.auth_type ?? settings.auth_type;
    const option = description.options?.find((o) => o.key === selected);
    if (!declared.has('auth_type')) declared.set('auth_type', { name: 'auth_type', optional: false });
    if (!option) details.push({ path: '/fields/auth_type', message: `must be one of ${keys.join(', ')}` });
    else for (const f of option.fields) declared.set(f.name, f);
  }
  for (const [name, value] of Object.entries(fields)) {
    const at = `/fields/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!declared.has(name)) details.push({ path: at, message: 'is not a field of this connector' });
    else if (!['string', 'number', 'boolean'].includes(typeof value)) details.push({ path: at, message: 'must be a string, number or boolean' });
  }
  for (const f of declared.values()) {
    const given = fields[f.name];
    const missing = given === undefined || given === '';
    if (missing && !f.optional && f.default === undefined && (settings[f.name] ?? null) === null) {
      details.push({ path: `/fields/${f.name}`, message: 'is required' });
    }
  }
  if (details.length) return fail('invalid_fields', 'the connection fields are invalid', { details });
  const values = {};
  for (const [name, value] of Object.entries(fields)) if (value !== '') values[name] = value;
  return { ok: true, value: values };
}
