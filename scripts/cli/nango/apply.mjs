// The connector's apply rule: the auth mode's own credential placement plus
// the headers and query parameters Nango's proxy adds to every request.

/** @returns the `apply` array, or undefined when there is nothing to add to the type's default */
export function applyRules(proxy, own = {}) {
  const rule = { ...own };
  if (proxy.headers && Object.keys(proxy.headers).length) rule.headers = { ...own.headers, ...proxy.headers };
  if (proxy.params && Object.keys(proxy.params).length) rule.params = { ...own.params, ...proxy.params };
  return Object.keys(rule).length ? [rule] : undefined;
}

export function hasHeader(headers, name) {
  return Object.keys(headers ?? {}).some((k) => k.toLowerCase() === name.toLowerCase());
}
