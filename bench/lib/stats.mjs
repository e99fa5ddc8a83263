// Statistics and timing helpers shared by the benchmarks. Every comparison in
// scripts/bench is measured side by side: the variants run in alternating
// rounds (A B, then B A, ...) so that a busy machine slows both alike, and
// the figures reported are medians over rounds, with ratios taken per round.

/** The q-quantile (0..1) of `values` by linear interpolation; NaN if empty. */
export function quantile(values, q) {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export const median = (values) => quantile(values, 0.5);

/** Rounds to `digits` significant digits (keeps JSON and tables readable). */
export function sig(value, digits = 3) {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}

/**
 * Runs `variants` ({name: async (round) => sample}) for `rounds` rounds,
 * alternating the order every round. Answers {name: [sample per round]}.
 */
export async function interleave(variants, rounds) {
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) samples[name].push(await variants[name](round));
  }
  return samples;
}

/** Median of the per-round ratios a[i] / b[i]. */
export function ratioMedian(a, b) {
  return median(a.map((x, i) => x / b[i]));
}

// Process CPU time in ms (user + system). On a machine shared with other
// work, CPU time leaves out the time this process waited for a core, which
// wall time counts; it is the figure the call-cost benchmarks report.
export function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Nanoseconds per call of the synchronous `fn`, measured over batches that
 * each last about `batchMs`: answers the median over `batches` batches of
 * the process CPU time per call (`clock: 'wall'` for wall time). The call
 * count per batch is calibrated once, before measuring.
 */
export function nsPerCall(fn, { batchMs = 20, batches = 7, clock = 'cpu' } = {}) {
  const now = clock === 'cpu' ? cpuMs : () => performance.now();
  let n = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < n; i += 1) fn();
    const elapsed = performance.now() - t;
    if (elapsed >= batchMs / 4 || n >= 1 << 24) {
      n = Math.max(1, Math.round((n * batchMs) / Math.max(elapsed, 0.001)));
      break;
    }
    n *= 4;
  }
  const perCall = [];
  for (let b = 0; b < batches; b += 1) {
    const t = now();
    for (let i = 0; i < n; i += 1) fn();
    perCall.push(((now() - t) * 1e6) / n);
  }
  return median(perCall);
}
