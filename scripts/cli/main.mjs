// Entry point of `scripts/connauth` (SPEC §6): dispatches to one module per
// command. Exit codes: 0 success, 1 the input or the connection failed,
// 2 wrong usage.
import { load } from '../../wasm/connauth.mjs';
import { UsageError } from './args.mjs';
import { FileError } from './files.mjs';
import * as validate from './commands/validate.mjs';
import * as apply from './commands/apply.mjs';
import * as classify from './commands/classify.mjs';

const commands = { validate, apply, classify };

function help() {
  return ['usage: connauth <command> ...', ...Object.values(commands).map((c) => `  connauth ${c.usage}`)].join('\n');
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
  try {
    const engine = await load();
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
main(process.argv.slice(2), out).then((code) => {
  process.exitCode = code;
});
