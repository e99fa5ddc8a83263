// A small, strict argument parser: unknown flags and missing values are
// errors that name the flag (never silently ignored).

export class UsageError extends Error {}

/**
 * @param argv      arguments after the command name
 * @param spec      {flag: 'string' | 'list' | 'boolean'} (flags without "--")
 * @param positionals how many positional arguments the command takes
 */
export function parseArgs(argv, spec, positionals) {
  const flags = {};
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      flags[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (kind === 'list') (flags[name] ??= []).push(value);
    else flags[name] = value;
  }
  if (rest.length !== positionals.length) {
    throw new UsageError(`expected ${positionals.map((p) => p.toUpperCase()).join(' ')}, got ${rest.length} argument(s)`);
  }
  return { flags, args: Object.fromEntries(positionals.map((p, i) => [p, rest[i]])) };
}

export function required(flags, name) {
  if (flags[name] === undefined) throw new UsageError(`--${name} is required`);
  return flags[name];
}

/** `--header 'Name: value'` -> [name, value]. */
export function parseHeader(line) {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new UsageError(`--header "${line}" must look like 'Name: value'`);
  return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
}
