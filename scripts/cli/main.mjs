// Entry point of `scripts/connauth` (SPEC §6): dispatches to one module per
// command. Exit codes: 0 success, 1 the input or the connection failed,
// 2 wrong usage. `--json`, anywhere before a `--`, makes stdout one JSON
// document (output.mjs).
//
// A command module exports `usage` (its synopsis after "connauth "),
// `needsEngine` (false: no WebAssembly is loaded) and
// `default(engine, argv, out)` -> exit code, where argv is what follows the
// command name (without --json) and out is output.mjs's: stdout(line),
// stderr(line), result(document) and json. It throws args.mjs's UsageError
// (exit 2) or files.mjs's FileError (exit 1) for those failures.
import { load } from '../../wasm/connauth.mjs';
import { UsageError } from './args.mjs';
import { FileError } from './files.mjs';
import { createOutput, fileError, usageError } from './output.mjs';
import * as validate from './commands/validate.mjs';
import * as apply from './commands/apply.mjs';
import * as classify from './commands/classify.mjs';
import * as authorize from './commands/authorize.mjs';
import * as connect from './commands/connect.mjs';
import * as request from './commands/request.mjs';
import * as token from './commands/token.mjs';
import * as version from './commands/version.mjs';
import * as importCatalog from './commands/import.mjs';

const commands = { validate, apply, classify, authorize, connect, request, token, import: importCatalog, version };

/** Every command takes --json (main takes it out before the command reads its options). */
const usageOf = (command) => `connauth ${command.usage} [--json]`;

function help() {
  return [
    'usage: connauth <command> ... [--json]',
    ...Object.values(commands).map((c) => `  ${usageOf(c)}`),
    '  connauth --version | -V | --help | -h',
    '',
    '--json: stdout is one JSON document, {"ok": true, "value": ...} or {"ok": false, "error": {"code", "message", "path"?}}',
    'exit codes: 0 ok, 1 invalid input, failed request or lost connection, 2 wrong usage',
    'token: SESSION_SECRET from the environment (unset: the development default)',
  ].join('\n');
}

/** `--json` is the one option every command takes; it is taken out before the command parses its own. */
function takeJsonOption(argv) {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  const rest = end === -1 ? [] : argv.slice(end);
  return { json: options.includes('--json'), argv: [...options.filter((a) => a !== '--json'), ...rest] };
}

export async function main(rawArgv, write) {
  const { json, argv } = takeJsonOption(rawArgv);
  const out = createOutput({ json, write });
  const code = await dispatch(argv, out);
  out.finish(code);
  return code;
}

async function dispatch(argv, out) {
  let [name, ...rest] = argv;
  if (name === '--version' || name === '-V') name = 'version';
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out.result(name
      ? { ok: true, value: { commands: Object.fromEntries(Object.entries(commands).map(([n, c]) => [n, usageOf(c)])) } }
      : usageError('a command is needed'));
    out.stdout(help());
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : null;
  if (!command) {
    const what = name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`;
    out.result(usageError(what));
    out.stderr(`connauth: ${what}\n${help()}`);
    return 2;
  }
  const end = rest.indexOf('--');
  const options = end === -1 ? rest : rest.slice(0, end);
  if (options.includes('--help') || options.includes('-h')) {
    out.result({ ok: true, value: { usage: usageOf(command) } });
    out.stdout(`usage: ${usageOf(command)}`);
    return 0;
  }
  try {
    const engine = command.needsEngine === false ? null : await load();
    return await command.default(engine, rest, out);
  } catch (e) {
    if (e instanceof UsageError) {
      out.result(usageError(e.message, usageOf(command)));
      out.stderr(`connauth ${name}: ${e.message}\nusage: ${usageOf(command)}`);
      return 2;
    }
    if (e instanceof FileError) {
      out.result(fileError(e.message));
      out.stderr(`connauth ${name}: ${e.message}`);
      return 1;
    }
    out.result({ ok: false, error: { code: 'internal', message: `internal error: ${e?.message ?? e}` } });
    out.stderr(`connauth: internal error: ${e?.stack ?? e}`);
    return 1;
  }
}

const write = {
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
};
main(process.argv.slice(2), write).then(exit, (e) => {
  process.stderr.write(`connauth: internal error: ${e?.stack ?? e}\n`);
  exit(1);
});

// Exits once stdout and stderr are flushed: fetch keeps idle keep-alive
// sockets open, which would otherwise hold the process for seconds.
function exit(code) {
  process.exitCode = code;
  let pending = 2;
  const done = () => { if (--pending === 0) process.exit(code); };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
