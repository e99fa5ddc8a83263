// `connauth import --from nango PROVIDERS.yaml --out DIR [--json]`: one
// connector per entry of a Nango providers.yaml catalog, and a report of
// every entry or key that did not map and why (docs/cli.md).
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../args.mjs';
import { readText, FileError } from '../files.mjs';
import { importCatalog } from '../nango/import.mjs';
import { CatalogError } from '../nango/catalog.mjs';
import { toText, reportValue } from '../nango/report.mjs';

export const usage = 'import --from nango PROVIDERS.yaml --out DIR';

const FORMATS = ['nango'];

export default function importCommand(engine, argv, out) {
  const { values, positionals } = parse(argv);
  if (values.from === undefined) throw new UsageError('--from is required');
  if (!FORMATS.includes(values.from)) throw new UsageError(`--from ${values.from}: unknown format; expected one of ${FORMATS.join(', ')}`);
  if (values.out === undefined) throw new UsageError('--out is required');
  if (positionals.length !== 1) throw new UsageError(`expected PROVIDERS.yaml, got ${positionals.length} argument(s)`);
  const [source] = positionals;

  let result;
  try {
    result = importCatalog(readText(source, 'catalog'), source, engine);
  } catch (e) {
    if (e instanceof CatalogError) throw new FileError(`cannot parse ${e.message}`);
    throw e;
  }
  try {
    mkdirSync(values.out, { recursive: true });
  } catch (e) {
    throw new FileError(`cannot create ${values.out}: ${e.message}`);
  }
  for (const connector of result.connectors) {
    const file = join(values.out, `${connector.name}.json`);
    try {
      writeFileSync(file, JSON.stringify(connector, null, 2) + '\n');
    } catch (e) {
      throw new FileError(`cannot write ${file}: ${e.message}`);
    }
    result.report.wrote(connector.name, file, connector.authorization.type);
  }
  const where = { source, out: values.out };
  // --json (read by main.mjs): the report is the document's value.
  if (out.json) out.result({ ok: true, value: reportValue(result.report, where) });
  else out.stdout(toText(result.report, where));
  return 0;
}

function parse(argv) {
  try {
    return parseArgs({
      args: argv,
      options: { from: { type: 'string' }, out: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(e.message);
  }
}
