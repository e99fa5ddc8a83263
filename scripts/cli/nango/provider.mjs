// One Nango provider entry -> one connauth connector (docs/connectors.md),
// or a Skip saying why there is none. Every key of the entry ends up mapped,
// dropped as presentation, or in the report.
import { mapProxy } from './proxy.mjs';
import { PRESENTATION, IGNORED, UNMAPPED, BLOCKING } from './keys.mjs';
import { Skip } from './skip.mjs';
import { isObject } from './aliases.mjs';
import * as oauth2 from './oauth2.mjs';
import * as clientCredentials from './client_credentials.mjs';
import * as apiKey from './api_key.mjs';
import * as basic from './basic.mjs';
import * as oauth1 from './oauth1.mjs';

const MODES = { OAUTH2: oauth2, OAUTH2_CC: clientCredentials, API_KEY: apiKey, BASIC: basic, OAUTH1: oauth1 };
const NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** @param entry an Entry (entry.mjs) @throws Skip */
export function mapProvider(entry) {
  if (!NAME.test(entry.name)) {
    throw new Skip([], `"${entry.name}" is not a connector name (^[a-z][a-z0-9_-]{0,63}$); rename the entry to import it`);
  }
  const authMode = entry.take('auth_mode');
  const mode = typeof authMode === 'string' && Object.hasOwn(MODES, authMode) ? MODES[authMode] : undefined;
  if (!mode) {
    throw new Skip(['auth_mode'], authMode === undefined ? 'the entry has no auth_mode'
      : `auth_mode ${typeof authMode === 'string' ? authMode : JSON.stringify(authMode)} has no connauth mapping (mapped: ${Object.keys(MODES).join(', ')})`);
  }
  for (const key of Object.keys(BLOCKING)) {
    if (entry.take(key) !== undefined) throw new Skip([key], BLOCKING[key]);
  }
  entry.placeholders = mode.placeholders;
  const proxy = mapProxy(entry, mode.isDefaultHeader);
  const authorization = mode.authorize(entry, proxy);

  const connector = { name: entry.name };
  const title = entry.take('display_name');
  if (typeof title === 'string' && title.trim()) connector.title = title;
  const docs = entry.take('docs');
  if (typeof docs === 'string' && docs.trim()) {
    if (/^https:\/\/\S+$/.test(docs.trim())) connector.documentation = docs.trim();
    else entry.unmapped(['docs'], 'not an https URL, which a connector\'s documentation must be');
  }
  const fields = entry.fields.list();
  for (const key of ['connection_config', 'credentials']) {
    const value = entry.take(key);
    if (value !== undefined && !isObject(value)) entry.unmapped([key], 'expected a mapping of keys to their descriptions');
  }
  const listed = entry.take('connection_configuration');
  if (listed !== undefined && !Array.isArray(listed)) entry.unmapped(['connection_configuration'], 'expected a list of keys');
  if (fields.length || proxy.base_uri) {
    connector.connection = {};
    if (fields.length) connector.connection.fields = fields;
    if (proxy.base_uri) connector.connection.base_uri = proxy.base_uri;
  }
  connector.authorization = authorization;
  if (proxy.test) connector.test = proxy.test;

  for (const key of entry.untaken()) {
    if (PRESENTATION.has(key)) continue;
    if (IGNORED[key]) entry.note([key], `ignored: ${IGNORED[key]}`);
    else if (UNMAPPED[key]) entry.unmapped([key], UNMAPPED[key]);
    else entry.unmapped([key], `not mapped for auth_mode ${authMode}`);
  }
  return connector;
}
