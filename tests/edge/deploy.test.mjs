// The deploy: `wrangler deploy --dry-run` from edge/ bundles the worker as
// Cloudflare would receive it, with nothing sent. It must build, name every
// Durable Object binding, carry the engine once as a compiled module, and
// the configuration the tests and scripts/dev run must be the one wrangler read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, readWranglerConfig, edgeWorker } from '../../edge/dev/worker_options.mjs';

test('wrangler deploy --dry-run builds the worker with its bindings and the engine as one module', { timeout: 120_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'connauth-deploy-'));
  try {
    const run = spawnSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out], {
      cwd: join(root, 'edge'), encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: '1' },
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /--dry-run: exiting now/);
    for (const binding of ['ORG_STORE: OrgStore', 'CONNECTION_STORE: ConnectionStore', 'AUTHORIZATION_STORE: AuthorizationStore']) {
      assert.ok(run.stdout.includes(binding), `${binding} in:\n${run.stdout}`);
    }
    const files = readdirSync(out);
    const wasm = files.filter((f) => f.endsWith('.wasm'));
    assert.equal(wasm.length, 1, files.join(', '));
    assert.equal(statSync(join(out, wasm[0])).size, statSync(join(root, 'wasm/dist/connauth.wasm')).size);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('local runs use the configuration wrangler reads: entry, date, Durable Objects, SQLite classes, observability', () => {
  const config = readWranglerConfig();
  const worker = edgeWorker({ bindings: {} });
  assert.equal(worker.scriptPath, join(root, 'edge', config.main));
  assert.equal(worker.compatibilityDate, config.compatibilityDate);
  assert.deepEqual(Object.fromEntries(Object.entries(worker.durableObjects).map(([name, d]) => [name, d.className])), config.durableObjects);
  for (const d of Object.values(worker.durableObjects)) assert.equal(d.useSQLite, config.sqliteClasses.includes(d.className));
  assert.deepEqual(config.observability, { enabled: true });
});
