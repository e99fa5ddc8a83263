// Reading and writing the CLI's JSON files, with errors that say which file
// and why.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

export class FileError extends Error {}

export function readText(path, what) {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new FileError(`cannot read ${what} ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

export function readJson(path, what) {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FileError(`${what} ${path} is not valid JSON: ${e.message}`);
  }
}

/** Writes atomically (rename), so a crash never leaves half a connection file. */
export function writeJson(path, value) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}
