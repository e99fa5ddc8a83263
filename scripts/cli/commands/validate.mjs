// `connauth validate CONNECTOR.json...` (SPEC §6): every file is checked,
// whatever the others hold; exit 1 when any is invalid or unreadable.
import { parseArgs } from '../args.mjs';
import { FileError, readText } from '../files.mjs';
import { engineError } from '../output.mjs';

export const usage = 'validate CONNECTOR.json...';

export default function validate(engine, argv, out) {
  const { args } = parseArgs(argv, {}, ['connector...']);
  // One file keeps the bare lines of SPEC §6; with several, each line starts with its file.
  const prefix = args.connector.length > 1 ? (file) => `${file}: ` : () => '';
  const files = args.connector.map((file) => validateFile(engine, file, out, prefix(file)));
  const ok = files.every((f) => f.ok);
  const invalid = files.filter((f) => !f.ok).length;
  out.result(ok ? { ok, value: { files } }
    : { ok, error: { code: 'invalid_connector', message: `${invalid} of ${files.length} file(s) invalid` }, value: { files } });
  return ok ? 0 : 1;
}

function validateFile(engine, file, out, prefix) {
  let text;
  try {
    text = readText(file, 'connector');
  } catch (e) {
    if (!(e instanceof FileError)) throw e;
    // One file: an unreadable file is the command's error (stderr), as for every command.
    if (!prefix) out.stderr(`connauth validate: ${e.message}`);
    else out.stdout(`${prefix}${e.message}`);
    return { file, ok: false, error: { code: 'file', message: e.message } };
  }
  const result = engine.validate(text);
  if (!result.ok) {
    for (const p of result.errors) out.stdout(`${prefix}${p.path || '/'}: ${p.message}`);
    return { file, ok: false, error: engineError(result) };
  }
  out.stdout(`${prefix}ok: ${result.value.name} (${result.value.type})`);
  // What apply rules send, members can read back through an upstream that
  // echoes requests (docs/security.md): said on stderr, not an error.
  for (const w of result.value.warnings ?? []) out.stderr(`${prefix}warning: ${w.path}: ${w.message}`);
  for (const a of result.value.secret_fields_applied ?? []) {
    out.stderr(`${prefix}note: ${a.path}: sends the secret field ${a.field} with every request; ` +
      'if an app sets it in its settings, every member can read it back through an upstream that echoes requests');
  }
  return { file, ok: true, value: result.value };
}
