// What an import did, entry by entry: connectors written, entries skipped,
// keys not mapped (the connector was written without them) and notes (keys
// that need no counterpart). Each line names its JSON pointer in the catalog
// (`/<entry>/<key>/...`) and the line of that key.

export class Report {
  imported = [];
  skipped = [];
  unmapped = [];
  notes = [];
  #catalog;
  #origins = new Map();

  constructor(catalog) {
    this.#catalog = catalog;
  }

  /** Top-level keys of an alias entry come from the entry it names: their lines are there. */
  origins(name, from) {
    this.#origins.set(name, from);
  }

  wrote(name, file, type) {
    this.imported.push({ entry: name, file, type });
  }

  skip(name, path, reason) {
    this.skipped.push(this.#line(name, path, reason));
  }

  unmap(name, path, reason) {
    this.unmapped.push(this.#line(name, path, reason));
  }

  note(name, path, reason) {
    this.notes.push(this.#line(name, path, reason));
  }

  #line(name, path, reason) {
    const source = (path.length && this.#origins.get(name)?.[path[0]]) || name;
    const line = this.#catalog.lineOf([source, ...path]) ?? this.#catalog.lineOf([name]);
    const item = { entry: name, pointer: pointer([name, ...path]), line, reason };
    if (source !== name) item.line_of = source;
    return item;
  }
}

// RFC 6901.
function pointer(path) {
  return path.map((p) => '/' + String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

export function toText(report, { source, out }) {
  const total = report.imported.length + report.skipped.length;
  const lines = [`imported ${report.imported.length} of ${total} entries from ${source} into ${out}`];
  const section = (title, items) => {
    if (!items.length) return;
    lines.push('', `${title}:`);
    for (const i of items) lines.push(`  ${i.pointer} (line ${i.line ?? '?'}${i.line_of ? ` of ${i.line_of}` : ''}): ${i.reason}`);
  };
  section('not imported', report.skipped);
  section('not mapped (the connector was written without them)', report.unmapped);
  section('notes', report.notes);
  return lines.join('\n');
}

/** The report as the `--json` document's value. */
export function reportValue(report, { source, out }) {
  const { imported, skipped, unmapped, notes } = report;
  return { source, out, imported, skipped, unmapped, notes };
}
