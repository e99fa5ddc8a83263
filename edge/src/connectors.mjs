// /api/connectors (SPEC §7, admins only): versioned connector definitions.
// Validation is the engine's: its problems go out as `details` unchanged.
import { fail } from './result.mjs';
import { json } from './errors.mjs';
import { getEngine } from './engine.mjs';
import { LIMITS, readJsonObject } from './limits.mjs';
import { CONNECTOR_NAME } from './app_model.mjs';
import { orgStore } from './stores.mjs';
import { invalidateOrg } from './proxy_cache.mjs';
import { connectorEtag, ifMatch } from './preconditions.mjs';

const badName = () => fail('invalid_connector', 'the connector is invalid', {
  details: [{ path: '/name', message: 'must match ^[a-z][a-z0-9_-]{0,63}$' }],
});

/**
 * PUT /api/connectors/{name}: a new version → 201 {name, version,
 * warnings?, secret_fields_applied?}: the engine's warnings (apply rules that
 * send the app's client_secret) and the secret fields apply rules send, which
 * members can read back when an app sets them in its settings
 * (docs/security.md).
 */
export async function putConnector({ request, env, session, params }) {
  if (!CONNECTOR_NAME.test(params.name)) return badName();
  const condition = ifMatch(request);
  if (!condition.ok) return condition;
  const body = await readJsonObject(request, LIMITS.connectorBytes);
  if (!body.ok) return body;
  const engine = await getEngine();
  const validated = engine.validate(body.value);
  if (!validated.ok) return fail('invalid_connector', 'the connector is invalid', { details: validated.errors });
  if (body.value.name !== params.name) {
    return fail('invalid_connector', 'the connector is invalid', {
      details: [{ path: '/name', message: `must equal the name in the URL ("${params.name}")` }],
    });
  }
  let stored;
  try {
    stored = await orgStore(env, session.org).putConnector(session.org, params.name, body.value, session.sub, condition.value);
  } finally {
    invalidateOrg(session.org); // apps on the current version now use this one (proxy_cache.mjs)
  }
  if (!stored.ok) return stored;
  const { warnings, secret_fields_applied: applied } = validated.value;
  return json(201, { ...stored.value, ...(warnings ? { warnings } : {}), ...(applied ? { secret_fields_applied: applied } : {}) },
    { etag: connectorEtag(stored.value.version) });
}

/**
 * GET /api/connectors/{name}[?version=n]: the current definition (or
 * version n's), what the engine reads from it, and every version. The ETag
 * names the current version (what If-Match on PUT and rollback compares),
 * whichever version is shown.
 */
export async function getConnector({ env, session, params, url }) {
  if (!CONNECTOR_NAME.test(params.name)) return fail('not_found', `no connector named ${params.name}`);
  let version = null;
  if (url.searchParams.has('version')) {
    version = Number(url.searchParams.get('version'));
    if (!Number.isInteger(version) || version < 1) return fail('invalid_request', 'version must be a positive integer');
  }
  const found = await orgStore(env, session.org).getConnector(session.org, params.name, version);
  if (!found.ok) return found;
  const engine = await getEngine();
  const described = engine.describe(found.value.definition);
  return json(200, { ...found.value, summary: described.ok ? described.value : null }, { etag: connectorEtag(found.value.current) });
}

/** GET /api/connectors: every connector's name and current version (console convenience). */
export async function listConnectors({ env, session }) {
  const listed = await orgStore(env, session.org).listConnectors(session.org);
  return listed.ok ? json(200, { connectors: listed.value }) : listed;
}

/** POST /api/connectors/{name}/rollback {"version": n} → 201 {name, version} (a new version). */
export async function rollbackConnector({ request, env, session, params }) {
  if (!CONNECTOR_NAME.test(params.name)) return fail('not_found', `no connector named ${params.name}`);
  const condition = ifMatch(request);
  if (!condition.ok) return condition;
  const body = await readJsonObject(request);
  if (!body.ok) return body;
  const { version } = body.value;
  if (!Number.isInteger(version) || version < 1) {
    return fail('invalid_request', 'the request is invalid', {
      details: [{ path: '/version', message: 'must be a positive integer' }],
    });
  }
  let restored;
  try {
    restored = await orgStore(env, session.org).rollbackConnector(session.org, params.name, version, session.sub, condition.value);
  } finally {
    invalidateOrg(session.org);
  }
  return restored.ok
    ? json(201, { ...restored.value, restored_from: version }, { etag: connectorEtag(restored.value.version) }) : restored;
}
