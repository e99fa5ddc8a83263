// A command's arguments, read by node:util parseArgs and checked strictly:
// unknown options, missing values and a wrong number of arguments are
// errors that name the option (never silently ignored).
import { parseArgs as parseTokens } from 'node:util';

export class UsageError extends Error {}

/**
 * @param argv        arguments after the command name
 * @param spec        {option: 'string' | 'list' | 'boolean'} (options without "--")
 * @param positionals names of the positional arguments; a last name ending in
 *                    "..." takes one or more (its value is an array)
 * @returns {flags, args}
 */
export function parseArgs(argv, spec, positionals) {
  const options = Object.fromEntries(Object.entries(spec).map(([name, kind]) =>
    [name, { type: kind === 'boolean' ? 'boolean' : 'string', multiple: kind === 'list' }]));
  // Not strict: parseArgs's own errors do not name the option the same way
  // for every mistake, and it refuses values that start with "-" ("--body
  // -1"); the tokens are checked below instead.
  const { tokens } = parseTokens({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  const flags = {};
  const rest = [];
  for (const token of tokens) {
    if (token.kind === 'positional') rest.push(token.value);
    if (token.kind !== 'option') continue;
    const kind = spec[token.name];
    if (!kind) throw new UsageError(`unknown option ${token.rawName}`);
    if (kind === 'boolean') {
      if (token.inlineValue) throw new UsageError(`${token.rawName} takes no value`);
      flags[token.name] = true;
    } else if (token.value === undefined) {
      throw new UsageError(`${token.rawName} needs a value`);
    } else if (kind === 'list') {
      (flags[token.name] ??= []).push(token.value);
    } else {
      flags[token.name] = token.value;
    }
  }
  return { flags, args: positionalArgs(rest, positionals) };
}

function positionalArgs(rest, positionals) {
  const last = positionals.at(-1);
  const variadic = last?.endsWith('...') ?? false;
  const fixed = variadic ? positionals.slice(0, -1) : positionals;
  if (!positionals.length && rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (variadic ? rest.length <= fixed.length : rest.length !== fixed.length) {
    const names = positionals.map((p) => p.toUpperCase()).join(' ');
    throw new UsageError(`expected ${names}, got ${rest.length} argument(s)`);
  }
  const args = Object.fromEntries(fixed.map((p, i) => [p, rest[i]]));
  if (variadic) args[last.slice(0, -3)] = rest.slice(fixed.length);
  return args;
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
