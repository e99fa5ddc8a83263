// The connection-loop scenarios' provider and connectors, shared by every
// host's runner: `answer(method, path)` plays a scenario's scripted statuses
// and counts what each endpoint was asked.
import { readFileSync } from 'node:fs';

export const { scenarios } = JSON.parse(readFileSync(new URL('./connection_loop.json', import.meta.url), 'utf8'));

/** The scenario's connector, with its base URI (which must end in a slash). */
export function connectorFor(scenario, baseUri) {
  const common = {
    connection: { base_uri: baseUri, fields: [] },
    test: { method: 'GET', url: 'me' },
  };
  if (scenario.connector === 'key') {
    return {
      name: 'scenario_key', ...common,
      connection: { ...common.connection, fields: [{ name: 'key', label: 'Key', secret: true }] },
      authorization: { type: 'api_key', apply: [{ headers: { 'X-Key': '{{connection.key}}' } }], refresh_on: [401] },
    };
  }
  return {
    name: 'scenario_session', ...common,
    connection: { ...common.connection, fields: [{ name: 'user', label: 'User' }] },
    authorization: {
      type: 'custom_auth',
      acquire: { request: { method: 'POST', url: 'token', json: { user: '{{connection.user}}' } } },
      apply: [{ headers: { Authorization: 'Bearer {{access_token}}' } }],
      refresh_on: [401],
    },
  };
}

/** The fields a user enters to connect. */
export const fieldsFor = (scenario) => (scenario.connector === 'key' ? { key: 'scenario-key' } : { user: 'ann' });

/** The app settings: a refresh buffer that makes a short token due at once. */
export const appFor = (scenario) => (scenario.expires_in ? { refresh_buffer: 120 } : {});

/** A scripted provider for one scenario. `connected()` starts counting the token endpoint's script. */
export function scriptedProvider(scenario) {
  const counts = { token: 0, api: 0, test: 0 };
  let connecting = true;
  let issued = 0;
  const next = (script, n) => script[Math.min(n, script.length - 1)];
  return {
    counts,
    connected() {
      connecting = false;
      counts.token = 0;
      counts.api = 0;
      counts.test = 0;
    },
    /** -> {status, contentType, body} for a request to `path` (relative to the base URI). */
    answer(method, path) {
      if (path === 'token' && method === 'POST') {
        const status = connecting ? 200 : next(scenario.token ?? [200], counts.token);
        counts.token += 1;
        if (status !== 200) return { status, contentType: 'application/json', body: JSON.stringify({ error: 'refused' }) };
        issued += 1;
        const lifetime = connecting && scenario.expires_in ? scenario.expires_in : 3600;
        return { status, contentType: 'application/json', body: JSON.stringify({ access_token: `token-${issued}`, expires_in: lifetime }) };
      }
      if (path === 'me') {
        // The test at connect time passes; the script plays after it.
        if (connecting) return { status: 200, contentType: 'text/plain', body: 'test 200' };
        const status = next(scenario.test ?? [200], counts.test);
        counts.test += 1;
        return { status, contentType: 'text/plain', body: `test ${status}` };
      }
      if (path === 'thing') {
        const status = next(scenario.api, counts.api);
        counts.api += 1;
        return { status, contentType: 'text/plain', body: `upstream ${status}` };
      }
      return { status: 404, contentType: 'text/plain', body: 'no such endpoint' };
    },
  };
}
