// What OAUTH2 and OAUTH2_CC entries share about the token endpoint.
import { isObject } from './aliases.mjs';
import { Skip } from './skip.mjs';

/** `token_url`: a string, or Nango's per-mode object ({OAUTH2: url, ...}). */
export function tokenUrl(entry, mode) {
  let url = entry.take('token_url');
  if (url === undefined) throw new Skip(['token_url'], `auth_mode ${mode} needs a token_url`);
  if (isObject(url)) {
    if (typeof url[mode.replace('_', '')] !== 'string') throw new Skip(['token_url'], `has no ${mode.replace('_', '')} URL`);
    url = url[mode.replace('_', '')];
  }
  return entry.template(url, ['token_url'], { required: true });
}

/** Client authentication at the token endpoint: RFC 6749 §2.3.1 Basic when Nango says so, else the body. */
export function usesBasicClientAuth(entry) {
  const method = entry.take('token_request_auth_method');
  const authorization = entry.take('authorization_method');
  if (method !== undefined && method !== 'basic') entry.unmapped(['token_request_auth_method'], `"${method}" is not a client authentication connauth knows; the client authenticates in the body`);
  if (authorization !== undefined && authorization !== 'header' && authorization !== 'body') entry.unmapped(['authorization_method'], `"${authorization}" is not header or body`);
  return method === 'basic' || authorization === 'header';
}

/** `body_format`: form (the default) or json; anything else cannot be sent. */
export function bodyFormat(entry) {
  const format = entry.take('body_format');
  if (format === undefined || format === 'form') return 'form';
  if (format === 'json') return 'json';
  throw new Skip(['body_format'], `token requests in ${JSON.stringify(format)} cannot be sent; connauth sends form or JSON`);
}

/** `default_scopes` as a list of non-empty strings, or undefined. */
export function defaultScopes(entry) {
  const scopes = entry.take('default_scopes');
  if (scopes === undefined) return undefined;
  const list = Array.isArray(scopes) ? scopes : [scopes];
  if (!list.every((s) => typeof s === 'string')) {
    entry.unmapped(['default_scopes'], 'expected a list of scopes');
    return undefined;
  }
  const nonEmpty = list.filter((s) => s.length);
  return nonEmpty.length ? nonEmpty : undefined;
}

/** `token_response_metadata`: values of the token response kept in the connection (`merge`). */
export function responseMetadata(entry) {
  const keys = entry.take('token_response_metadata');
  if (keys === undefined) return undefined;
  if (!Array.isArray(keys)) {
    entry.unmapped(['token_response_metadata'], 'expected a list of token response keys');
    return undefined;
  }
  const merge = {};
  keys.forEach((key, i) => {
    if (typeof key !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key)) {
      entry.unmapped(['token_response_metadata', String(i)], 'expected a token response key');
      return;
    }
    // A value the provider leaves out stays empty rather than failing the
    // connect, as Nango skips it.
    merge[entry.fields.connectionConfig(key)] = `{{response.${key} | default: ""}}`;
  });
  return Object.keys(merge).length ? merge : undefined;
}

/** A params mapping (`authorization_params`, `token_params`) without the names the engine sends itself. */
export function extraParams(entry, key, reserved, implied) {
  const params = entry.take(key);
  if (params === undefined) return undefined;
  if (!isObject(params)) {
    entry.unmapped([key], 'expected a mapping');
    return undefined;
  }
  const out = {};
  for (const [name, value] of Object.entries(params)) {
    if (implied[name] !== undefined && String(value) === implied[name]) continue;
    if (reserved.includes(name)) {
      const how = implied[name] !== undefined ? ` as "${implied[name]}"` : name === 'scope' ? '; give scopes as default_scopes or in the app' : '';
      entry.unmapped([key, name], `the engine sets ${name} itself${how}`);
      continue;
    }
    const text = entry.template(value, [key, name]);
    if (text !== undefined) out[name] = text;
  }
  return Object.keys(out).length ? out : undefined;
}

/** `scope_separator`, or undefined (the engine's " "). */
export function scopeSeparator(entry) {
  const separator = entry.take('scope_separator');
  if (separator === undefined) return undefined;
  if (typeof separator !== 'string' || !separator.length) {
    entry.unmapped(['scope_separator'], 'expected a non-empty string');
    return undefined;
  }
  return separator;
}
