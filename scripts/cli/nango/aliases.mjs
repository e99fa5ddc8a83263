// Nango's `alias: <other entry>`: the entry is the other entry with this
// entry's own keys laid over it, key by key at the top level (as Nango's
// loader does). Returns the resolved provider, which entry each top-level key
// came from (for report lines), or the reason it cannot be resolved.
export function resolveAlias(name, catalog, seen = []) {
  const own = catalog.entry(name);
  const from = (provider, entry) => Object.fromEntries(Object.keys(provider).map((k) => [k, entry]));
  if (!isObject(own) || own.alias === undefined) return { provider: own, from: isObject(own) ? from(own, name) : {} };
  const target = own.alias;
  if (typeof target !== 'string') return { reason: 'alias must name another entry' };
  if (seen.includes(target) || target === name) return { reason: `alias loop: ${[...seen, name, target].join(' -> ')}` };
  if (!isObject(catalog.entry(target))) return { reason: `alias "${target}" is not an entry of this file` };
  const base = resolveAlias(target, catalog, [...seen, name]);
  if (base.reason) return base;
  const { alias: _, ...overrides } = own;
  return { provider: { ...base.provider, ...overrides }, from: { ...base.from, ...from(overrides, name) } };
}

export function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
