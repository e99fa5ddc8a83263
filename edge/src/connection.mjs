// The caller's own connection to an app (SPEC §4, §7): view, connect,
// check, disconnect; and the OAuth callback. The connection object is
// addressed from the verified session (org, sub) and the app, never from
// anything else in the request, so no caller can reach another's.
import { fail } from './result.mjs';
import { json } from './errors.mjs';
import { getEngine } from './engine.mjs';
import { LIMITS, readJsonObject } from './limits.mjs';
import { orgStore, connectionRef, connectionStore } from './stores.mjs';
import * as flows from './flows.mjs';

/**
 * The wire shape of a connection: {status, identity, expires_at, lost,
 * history, last_success_at}. `status` is `disabled` while the app is
 * disabled (SPEC §4); the stored status comes back on enable.
 */
export function connectionView(app, view) {
  return {
    app_id: app.id,
    status: app.enabled ? view.state.status : 'disabled',
    identity: view.identity,
    expires_at: view.expires_at,
    lost: view.lost,
    history: view.state.history,
    last_success_at: view.state.last_success_at,
  };
}

async function appAndConnection(env, session, id) {
  const app = await orgStore(env, session.org).appState(session.org, id);
  if (!app.ok) return app;
  const ref = connectionRef(session.org, id, app.value.generation, session.sub);
  return { ok: true, value: { app: app.value, ref, store: connectionStore(env, ref) } };
}

/** GET /api/apps/{id}/connection. */
export async function getConnection({ env, session, params }) {
  const found = await appAndConnection(env, session, params.id);
  if (!found.ok) return found;
  const { app, ref, store } = found.value;
  const view = await store.view(ref);
  return view.ok ? json(200, connectionView(app, view.value)) : view;
}

/** DELETE /api/apps/{id}/connection: the caller's tokens and field values are deleted. */
export async function disconnect({ env, session, params }) {
  const found = await appAndConnection(env, session, params.id);
  if (!found.ok) return found;
  const { app, ref, store } = found.value;
  const view = await store.disconnect(ref);
  return view.ok ? json(200, connectionView(app, view.value)) : view;
}

/**
 * POST /api/apps/{id}/connect. oauth2: {authorization_url, prompt, state}
 * (flows.beginAuthorization; phase 1: 501). Other types: body
 * {"fields": {...}}; the values are checked against the connector's fields,
 * run through flows.acquireAndTest, sealed into the caller's connection.
 */
export async function connect({ request, env, session, params }) {
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
  const type = flows.authorizationType(engine, use.connector.definition, fields);
  if (type === 'oauth2') {
    const begun = await flows.beginAuthorization({ engine, use, session });
    return begun.ok ? json(200, begun.value) : begun;
  }
  const checked = checkFields(described.value, fields, use.secrets.settings);
  if (!checked.ok) return checked;

  const ref = connectionRef(session.org, use.app.id, use.app.generation, session.sub);
  // Indexed before anything is written, so reset/delete can always find it.
  const registered = await store.registerConnection(session.org, use.app.id, use.app.generation, session.sub);
  if (!registered.ok) return registered;
  const acquired = await flows.acquireAndTest({ engine, use, fields: checked.value });
  if (!acquired.ok) return acquired;
  const connected = await connectionStore(env, ref).saveCredentials(ref, {
    hash: acquired.value.hash,
    identity: acquired.value.identity,
    expires_at: acquired.value.expires_at,
    connectorVersion: use.connector.version,
    detail: acquired.value.verified ? 'connected; the connection test passed' : 'connected with the entered values (not tested)',
  });
  return connected.ok ? json(200, connectionView(use.app, connected.value)) : connected;
}

/** POST /api/apps/{id}/check: runs the connector's test now (flows.testConnection; phase 1: 501). */
export async function check({ env, session, params }) {
  const found = await orgStore(env, session.org).appForUse(session.org, params.id);
  if (!found.ok) return found;
  const use = found.value;
  if (!use.app.enabled) return fail('app_disabled', 'the app is disabled: its connections cannot be used');
  const ref = connectionRef(session.org, use.app.id, use.app.generation, session.sub);
  const store = connectionStore(env, ref);
  const view = await store.view(ref);
  if (!view.ok) return view;
  if (view.value.state.status === 'not_connected') return fail('not_connected', 'you have not connected this app yet');
  const engine = await getEngine();
  const tested = await flows.testConnection({ engine, use, store, ref });
  if (!tested.ok) return tested;
  return json(200, connectionView(use.app, tested.value));
}

/** GET /oauth/callback (flows.completeAuthorization; phase 1: 501). */
export async function oauthCallback({ env, url }) {
  const done = await flows.completeAuthorization({ env, url });
  return done.ok ? done.value : done;
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
