// Reads a catalog in Nango's providers.yaml format: a YAML mapping of
// provider name -> provider entry. Keeps the parsed document so that every
// report line can name the line of the key it is about.
import { parseDocument, LineCounter, isMap, isScalar, visit } from 'yaml';

const MAX_ALIAS_COUNT = 1000;

export class CatalogError extends Error {}

/**
 * @returns {{ names: string[], entry(name): unknown, lineOf(path: string[]): number | undefined }}
 * @throws CatalogError naming the line when the text is not YAML or not a mapping
 */
export function parseCatalog(text, source) {
  const lineCounter = new LineCounter();
  // uniqueKeys (the default) makes a provider listed twice an error rather
  // than a silent override.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const at = lineCounter.linePos(e.pos[0]);
    throw new CatalogError(`${source}: line ${at.line}, column ${at.col}: ${firstLine(e.message)}`);
  }
  if (!isMap(doc.contents)) {
    const line = doc.contents ? lineCounter.linePos(doc.contents.range[0]).line : 1;
    throw new CatalogError(`${source}: line ${line}: expected a mapping of provider names to providers`);
  }
  let value;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml refuses an alias expansion beyond the count (a "billion laughs").
    if (!(e instanceof ReferenceError)) throw e;
    let line = 1;
    visit(doc, { Alias(_, node) { line = lineCounter.linePos(node.range[0]).line; return visit.BREAK; } });
    throw new CatalogError(`${source}: line ${line}: YAML aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT} alias uses)`);
  }
  return {
    names: Object.keys(value),
    entry: (name) => value[name],
    lineOf: (path) => lineOf(doc.contents, path, lineCounter),
  };
}

function firstLine(message) {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

// The line of the deepest key of `path` that exists (the entry's own line
// when a nested key came from an alias target, for instance).
function lineOf(node, path, lineCounter) {
  let line;
  for (const key of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (!pair) break;
    line = lineCounter.linePos(pair.key.range[0]).line;
    node = pair.value;
  }
  return line;
}
