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
  // What apply rules send, members can read back through an upstream that
  // echoes requests (docs/security.md): said on stderr, not an error.
  for (const w of result.value.warnings ?? []) out.stderr(`warning: ${w.path}: ${w.message}`);
  for (const a of result.value.secret_fields_applied ?? []) {
    out.stderr(`note: ${a.path}: sends the secret field ${a.field} with every request; ` +
      'if an app sets it in its settings, every member can read it back through an upstream that echoes requests');
  }
  return 0;
}
