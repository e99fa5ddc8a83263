// Structured logs: one JSON line per significant event (a status change, a
// refresh failure, a webhook delivery failure, an unhandled error), read by
// Workers Logs ([observability] in wrangler.toml) or any log shipper. Only
// the fields named here are written, so nothing a caller or a provider sent
// (headers, bodies, tokens) can reach a log line by accident.
const FIELDS = ['org', 'app', 'user', 'webhook', 'delivery', 'type', 'status', 'cause', 'detail', 'connector_version',
  'attempt', 'http_status', 'next_attempt_at', 'error'];

/**
 * Writes `{"level", "event", "at", ...fields}` as one line. `level` is
 * "error" for `error` events, else "info"; values that are not strings,
 * numbers or booleans are left out.
 */
export function log(event, fields = {}, level = 'info') {
  const line = { level, event, at: new Date().toISOString() };
  for (const name of FIELDS) {
    const v = fields[name];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') line[name] = v;
  }
  (level === 'error' ? console.error : console.log)(JSON.stringify(line));
}
