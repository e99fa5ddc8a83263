// connauth's performance goals, each checked against the figure
// scripts/bench measured for it.

// The module's size budget (raw bytes): it is downloaded by every console page.
const WASM_LIMIT_BYTES = 400_000;

/** The goals, each {goal, target, measured, met} (met: true | false | null = not measured). */
export function goals(sections) {
  const out = [];
  const add = (goal, target, measured, met) => out.push({ goal, target, measured, met });
  const { proxy, apply, signals, refresh_storm: storm, cold_start: cold, crash, soak } = sections;

  if (proxy?.available) {
    const instant = proxy.levels.filter((l) => !l.upstream_delay_ms);
    const worst = Math.min(...instant.map((l) => l.ratio_rps));
    add('proxy throughput vs passthrough (workerd, instant upstream)', '>= 0.9x at every concurrency',
      instant.map((l) => `c=${l.concurrency}: ${l.ratio_rps}x`).join(', '), worst >= 0.9);
  } else add('proxy throughput vs passthrough (workerd)', '>= 0.9x', proxy?.reason ?? proxy?.error ?? 'not run', null);

  // The edge path: a connection bound once (engine.bind), then bound.apply
  // per request; the one-shot engine.apply is shown for comparison.
  const applyGoal = 'apply, 10 rules, through the WASM API (bound connection: the edge path)';
  if (apply?.available) {
    add(applyGoal, '< 5 µs per call', `${apply.bound_us_10_rules} µs (one-shot engine.apply: ${apply.api_us_10_rules} µs)`,
      apply.bound_us_10_rules < 5);
  } else add(applyGoal, '< 5 µs per call', apply?.reason ?? apply?.error ?? 'not run', null);

  if (signals?.available) {
    // The edge path: bound.classify with the body as bytes.
    const pathological = signals.cases.filter((c) => c.case.startsWith('pathological'));
    const worst = Math.max(...pathological.map((c) => c.sizes.at(-1).bound_bytes_ms));
    const worstOneShot = Math.max(...pathological.map((c) => c.sizes.at(-1).engine_ms));
    const linear = pathological.every((c) => c.bound_growth_exponent < 1.3);
    add('signal matching, pathological patterns, 1 MiB body (bound classify, body as bytes)', '< 50 ms each, linear growth',
      `worst ${worst} ms (one-shot engine.classify: ${worstOneShot} ms); growth k ${pathological.map((c) => c.bound_growth_exponent).join(', ')}`,
      worst < 50 && linear);
  } else add('signal matching, pathological patterns, 1 MiB body', '< 50 ms', signals?.reason ?? signals?.error ?? 'not run', null);

  if (storm?.available) {
    add('refresh storm: token requests per storm', 'exactly 1',
      storm.storms.map((s) => `N=${s.n}: ${s.token_requests}`).join(', '), storm.exactly_one_token_request);
  } else add('refresh storm: token requests per storm', 'exactly 1', `not available: ${storm?.reason ?? storm?.error ?? 'not run'}`, null);

  if (cold?.available) {
    add('cold start in workerd (what a first request waits for the engine and its connector)', '< 10 ms', `${cold.workerd_cold_ms} ms`, cold.workerd_cold_ms < 10);
    add('wasm size, raw', '< 400 KB (400,000 bytes)', `${cold.size.wasm_bytes} bytes (${cold.size.wasm_gzip_bytes} gzipped)`, cold.size.wasm_bytes < WASM_LIMIT_BYTES);
  } else {
    add('cold start in workerd', '< 10 ms', cold?.reason ?? cold?.error ?? 'not run', null);
    add('wasm size, raw', '< 400 KB', cold?.reason ?? cold?.error ?? 'not run', null);
  }

  const crashGoal = 'crash consistency: workerd killed (SIGKILL) at random points of refresh storms with rotating refresh tokens';
  const crashTarget = 'after each restart every connection working, or lost with authorization_revoked; no token or secret on disk';
  if (crash?.available) {
    add(crashGoal, crashTarget,
      `${crash.rounds} rounds × ${crash.connections} connections: ${crash.working} working, ${crash.lost} lost, ${crash.violations.length} inconsistent; ${crash.secrets_on_disk} of ${crash.tokens_checked} tokens on disk`,
      crash.consistent);
  } else add(crashGoal, crashTarget, crash?.reason ?? crash?.error ?? 'not run', null);

  const soakTarget = 'no 5xx; workerd RSS flat (last quarter <= 1.1x the second)';
  if (soak?.available) {
    add(`soak: ${soak.duration_s >= 60 ? `${soak.duration_s / 60} min` : `${soak.duration_s} s`} of proxied requests, 1 % forcing a refresh`, soakTarget,
      `${soak.requests} requests, ${soak.forced_refreshes} forced refreshes, ${soak.errors_5xx} 5xx, ${soak.statuses[200] ?? 0} answered 200; RSS ${soak.rss_mib[0]} → ${soak.rss_mib.at(-1)} MiB (x${soak.rss_growth})`,
      soak.errors_5xx === 0 && soak.all_ok && soak.rss_flat === true);
  } else add('soak: proxied requests, 1 % forcing a refresh', soakTarget, soak?.reason ?? soak?.error ?? 'not run', null);
  return out;
}

export function goalsTable(list) {
  return [['goal', 'target', 'measured', 'met'], ...list.map((g) => [g.goal, g.target, g.measured, g.met === null ? 'n/a' : g.met ? 'yes' : 'NO'])];
}
