// A Nango providers.yaml catalog -> connauth connectors, each checked by the
// engine's validator (the same check as `connauth validate`) before it
// counts: a mapping that does not validate is reported, never written.
import { parseCatalog } from './catalog.mjs';
import { resolveAlias, isObject } from './aliases.mjs';
import { Entry } from './entry.mjs';
import { mapProvider } from './provider.mjs';
import { Report } from './report.mjs';
import { Skip } from './skip.mjs';

/**
 * @returns {{ connectors: object[], report: Report }}
 * @throws CatalogError when the text is not a YAML mapping
 */
export function importCatalog(text, source, engine) {
  const catalog = parseCatalog(text, source);
  const report = new Report(catalog);
  const connectors = [];
  for (const name of catalog.names) {
    const resolved = resolveAlias(name, catalog);
    if (resolved.reason) {
      report.skip(name, ['alias'], resolved.reason);
      continue;
    }
    report.origins(name, resolved.from);
    if (!isObject(resolved.provider)) {
      report.skip(name, [], 'expected a mapping of provider keys');
      continue;
    }
    // Report lines of an entry that ends up skipped would describe a
    // connector that was never written: they are kept only on success.
    const lines = new Report(catalog);
    lines.origins(name, resolved.from);
    const entry = new Entry(name, resolved.provider, lines);
    let connector;
    try {
      connector = mapProvider(entry);
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
      report.skip(name, e.path, e.message);
      continue;
    }
    const verdict = engine.validate(JSON.stringify(connector));
    if (!verdict.ok) {
      const problems = verdict.errors.map((p) => `${p.path || '/'}: ${p.message}`).join('; ');
      report.skip(name, [], `the mapped connector does not validate: ${problems}`);
      continue;
    }
    report.unmapped.push(...lines.unmapped);
    report.notes.push(...lines.notes);
    connectors.push(connector);
  }
  return { connectors, report };
}
