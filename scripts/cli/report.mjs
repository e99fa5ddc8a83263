// How the CLI shows the engine's failures. The words (message, recommended
// action) and the verdict (degraded or lost) are the engine's: a failure
// with a SPEC §4 cause is recorded on a connected state with stateFailure,
// and stateView says what the connection now is. Each function also records
// the command's JSON document (output.mjs) with the same facts.
import { engineError } from './output.mjs';

/** Prints an engine envelope that is not ok; always returns exit code 1. */
export function printFailure(out, result, { command }) {
  out.result({ ok: false, error: engineError(result) });
  // Input problems are listed one per line below; a flow's failure says more.
  const problemsOnly = result.error?.code === 'invalid_input' && !result.error.cause;
  if (result.error && !problemsOnly) {
    const { code, cause, message, action, detail } = result.error;
    out.stderr(`connauth ${command}: ${message}${cause ? '' : ` (${code})`}`);
    if (cause) out.stderr(`cause: ${cause}`);
    if (detail && detail !== code) out.stderr(`detail: ${detail}`);
    if (action) out.stderr(`action: ${action}`);
  }
  for (const p of result.errors ?? result.error?.problems ?? []) out.stderr(`error: ${p.path || '/'}: ${p.message}`);
  if (!result.error && !(result.errors ?? []).length) out.stderr(`connauth ${command}: failed`);
  return 1;
}

/**
 * What a failure with `cause` does to a connection that was working: the
 * engine's state machine decides (SPEC §4: provider_unavailable degrades,
 * unless the app's lifecycle `settings` lose it at the first failure; the
 * others lose it). -> {status, cause, message, action, detail}.
 */
export function diagnoseConnected(engine, cause, detail, settings = null) {
  const connected = engine.stateSuccess(null);
  if (!connected.ok) return null;
  const failed = engine.stateFailure(connected.value, cause, detail ?? '', { settings });
  if (!failed.ok) return null;
  const view = engine.stateView(failed.value, true);
  if (!view.ok) return null;
  const verdict = view.value.lost ?? view.value.degraded;
  return verdict ? { status: view.value.status, ...verdict } : null;
}

/** Prints the connection's verdict for a failed flow of a connected connection; returns 1. */
export function printConnectionFailure(out, engine, result, { command, settings = null }) {
  // The engine recorded the failure and diagnosed the connection: shown as it is.
  const lost = result.error?.lost;
  if (lost) {
    const status = result.error.code === 'connection_degraded' ? 'degraded' : 'lost';
    const problems = result.error.problems ?? [];
    printVerdict(out, { status, ...lost }, { command, problems });
    for (const p of problems) out.stderr(`error: ${p.path || '/'}: ${p.message}`);
    return 1;
  }
  const cause = result.error?.cause;
  const verdict = cause ? diagnoseConnected(engine, cause, result.error.detail, settings) : null;
  if (!verdict) return printFailure(out, result, { command });
  // The flow's own message and action are the more precise ones (e.g. "no refresh token").
  printVerdict(out, { ...verdict, message: result.error.message || verdict.message,
    action: result.error.action || verdict.action }, { command, problems: result.errors ?? [] });
  for (const p of result.errors ?? []) out.stderr(`error: ${p.path || '/'}: ${p.message}`);
  return 1;
}

/**
 * "the connection is lost (cause)", then cause, message, detail and action
 * lines; returns 1. Its JSON error: code connection_lost or
 * connection_degraded, with status, cause, message, detail and action.
 */
export function printVerdict(out, verdict, { command, problems = [] }) {
  const { status, cause, message, detail, action } = verdict;
  const error = { code: `connection_${status}`, message, status, cause, ...(detail ? { detail } : {}), action };
  if (problems.length) Object.assign(error, { path: problems[0].path, problems: problems.map((p) => ({ path: p.path, message: p.message })) });
  out.result({ ok: false, error });
  out.stderr(`connauth ${command}: the connection is ${verdict.status} (${verdict.cause})`);
  out.stderr(`cause: ${verdict.cause}`);
  out.stderr(`message: ${verdict.message}`);
  if (verdict.detail) out.stderr(`detail: ${verdict.detail}`);
  out.stderr(`action: ${verdict.action}`);
  return 1;
}
