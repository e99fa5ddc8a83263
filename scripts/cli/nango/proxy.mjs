// Nango's `proxy` block: where requests go (`base_url` -> the connector's
// `base_uri`), what every request carries (`headers`, `query` -> one apply
// rule) and how a connection is checked (`verification` -> `test`).
import { isObject } from './aliases.mjs';
import { IGNORED_PROXY } from './keys.mjs';
import { Skip } from './skip.mjs';

/**
 * @param isDefaultHeader (name, value) -> true for a header the auth mode's
 *        own apply rule already sends (dropped, not translated)
 * @returns {{ base_uri?, headers?, params?, test? }}
 */
export function mapProxy(entry, isDefaultHeader = () => false) {
  const proxy = entry.take('proxy');
  if (proxy === undefined) return {};
  if (!isObject(proxy)) {
    entry.unmapped(['proxy'], 'expected a mapping');
    return {};
  }
  const out = {};
  const at = (...path) => ['proxy', ...path];
  if (proxy.base_url !== undefined) {
    const base = entry.template(proxy.base_url, at('base_url'));
    // Relative URLs resolve by RFC 3986 §5.2, so the base needs its trailing
    // slash for Nango's endpoints to stay under it (docs/behaviour.md, URLs).
    if (base !== undefined) out.base_uri = base.endsWith('/') ? base : `${base}/`;
  }
  if (proxy.headers !== undefined) {
    const headers = isObject(proxy.headers)
      ? Object.fromEntries(Object.entries(proxy.headers).filter(([k, v]) => !isDefaultHeader(k, v)))
      : proxy.headers;
    out.headers = required(entry, headers, at('headers'));
  }
  if (proxy.query !== undefined) out.params = required(entry, proxy.query, at('query'));
  if (proxy.verification !== undefined) out.test = verification(entry, proxy.verification, out.base_uri);
  for (const key of Object.keys(proxy)) {
    if (['base_url', 'headers', 'query', 'verification'].includes(key)) continue;
    if (IGNORED_PROXY[key]) entry.note(at(key), `ignored: ${IGNORED_PROXY[key]}`);
    else entry.unmapped(at(key), 'connauth has no equivalent');
  }
  return out;
}

// Headers and query parameters of every request usually carry the
// credentials: one that cannot be translated means a connector that would not
// authenticate, so the entry is not imported.
function required(entry, object, path) {
  if (!isObject(object)) throw new Skip(path, 'expected a mapping');
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, entry.template(v, [...path, k], { required: true })]));
}

// `verification: {method, endpoints, headers, base_url_override}` -> `test`
// on the first endpoint.
function verification(entry, check, base_uri) {
  const at = (...path) => ['proxy', 'verification', ...path];
  if (!isObject(check) || !Array.isArray(check.endpoints) || typeof check.endpoints[0] !== 'string') {
    entry.unmapped(at(), 'expected a mapping with a list of endpoints');
    return undefined;
  }
  let url = entry.template(check.endpoints[0], at('endpoints', '0'));
  if (url === undefined) return undefined;
  if (check.base_url_override !== undefined) {
    const base = entry.template(check.base_url_override, at('base_url_override'));
    if (base === undefined) return undefined;
    url = base.replace(/\/$/, '') + '/' + url.replace(/^\//, '');
  } else if (!/^https?:\/\//.test(url)) {
    if (!base_uri) {
      entry.unmapped(at('endpoints', '0'), 'a relative endpoint needs proxy.base_url');
      return undefined;
    }
    // The base itself when the endpoint is "/" (RFC 3986 §5.2: "./").
    url = url.replace(/^\//, '') || './';
  }
  const test = {};
  if (check.method !== undefined && String(check.method).toUpperCase() !== 'GET') test.method = String(check.method).toUpperCase();
  test.url = url;
  if (check.headers !== undefined) test.headers = entry.templates(check.headers, at('headers'));
  for (const key of Object.keys(check)) {
    if (['method', 'endpoints', 'headers', 'base_url_override'].includes(key)) continue;
    entry.unmapped(at(key), key === 'data' ? 'the check request is sent without a body' : 'connauth has no equivalent');
  }
  return test;
}
