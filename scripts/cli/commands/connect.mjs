// `connauth connect CONNECTOR.json --app APP.json --fields FIELDS.json
//  --out CONN.json` (SPEC §6): connects api_key, basic_auth and custom_auth
// connectors (or a multi option of those types) without a browser: the
// connector's `acquire`, if any, then its `test`. CONN.json is written only
// once the test passed. A CONN.json already there is the connection this one
// replaces: a reconnect to another account is reported (SPEC §10).
import { parseArgs, required } from '../args.mjs';
import { readObject, readText } from '../files.mjs';
import { appContext, connectForm, fieldProblems } from '../context.mjs';
import { MemoryConnection, accountOf, previousAccount, writeConnectionFile } from '../connection-store.mjs';
import { ConnectionSession, describeRequest } from '../session.mjs';
import { printFailure } from '../report.mjs';
import { printConnectionSummary } from '../summary.mjs';

export const usage = 'connect CONNECTOR.json --app APP.json --fields FIELDS.json --out CONN.json';

export default async function connect(engine, argv, out) {
  const { flags, args } = parseArgs(argv, { app: 'string', fields: 'string', out: 'string' }, ['connector']);
  const app = appContext(readObject(required(flags, 'app'), 'app'));
  const outPath = required(flags, 'out');
  const definition = readText(args.connector, 'connector');
  const form = connectForm(engine, definition, readObject(required(flags, 'fields'), 'fields'), app);
  if (!form.ok) return printFailure(out, form, { command: 'connect' });
  if (form.value.type === 'oauth2') {
    const message = 'this connection is oauth2; use `connauth authorize` (consent in the browser)';
    out.result({ ok: false, error: { code: 'wrong_command', message } });
    out.stderr(`connauth connect: ${message}`);
    return 1;
  }
  if (form.value.problems.length) return printFailure(out, fieldProblems(form.value), { command: 'connect' });
  const fields = form.value.values;

  const session = new ConnectionSession(engine, definition, {
    app, store: new MemoryConnection(fields), onSent: (step, request, response) => logSent(out, step, request, response),
  });
  const previous = previousAccount(outPath);
  if (previous.problem) out.stderr(`warning: no account to compare with: ${previous.problem}`);
  const connected = await session.connect(previous.account);
  if (!connected.ok) return printFailure(out, connected, { command: 'connect' });
  const { connection, tested, warnings } = connected.value;
  session.warnings.push(...(warnings ?? []));
  if (!tested) out.stderr('warning: the connector has no test, so the credentials were not checked');
  writeConnectionFile(outPath, connection, accountOf(connected.value));
  printConnectionSummary(out, { ...connected.value, warnings: session.warnings, outPath });
  return 0;
}

// "acquire: POST https://host answered HTTP 200" (the origin only: an acquire
// URL may carry a key), "test: GET https://host/path answered HTTP 200".
function logSent(out, step, request, response) {
  const answered = response.network_error !== undefined ? `failed (${response.network_error})` : `answered HTTP ${response.status}`;
  const what = step === 'acquire' ? `${request.method} ${new URL(request.url).origin}` : describeRequest(request);
  out.stderr(`${step}: ${what} ${answered}`);
}
