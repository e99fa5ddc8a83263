// edge/wrangler.toml as wrangler itself reads it (its `unstable_readConfig`),
// so that local runs (scripts/dev), the tests and the benchmarks run what
// `wrangler deploy` deploys. Importing wrangler takes seconds, so what it
// read is kept in build/wrangler-config/, named by the SHA-256 of the file:
// an edit of wrangler.toml is read again, by wrangler, on next use.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(root, 'edge/wrangler.toml');

// Run in a child process, so that reading stays synchronous for callers.
const READER = `
const { unstable_readConfig } = await import('wrangler');
const c = unstable_readConfig({ config: process.argv[1] }, { hideWarnings: true });
process.stdout.write(JSON.stringify({
  main: c.main,
  compatibility_date: c.compatibility_date,
  compatibility_flags: c.compatibility_flags,
  durable_objects: c.durable_objects.bindings,
  sqlite_classes: c.migrations.flatMap((m) => m.new_sqlite_classes ?? []),
  observability: c.observability ?? null,
}));
`;

/**
 * {main (relative to edge/), compatibilityDate, compatibilityFlags,
 * durableObjects: {BINDING: className}, sqliteClasses, observability}.
 */
export function readWranglerConfig() {
  const text = readFileSync(CONFIG);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = join(root, 'build/wrangler-config');
  const cached = join(dir, `${hash}.json`);
  if (!existsSync(cached)) {
    const read = execFileSync(process.execPath, ['--input-type=module', '-e', READER, CONFIG],
      { cwd: root, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    mkdirSync(dir, { recursive: true });
    const partial = `${cached}.${process.pid}`;
    writeFileSync(partial, read);
    renameSync(partial, cached); // whole or absent for a concurrent reader
  }
  const c = JSON.parse(readFileSync(cached, 'utf8'));
  return {
    main: relative(join(root, 'edge'), c.main),
    compatibilityDate: c.compatibility_date,
    compatibilityFlags: c.compatibility_flags,
    durableObjects: Object.fromEntries(c.durable_objects.map((b) => [b.name, b.class_name])),
    sqliteClasses: c.sqlite_classes,
    observability: c.observability,
  };
}
