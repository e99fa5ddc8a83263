// `connauth authorize CONNECTOR.json --app APP.json --out CONN.json [--port P]
//  [--no-open] [--fields FIELDS.json] [--timeout SECONDS]` (SPEC §6).
//
// The oauth2 authorization-code flow with a loopback redirect: the engine
// builds the authorization URL (state, PKCE), checks the callback and builds
// the token request, reads the token response; this command listens, opens
// the browser, sends, and writes the connection file. A CONN.json already
// there is the connection this one replaces: a reconnect to another account
// is reported (SPEC §10).
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs, required, UsageError } from '../args.mjs';
import { FileError, readObject, readText } from '../files.mjs';
import { accountOf, previousAccount, writeConnectionFile } from '../connection-store.mjs';
import { appContext, connectForm, fieldProblems } from '../context.mjs';
import { send } from '../http.mjs';
import { runConnection } from '../../../wasm/connection_loop.mjs';
import { listenForCallback, ListenError } from '../loopback.mjs';
import { openBrowser } from '../browser.mjs';
import { printFailure } from '../report.mjs';
import { printConnectionSummary } from '../summary.mjs';

export const usage =
  'authorize CONNECTOR.json --app APP.json --out CONN.json [--port P] [--no-open] [--fields FIELDS.json] [--timeout SECONDS]';

/** How long to wait for the browser (the engine's state lives 10 minutes too, SPEC §3). */
export const DEFAULT_TIMEOUT_SECONDS = 600;

function integerFlag(flags, name, { min, max, fallback }) {
  if (flags[name] === undefined) return fallback;
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not "${flags[name]}"`);
  }
  return n;
}

export default async function authorize(engine, argv, out) {
  const { flags, args } = parseArgs(argv, {
    app: 'string', out: 'string', port: 'string', 'no-open': 'boolean', fields: 'string', timeout: 'string',
  }, ['connector']);
  const appPath = required(flags, 'app');
  const outPath = required(flags, 'out');
  const port = integerFlag(flags, 'port', { min: 0, max: 65535, fallback: 0 });
  const timeoutSeconds = integerFlag(flags, 'timeout', { min: 1, max: 86400, fallback: DEFAULT_TIMEOUT_SECONDS });
  const definition = readText(args.connector, 'connector');
  const app = appContext(readObject(appPath, 'app'));
  const form = connectForm(engine, definition, flags.fields ? readObject(flags.fields, 'fields') : {}, app);
  if (!form.ok) return printFailure(out, form, { command: 'authorize' });
  if (form.value.problems.length) return printFailure(out, fieldProblems(form.value), { command: 'authorize' });
  if (form.value.type !== 'oauth2') {
    const message = `this connection is ${form.value.type}; use \`connauth connect\` (no browser)`;
    out.result({ ok: false, error: { code: 'wrong_command', message } });
    out.stderr(`connauth authorize: ${message}`);
    return 1;
  }
  const fields = form.value.values;
  if (!existsSync(dirname(outPath) || '.')) throw new FileError(`cannot write ${outPath}: no such folder`);
  const previous = previousAccount(outPath);
  if (previous.problem) out.stderr(`warning: no account to compare with: ${previous.problem}`);

  let listener;
  try {
    listener = await listenForCallback(port);
  } catch (e) {
    if (e instanceof ListenError) throw new FileError(e.message);
    throw e;
  }
  try {
    const context = { connection: fields, app, flow: { redirect_uri: listener.redirectUri } };
    const begin = engine.authorizeBegin(definition, context);
    if (!begin.ok) return printFailure(out, begin, { command: 'authorize' });
    const { url, pending } = begin.value;

    // SPEC §6: always the first line; on stderr when stdout is the JSON document.
    (out.json ? out.stderr : out.stdout)(`open: ${url}`);
    out.stderr(`waiting for the provider to redirect to ${listener.redirectUri} ` +
      `(up to ${formatDuration(timeoutSeconds)}; Ctrl-C to give up)`);
    if (!flags['no-open'] && !(await openBrowser(url))) {
      out.stderr('no browser could be opened here: open the URL above by hand');
    }

    const outcome = await listener.wait(async (query) => {
      const result = await exchange(engine, definition, context, pending, query, previous.account);
      return result.ok
        ? { ok: true, result, title: 'connauth: connected', message: 'The authorization succeeded.' }
        : { ok: false, result, title: 'connauth: not connected', message: failureText(result) };
    }, timeoutSeconds * 1000, { state: pending.state });

    if (outcome.timeout) {
      const message = `the provider did not redirect back within ${formatDuration(timeoutSeconds)}; ` +
        'nothing was written. Run the command again and finish the sign-in in the browser.';
      out.result({ ok: false, error: { code: 'timeout', message } });
      out.stderr(`connauth authorize: ${message}`);
      return 1;
    }
    if (outcome.thrown) throw outcome.thrown;
    if (!outcome.result.ok) return printFailure(out, outcome.result, { command: 'authorize' });

    const { connection } = outcome.result.value;
    writeConnectionFile(outPath, connection, accountOf(outcome.result.value));
    printConnectionSummary(out, { ...outcome.result.value, outPath });
    return 0;
  } finally {
    await listener.close();
  }
}

// The engine's exchange operation: the callback checked, the code exchanged,
// the account compared with `previous` ({identity, owner_id} or null).
async function exchange(engine, definition, context, pending, query, previous) {
  return runConnection(engine, definition, 'exchange', { pending, params: query, previous }, {
    context: () => context,
    send: async (request) => ({ ok: true, value: await send(request) }),
  });
}

function failureText(result) {
  if (result.error) return [result.error.message, result.error.action].filter(Boolean).join(' ');
  return (result.errors ?? []).map((p) => `${p.path || '/'}: ${p.message}`).join('; ');
}

function formatDuration(seconds) {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
