// `connauth version` (also `connauth --version`, `-V`): the version of the
// package this CLI is the bin of, read from its package.json at run time.
import { readFileSync } from 'node:fs';
import { parseArgs } from '../args.mjs';

/** The one place that says which package.json the version comes from. */
export const PACKAGE_JSON = new URL('../../../package.json', import.meta.url);

export const needsEngine = false;

export const usage = 'version';

export function packageVersion() {
  const { name, version } = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'));
  return { name, version };
}

export default function version(_engine, argv, out) {
  parseArgs(argv, {}, []);
  const pkg = packageVersion();
  out.result({ ok: true, value: pkg });
  out.stdout(pkg.version);
  return 0;
}
