// Entry point of `scripts/connauth` (SPEC §6): dispatches to one module per
// command. Exit codes: 0 success, 1 the input or the connection failed,
// 2 wrong usage.
import { load } from '../../wasm/connauth.mjs';
import { UsageError } from './args.mjs';
import { FileError } from './files.mjs';
import * as validate from './commands/validate.mjs';
import * as apply from './commands/apply.mjs';
import * as classify from './commands/classify.mjs';
import * as authorize from './commands/authorize.mjs';
import * as connect from './commands/connect.mjs';
import * as request from './commands/request.mjs';
import * as token from './commands/token.mjs';
import * as importCatalog from './commands/import.mjs';

const commands = { validate, apply, classify, authorize, connect, request, token, import: importCatalog };

function help() {
  return [
    'usage: connauth <command> ...',
    ...Object.values(commands).map((c) => `  connauth ${c.usage}`),
    '',
    'exit codes: 0 ok, 1 invalid input, failed request or lost connection, 2 wrong usage',
    'token: SESSION_SECRET from the environment (unset: the development default)',
  ].join('\n');
}

export async function main(argv, out) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out.stdout(help());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    out.stderr(`connauth: unknown command "${name}"\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.stdout(`usage: connauth ${command.usage}`);
    return 0;
  }
  try {
    const engine = command.needsEngine === false ? null : await load();
    return await command.default(engine, rest, out);
  } catch (e) {
    if (e instanceof UsageError) {
      out.stderr(`connauth ${name}: ${e.message}\nusage: connauth ${command.usage}`);
      return 2;
    }
    if (e instanceof FileError) {
      out.stderr(`connauth ${name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

const out = {
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
};
main(process.argv.slice(2), out).then(exit, (e) => {
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
