// `connauth request CONNECTOR.json --app APP.json --connection CONN.json
//  --method M --url URL_OR_PATH [--header 'K: V']... [--body STR]` (SPEC §6).
//
// Sends one request with the connection's credentials applied: proactive
// refresh (SPEC §3), refresh and exactly one retry on a `refresh` signal
// (SPEC §2.5), new tokens written back to CONN.json at once. Prints
// "HTTP <status>" and the body on stdout. Exit 0 when the engine classifies
// the final answer as ok; 1 when it is an error, or when the connection is
// lost or degraded (the cause and the recommended action go to stderr).
import { parseArgs, parseHeader, required } from '../args.mjs';
import { readObject, readText } from '../files.mjs';
import { appContext, lifecycleProblems } from '../context.mjs';
import { lifecycleSettings } from '../../../wasm/connection_loop.mjs';
import { ConnectionFile } from '../connection-store.mjs';
import { ConnectionSession, describeRequest } from '../session.mjs';
import { diagnoseConnected, printConnectionFailure, printFailure, printVerdict } from '../report.mjs';

export const usage =
  "request CONNECTOR.json --app APP.json --connection CONN.json --method M --url URL_OR_PATH [--header 'K: V']... [--body STR]";

export default async function request(engine, argv, out) {
  const { flags, args } = parseArgs(argv, {
    app: 'string', connection: 'string', method: 'string', url: 'string', header: 'list', body: 'string',
  }, ['connector']);
  const app = appContext(readObject(required(flags, 'app'), 'app'));
  const invalid = lifecycleProblems(engine, app);
  if (invalid) return printFailure(out, invalid, { command: 'request' });
  const settings = lifecycleSettings(app);
  const connPath = required(flags, 'connection');
  const outgoing = {
    method: required(flags, 'method').toUpperCase(),
    url: required(flags, 'url'),
    headers: (flags.header ?? []).map(parseHeader),
    body: flags.body ?? '',
  };
  const definition = readText(args.connector, 'connector');
  const session = new ConnectionSession(engine, definition, { app, store: new ConnectionFile(connPath) });

  const result = await session.request(outgoing);
  const refreshed = reportRefreshes(out, session, connPath);
  if (!result.ok && result.error.code === 'upstream_unreachable') {
    const verdict = diagnoseConnected(engine, 'provider_unavailable', result.error.detail, settings);
    return printVerdict(out, verdict, { command: 'request' });
  }
  if (!result.ok) return printConnectionFailure(out, engine, result, { command: 'request', settings });

  const { response, classification, attempt, sent } = result.value;
  // The JSON document's value, failed or not: the final answer and how it was reached.
  const value = { status: response.status, body: response.body ?? '', classification, attempt, refreshed };
  out.stdout(`HTTP ${response.status}`);
  if (response.body) out.stdout(response.body.replace(/\r?\n$/, ''));
  if (classification.action === 'ok') {
    out.result({ ok: true, value });
    return 0;
  }
  if (classification.action === 'refresh' && attempt === 2) {
    // The retry's outcome is final (docs/behaviour.md "The connection loop"): the
    // renewal just succeeded, so the refusal is about this request, not the connection.
    const message = `${describeRequest(sent)} was refused again after a token refresh ` +
      `(${classification.reason}): this account may lack the permission or scope this request needs.`;
    out.result({ ok: false, error: { code: 'refused_after_refresh', message }, value });
    out.stderr(`connauth request: ${message}`);
    return 1;
  }
  const message = `the provider answered with an error (${classification.reason})`;
  out.result({ ok: false, error: { code: 'error_answer', message }, value });
  out.stderr(`connauth request: ${message}`);
  return 1;
}

/** Says on stderr which refreshes happened; returns them ({why, by}) for the JSON document. */
function reportRefreshes(out, session, connPath) {
  const refreshes = session.refreshes.splice(0);
  for (const { why, by } of refreshes) {
    out.stderr(by === 'this process'
      ? `refreshed the credentials (${why}); new tokens written to ${connPath}`
      : `another connauth process refreshed the credentials meanwhile; using its tokens from ${connPath}`);
  }
  // RFC 6749 §6: a refresh may grant less than before.
  for (const { from, to } of session.scopeChanges.splice(0)) {
    out.stderr(`granted scope now: ${to || '(none)'}${from === null ? '' : ` (was: ${from || '(none)'})`}`);
  }
  for (const w of session.warnings.splice(0)) out.stderr(`warning: ${w}`);
  return refreshes;
}
