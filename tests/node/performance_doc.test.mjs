// bench/lib/performance_doc.mjs: the performance page from scripts/bench's
// JSON, and its command line on an existing run. The figures here are inputs
// shaped like the sections' output; tests/node/bench.test.mjs checks the page
// of a real run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performanceMarkdown } from '../../bench/lib/performance_doc.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const generator = join(root, 'bench/lib/performance_doc.mjs');

const coldStart = (wasmBytes) => ({
  available: true,
  workerd_cold_ms: 1,
  size: { wasm_bytes: wasmBytes, wasm_gzip_bytes: 150_000 },
});

test('one row per goal; sections not run say so', () => {
  const page = performanceMarkdown({ meta: { quick: false }, sections: { cold_start: coldStart(351_000) } });
  const rows = page.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| goal |'));
  assert.equal(rows.length, 8);
  assert.match(page, /\| crash consistency: [^|]*\| [^|]*\| not run \| not measured \|/);
  assert.match(page, /\| soak: [^|]*\| [^|]*\| not run \| not measured \|/);
  assert.match(page, /\| wasm size, raw \| < 400 KB \(400,000 bytes\) \| 351000 bytes \(150000 gzipped\) \| yes \|/);
  assert.match(page, /\| cold start in workerd [^|]*\| < 10 ms \| 1 ms \| yes \|/);
  assert.match(page, /\| proxy throughput vs passthrough \(workerd\) \| >= 0\.9x \| not run \| not measured \|/);
  assert.match(page, /full `scripts\/bench` run/);
});

test('a goal that is missed is marked, and a quick run is named as one', () => {
  const page = performanceMarkdown({ meta: { quick: true }, sections: { cold_start: coldStart(420_000) } });
  assert.match(page, /\| wasm size, raw \|[^\n]*\| \*\*no\*\* \|/);
  assert.match(page, /--quick/);
});

test('a cell cannot break the table', () => {
  const page = performanceMarkdown({ sections: { proxy: { available: false, reason: 'workerd | missing\nhere' } } });
  assert.ok(page.includes('workerd \\| missing here'));
});

test('the command line regenerates the page from a JSON file, and refuses what is not bench output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'connauth-perfdoc-'));
  try {
    const input = join(dir, 'bench.json');
    const result = { meta: { quick: false }, sections: { cold_start: coldStart(349_000) } };
    writeFileSync(input, JSON.stringify(result));
    const out = join(dir, 'performance.md');
    const ok = spawnSync(process.execPath, [generator, input, out], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(readFileSync(out, 'utf8'), performanceMarkdown(result));

    writeFileSync(input, '{"goals": []}');
    const wrong = spawnSync(process.execPath, [generator, input, out], { encoding: 'utf8' });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /not scripts\/bench output/);

    const missing = spawnSync(process.execPath, [generator, join(dir, 'nope.json'), out], { encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read/);

    const usage = spawnSync(process.execPath, [generator], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
