// Keep-alive timing (edge/src/keepalive.mjs, SPEC §9) for 1,000 idle
// connections: their renewals are spread over the last tenth of the window
// and, per provider, never more than KEEPALIVE_PER_PROVIDER_PER_MINUTE a
// minute, however many come due at once. (The renewal itself runs in
// workerd: keepalive.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  keepaliveDue, spreadOf, takeSlot, providerKey, KEEPALIVE_SPREAD, KEEPALIVE_PER_PROVIDER_PER_MINUTE, DEFAULT_KEEPALIVE_SECONDS,
} from '../../edge/src/keepalive.mjs';

const N = 1000;
const refs = Array.from({ length: N }, (_, i) => ({ org: 'org-1', app: 'app-1', generation: 1, user: `user-${i}` }));

test('1,000 connections idle since the same moment come due spread over the last tenth of the window', () => {
  const idleSince = 1_800_000_000;
  const window = DEFAULT_KEEPALIVE_SECONDS;
  const due = refs.map((ref) => keepaliveDue(idleSince, window, spreadOf(ref)));
  const earliest = (idleSince + window * (1 - KEEPALIVE_SPREAD)) * 1000;
  const latest = (idleSince + window) * 1000;
  for (const t of due) assert.ok(t >= earliest && t <= latest, `${t} within the spread`);
  // Evenly: each tenth of the spread holds between 5% and 15% of them.
  const buckets = new Array(10).fill(0);
  for (const t of due) buckets[Math.min(9, Math.floor(((t - earliest) / (latest - earliest)) * 10))]++;
  for (const b of buckets) assert.ok(b >= N * 0.05 && b <= N * 0.15, `bucket sizes ${buckets}`);
  // A connection's place is its own and stable.
  assert.equal(spreadOf(refs[7]), spreadOf({ ...refs[7] }));
  assert.notEqual(spreadOf(refs[7]), spreadOf(refs[8]));
});

test('per provider, at most the cap a minute, even when all 1,000 are due at once; providers do not wait for each other', () => {
  const now = 1_800_000_000_000;
  const nextFree = new Map();
  const slots = { a: [], b: [] };
  for (let i = 0; i < N; i++) {
    const provider = i % 4 === 0 ? 'b' : 'a';
    const slot = takeSlot(nextFree.get(provider), now);
    nextFree.set(provider, slot.nextFree);
    slots[provider].push(slot.at);
  }
  for (const [provider, times] of Object.entries(slots)) {
    for (let i = 0; i + KEEPALIVE_PER_PROVIDER_PER_MINUTE < times.length; i++) {
      assert.ok(times[i + KEEPALIVE_PER_PROVIDER_PER_MINUTE] - times[i] >= 60_000, `${provider}: over the cap at ${i}`);
    }
    // No slot is wasted: the last is taken as early as the cap allows.
    const minutes = Math.ceil(times.length / KEEPALIVE_PER_PROVIDER_PER_MINUTE);
    assert.ok(times.at(-1) - now < minutes * 60_000, `${provider}: done within ${minutes} minutes`);
    assert.equal(times[0], now, `${provider}: the first runs at once`);
  }
  // A provider that has been quiet runs at once again.
  assert.equal(takeSlot(now - 1, now + 3_600_000).at, now + 3_600_000);
});

test('off, unknown activity and the provider key', () => {
  assert.equal(keepaliveDue(1000, 0, 0.5), null);
  assert.equal(keepaliveDue(null, 86400, 0.5), null);
  assert.equal(keepaliveDue(1000, 10, 0), 1_010_000);
  assert.equal(keepaliveDue(1000, 10, 0.999), 1_009_001);
  assert.equal(providerKey(['b.example', 'a.example']), providerKey(['a.example', 'b.example']));
  assert.equal(providerKey([]), 'unknown');
});
