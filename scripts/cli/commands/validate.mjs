// `connauth validate CONNECTOR.json` (SPEC §6).
import { parseArgs } from '../args.mjs';
import { readText } from '../files.mjs';

export const usage = 'validate CONNECTOR.json';

export default function validate(engine, argv, out) {
  const { args } = parseArgs(argv, {}, ['connector']);
  const result = engine.validate(readText(args.connector, 'connector'));
  if (!result.ok) {
    for (const p of result.errors) out.stdout(`${p.path || '/'}: ${p.message}`);
    return 1;
  }
  out.stdout(`ok: ${result.value.name} (${result.value.type})`);
  return 0;
}
