// The CLI's two output modes. Human (the default): lines on stdout, notes on
// stderr. JSON (`--json`): stdout is exactly one JSON document, the
// command's result {ok: true, value} or {ok: false, error: {code, message,
// path?, ...}} (docs/cli.md "JSON output"); stderr keeps its notes.

/**
 * The `out` a command writes to: stdout(line) and stderr(line) as always;
 * result(document) records the command's JSON document; json says which
 * mode is on (for the few lines that move to stderr in JSON mode).
 */
export function createOutput({ json = false, write }) {
  const lines = [];
  let document;
  return {
    json,
    stdout(line) {
      if (json) lines.push(line);
      else write.stdout(line);
    },
    stderr(line) {
      write.stderr(line);
    },
    result(doc) {
      document = doc;
    },
    /** JSON mode: writes the document (or, for a command that records none, one made of its output). */
    finish(code) {
      if (json) write.stdout(JSON.stringify(document ?? documentOf(code, lines), null, 2));
    },
  };
}

// A command that records no document: its stdout (parsed when it is JSON)
// is the value, and a failure says only that it failed.
function documentOf(code, lines) {
  if (code !== 0) return { ok: false, error: { code: 'failed', message: `exit code ${code}` } };
  const text = lines.join('\n');
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: true, value: { output: text } };
  }
}

/** A usage error as a JSON document (exit code 2). */
export function usageError(message, usage) {
  return { ok: false, error: { code: 'usage', message, ...(usage ? { usage } : {}) } };
}

/** A file the command could not read or write (exit code 1). */
export function fileError(message) {
  return { ok: false, error: { code: 'file', message } };
}

/**
 * An engine Result that is not ok -> the document's error: the engine's code
 * and message, the first problem's JSON pointer as `path` and every problem
 * (RFC 6901 pointers; "" is the whole document).
 */
export function engineError(result) {
  const problems = (result.errors ?? result.error?.problems ?? []).map(({ path, message }) => ({ path, message }));
  const { code = 'invalid_input', message, cause, detail, action } = result.error ?? {};
  const error = { code, message: message ?? problemsMessage(problems) };
  if (problems.length) Object.assign(error, { path: problems[0].path, problems });
  if (cause) error.cause = cause;
  if (detail) error.detail = detail;
  if (action) error.action = action;
  return error;
}

function problemsMessage(problems) {
  if (!problems.length) return 'failed';
  return problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ');
}
