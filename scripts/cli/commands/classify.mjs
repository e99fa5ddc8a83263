// `connauth classify CONNECTOR.json --status N [--body-file F]
//  [--connection CONN.json]` (SPEC §6; --connection picks a multi option).
import { parseArgs, required, UsageError } from '../args.mjs';
import { readText } from '../files.mjs';
import { engineError } from '../output.mjs';
import { readConnectionHash } from '../connection-store.mjs';

export const usage = 'classify CONNECTOR.json --status N [--body-file F] [--connection CONN.json]';

export default function classify(engine, argv, out) {
  const { flags, args } = parseArgs(argv, { status: 'string', 'body-file': 'string', connection: 'string' }, ['connector']);
  const status = Number(required(flags, 'status'));
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new UsageError(`--status must be an HTTP status from 100 to 599, not "${flags.status}"`);
  }
  const body = flags['body-file'] ? readText(flags['body-file'], 'body file') : '';
  const context = { connection: flags.connection ? readConnectionHash(flags.connection) : {} };
  const result = engine.classify(readText(args.connector, 'connector'), context, { status, body });
  if (!result.ok) {
    out.result({ ok: false, error: engineError(result) });
    for (const p of result.errors) out.stderr(`error: ${p.path || '/'}: ${p.message}`);
    return 1;
  }
  out.result({ ok: true, value: result.value });
  out.stdout(JSON.stringify(result.value));
  return 0;
}
