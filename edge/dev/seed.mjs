// Registers the demo connectors and apps (demo/catalog.mjs) through the
// edge's own API with an admin session, as an admin would. Idempotent across
// restarts of scripts/dev: a connector gets a new version only when its
// definition changed; an app is found by name and only patched where it
// differs (the demo servers' URLs change when their ports do). Nothing else
// an admin changed (enabled, description, other apps) is touched.
import { DEMO_CONNECTORS, demoApps, loadConnector } from '../../demo/catalog.mjs';

// JSON with sorted keys, to compare definitions whatever their key order.
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * `call(method, path, body)` → {status, data} with the admin session.
 * `issuer`: the demo provider's issuer (RFC 9207 iss check on the callback).
 * Answers {connectors: {name: version}, apps: {connectorName: app}}.
 */
export async function seedDemo(call, { providerUrl, apiUrl, issuer }) {
  const connectors = {};
  for (const name of DEMO_CONNECTORS) {
    const definition = loadConnector(name);
    const current = await call('GET', `/api/connectors/${name}`);
    if (current.status === 200 && canonical(current.data.definition) === canonical(definition)) {
      connectors[name] = current.data.current;
      continue;
    }
    const put = await call('PUT', `/api/connectors/${name}`, definition);
    if (put.status !== 201) throw new Error(`seeding connector ${name}: HTTP ${put.status} ${JSON.stringify(put.data)}`);
    connectors[name] = put.data.version;
  }

  const listed = await call('GET', '/api/apps');
  if (listed.status !== 200) throw new Error(`listing apps: HTTP ${listed.status}`);
  const apps = {};
  for (const [connector, wanted] of Object.entries(demoApps({ providerUrl, apiUrl }))) {
    const body = { ...wanted, issuer };
    const found = listed.data.apps.find((a) => a.name === body.name && a.connector.split('@')[0] === connector);
    if (!found) {
      const created = await call('POST', '/api/apps', body);
      if (created.status !== 201) throw new Error(`seeding app ${body.name}: HTTP ${created.status} ${JSON.stringify(created.data)}`);
      apps[connector] = created.data;
      continue;
    }
    const patch = {};
    for (const key of ['connector', 'client_id', 'scopes', 'settings', 'issuer']) {
      if (canonical(found[key]) !== canonical(body[key])) patch[key] = body[key];
    }
    if (!found.client_secret_set) patch.client_secret = body.client_secret;
    if (Object.keys(patch).length === 0) {
      apps[connector] = found;
      continue;
    }
    const patched = await call('PATCH', `/api/apps/${found.id}`, patch);
    if (patched.status !== 200) throw new Error(`updating app ${body.name}: HTTP ${patched.status} ${JSON.stringify(patched.data)}`);
    apps[connector] = patched.data;
  }
  return { connectors, apps };
}
