// `connauth apply CONNECTOR.json --connection CONN.json --method M --url URL
//  [--header 'K: V']... [--body STR] [--app APP.json]` (SPEC §6).
import { parseArgs, parseHeader, required } from '../args.mjs';
import { readJson, readText } from '../files.mjs';
import { appContext } from '../context.mjs';
import { engineError } from '../output.mjs';
import { readConnectionHash } from '../connection-store.mjs';

export const usage = "apply CONNECTOR.json --connection CONN.json --method M --url URL [--header 'K: V']... [--body STR] [--app APP.json]";

export default function apply(engine, argv, out) {
  const { flags, args } = parseArgs(
    argv,
    { connection: 'string', app: 'string', method: 'string', url: 'string', header: 'list', body: 'string' },
    ['connector'],
  );
  const context = {
    connection: readConnectionHash(required(flags, 'connection')),
    app: flags.app ? appContext(readJson(flags.app, 'app')) : {},
  };
  const request = {
    method: required(flags, 'method'),
    url: required(flags, 'url'),
    headers: (flags.header ?? []).map(parseHeader),
    body: flags.body ?? '',
  };
  const result = engine.apply(readText(args.connector, 'connector'), context, request);
  if (!result.ok) {
    out.result({ ok: false, error: engineError(result) });
    for (const p of result.errors) out.stderr(`error: ${p.path || '/'}: ${p.message}`);
    return 1;
  }
  out.result({ ok: true, value: result.value });
  out.stdout(JSON.stringify(result.value, null, 2));
  return 0;
}
