// The module catches no exceptions: a fault inside it (out of memory here,
// made real by capping V8's WebAssembly memory in a child process) must come
// back as an `engine_fault` Result, never a throw, and the engine must go on
// answering on a fresh instance. Inputs too large to hand to the module are
// refused before it sees them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { load } from '../../wasm/connauth.mjs';

const engine = await load();
const demo = { name: 'demo', authorization: { type: 'api_key', apply: [{ headers: { 'X-Key': '{{connection.api_key}}' } }] } };

test('a text larger than 8 MiB is refused before the module copies it', () => {
  const result = engine.validate(JSON.stringify({ name: 'x'.repeat(9 << 20) }));
  assert.equal(result.ok, false);
  assert.equal(result.error.code, 'invalid_input');
  assert.match(result.error.message, /larger than 8 MiB/);
  assert.equal(engine.validate(demo).ok, true);
});

// Runs in a child whose WebAssembly memory is capped at 32 MiB: a 7 MiB name
// fits the module's copy of the text but not the parse.
const child = `
  const { load } = await import(${JSON.stringify(new URL('../../wasm/connauth.mjs', import.meta.url).href)});
  const engine = await load();
  const demo = ${JSON.stringify(demo)};
  const big = JSON.stringify({ name: 'x'.repeat(7 << 20) });
  const seen = [];
  for (let round = 0; round < 3; round += 1) {
    seen.push(engine.validate(big));
    seen.push(engine.validate(demo));
    const bound = engine.bind(demo, { connection: { api_key: 'k' + round } });
    seen.push(bound.ok ? bound.value.apply({ url: 'https://api.example/x' }) : bound);
  }
  process.stdout.write(JSON.stringify(seen));
`;

test('an out-of-memory fault answers engine_fault and the engine keeps answering', () => {
  const out = execFileSync(process.execPath, ['--wasm-max-mem-pages=512', '--input-type=module', '-e', child], { encoding: 'utf8' });
  const seen = JSON.parse(out);
  for (let round = 0; round < 3; round += 1) {
    const [fault, valid, applied] = seen.slice(3 * round, 3 * round + 3);
    assert.equal(fault.ok, false);
    assert.equal(fault.error.code, 'engine_fault');
    assert.match(fault.error.message, /out of memory or an internal error/);
    assert.equal(valid.ok, true, `round ${round}: ${JSON.stringify(valid)}`);
    assert.equal(applied.ok, true, `round ${round}: ${JSON.stringify(applied)}`);
    assert.deepEqual(applied.value.headers, [['X-Key', `k${round}`]]);
  }
});
