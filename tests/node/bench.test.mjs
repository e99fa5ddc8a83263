// scripts/bench --quick: the benchmark entry runs end to end and writes its
// JSON with every section, and the performance page from it. Timings are never asserted here — they
// depend on the machine; only that each section measured something or says
// why it could not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SECTIONS = ['proxy', 'apply', 'signals', 'refresh_storm', 'cold_start', 'crash', 'soak'];

test('scripts/bench --quick prints the tables and writes the JSON of every section and the performance page', { timeout: 10 * 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'connauth-bench-'));
  try {
    const out = join(dir, 'bench.json');
    const doc = join(dir, 'performance.md');
    const run = spawnSync(join(root, 'scripts/bench'), ['--quick', '--out', out, '--doc', doc], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(run.status, 0, `scripts/bench failed:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /== Goals ==/);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(result.meta.quick, true);
    assert.deepEqual(Object.keys(result.sections).sort(), [...SECTIONS].sort());

    for (const name of SECTIONS) {
      const section = result.sections[name];
      assert.equal(section.error, undefined, `${name} crashed: ${section.error}`);
      if (section.available === false) {
        assert.equal(typeof section.reason, 'string', `${name}: unavailable without a reason`);
        assert.ok(section.reason.length > 0);
      } else {
        assert.equal(section.available, true, name);
      }
    }

    const { proxy, apply, signals, cold_start: cold, refresh_storm: storm } = result.sections;
    if (proxy.available) {
      for (const level of proxy.levels) {
        for (const variant of ['proxy', 'passthrough', 'hello']) {
          assert.equal(typeof level[variant].rps, 'number', `proxy ${variant} req/s`);
          assert.equal(typeof level[variant].p99_ms, 'number', `proxy ${variant} p99`);
        }
        assert.equal(typeof level.ratio_rps, 'number');
      }
    }
    assert.deepEqual(apply.cases.map((c) => c.rules), [1, 10, 50]);
    for (const c of apply.cases) {
      assert.equal(typeof c.api_us, 'number');
      assert.equal(typeof c.bound_us, 'number', 'the bound path (the edge\'s) is measured');
    }
    assert.equal(typeof apply.bound_us_10_rules, 'number');
    assert.deepEqual(signals.cases[0].sizes.map((s) => s.bytes), [1024, 100 * 1024, 1024 * 1024]);
    assert.ok(signals.cases.some((c) => c.case.startsWith('pathological')));
    for (const c of signals.cases) {
      for (const size of c.sizes) assert.equal(typeof size.bound_bytes_ms, 'number', `${c.case} ${size.bytes}: bound classify measured`);
    }
    for (const host of ['workerd', 'node', 'chromium']) assert.ok(cold.hosts[host], `cold start host ${host}`);
    assert.equal(typeof cold.size.wasm_bytes, 'number');
    assert.equal(typeof cold.size.wasm_gzip_bytes, 'number');
    assert.equal(typeof cold.size.glue_bytes, 'number');
    if (storm.available) for (const s of storm.storms) assert.equal(typeof s.token_requests, 'number');
    const { crash, soak } = result.sections;
    if (crash.available) {
      assert.equal(crash.per_round.length, crash.rounds);
      for (const round of crash.per_round) assert.equal(round.working + round.lost + round.violations, crash.connections);
    }
    if (soak.available) assert.equal(typeof soak.errors_5xx, 'number');
    assert.equal(result.goals.length, 8);

    // The page is the goals table of this run, regenerated the same from its JSON.
    const page = readFileSync(doc, 'utf8');
    assert.match(page, /^# Performance\n/);
    assert.match(page, /--quick/);
    const rows = page.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| goal |'));
    assert.equal(rows.length, result.goals.length);
    for (const goal of result.goals) assert.ok(page.includes(goal.target.replace(/\|/g, '\\|')), goal.goal);
    const again = join(dir, 'again.md');
    const regen = spawnSync(process.execPath, [join(root, 'bench/lib/performance_doc.mjs'), out, again], { encoding: 'utf8' });
    assert.equal(regen.status, 0, regen.stderr);
    assert.equal(readFileSync(again, 'utf8'), page);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
