// `connauth connect CONNECTOR.json --app APP.json --fields FIELDS.json
//  --out CONN.json` (SPEC §6): connects api_key, basic_auth and custom_auth
// connectors (or a multi option of those types) without a browser: the
// connector's `acquire`, if any, then its `test`. CONN.json is written only
// once the test passed.
import { parseArgs, required } from '../args.mjs';
import { readObject, readText, writeJson } from '../files.mjs';
import { appContext, connectForm, fieldProblems } from '../context.mjs';
import { send } from '../http.mjs';
import { MemoryConnection } from '../connection-store.mjs';
import { ConnectionSession } from '../session.mjs';
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
    out.stderr('connauth connect: this connection is oauth2; use `connauth authorize` (consent in the browser)');
    return 1;
  }
  if (form.value.problems.length) return printFailure(out, fieldProblems(form.value), { command: 'connect' });
  const fields = form.value.values;

  const begin = engine.connectBegin(definition, { connection: fields, app });
  if (!begin.ok) return printFailure(out, begin, { command: 'connect' });

  const session = new ConnectionSession(engine, definition, { app, store: new MemoryConnection(fields) });
  if (begin.value.step === 'acquire') {
    const response = await send(begin.value.request);
    const acquired = engine.connectFinish(definition, session.context(), response);
    if (!acquired.ok) return printFailure(out, acquired, { command: 'connect' });
    session.warnings.push(...acquired.value.warnings);
    session.adopt(acquired.value.connection);
    out.stderr(`acquire: ${begin.value.request.method} ${new URL(begin.value.request.url).origin} answered HTTP ${response.status}`);
  }

  const tested = await session.test();
  if (!tested.ok) return printFailure(out, tested, { command: 'connect' });
  if (tested.value.outcome === 'none') {
    out.stderr('warning: the connector has no test, so the credentials were not checked');
  } else {
    out.stderr(`test: ${tested.value.request} answered HTTP ${tested.value.status}`);
  }
  writeJson(outPath, session.connection);
  printConnectionSummary(out, { connection: session.connection, warnings: session.warnings, outPath });
  return 0;
}
