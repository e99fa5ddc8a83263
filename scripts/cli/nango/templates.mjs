// Nango's `${...}` placeholders as connauth templates (docs/connectors.md
// "Templates"): `${connectionConfig.subdomain}` -> `{{connection.subdomain}}`.
// Only plain placeholders translate; Nango's functions (`${base64(...)}`,
// `${now:...}`, `${awsSigV4(...)}`) have no template equivalent.

export class Untranslatable extends Error {}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

/**
 * @param value   a YAML scalar (numbers and booleans become their text)
 * @param resolve (placeholder) -> connauth template path, or null when it has none
 * @throws Untranslatable saying which placeholder or text cannot be translated
 */
export function translate(value, resolve) {
  if (value === null || typeof value === 'object') throw new Untranslatable('expected a string');
  const text = String(value);
  if (text.includes('{{')) throw new Untranslatable('"{{" would be read as a connauth template');
  const [first, fallback, ...more] = text.split(' || ');
  if (fallback !== undefined) {
    if (more.length) throw new Untranslatable('more than one "||" fallback');
    return withFallback(first, fallback, resolve);
  }
  return plain(text, resolve);
}

// Nango's `A || B` uses B when a placeholder of A has no value. When A and B
// differ only where A has one placeholder, that is the `default` filter:
// `https://${connectionConfig.host} || https://example.com` ->
// `https://{{connection.host | default: "example.com"}}`.
function withFallback(first, fallback, resolve) {
  let pre = 0;
  while (pre < first.length && pre < fallback.length && first[pre] === fallback[pre]) pre++;
  let post = 0;
  while (post < first.length - pre && post < fallback.length - pre &&
         first[first.length - 1 - post] === fallback[fallback.length - 1 - post]) post++;
  const placeholder = first.slice(pre, first.length - post).match(/^\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}$/);
  const literal = fallback.slice(pre, fallback.length - post);
  if (!placeholder || /[${}"\\]/.test(literal)) {
    throw new Untranslatable('the fallback after "||" differs from the value before it in more than one placeholder');
  }
  const path = resolve(placeholder[1]);
  if (!path) throw new Untranslatable(`the placeholder \${${placeholder[1]}} has no connauth equivalent`);
  return plain(first.slice(0, pre), resolve) + `{{${path} | default: "${literal}"}}` +
    plain(first.slice(first.length - post), resolve);
}

function plain(text, resolve) {
  const out = text.replace(PLACEHOLDER, (whole, name) => {
    const path = resolve(name);
    if (!path) throw new Untranslatable(`the placeholder \${${name}} has no connauth equivalent`);
    return `{{${path}}}`;
  });
  const left = out.indexOf('${');
  if (left >= 0) {
    const expression = out.slice(left).match(/^\$\{[A-Za-z0-9_]*\(?/)[0];
    throw new Untranslatable(`the expression ${expression}... has no template equivalent`);
  }
  return out;
}

/** Nango's camelCase or kebab-case keys as connauth field names (`^[a-z_][a-z0-9_]*$`). */
export function fieldName(key) {
  const name = String(key)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .toLowerCase();
  return /^[0-9]/.test(name) ? `_${name}` : name;
}
