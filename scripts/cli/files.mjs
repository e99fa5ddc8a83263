// Reading and writing the CLI's JSON files, with errors that say which file
// and why.
import { readFileSync, openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

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

/** Like readJson, but the file must hold a JSON object (a connection hash, an app, fields). */
export function readObject(path, what) {
  const value = readJson(path, what);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new FileError(`${what} ${path} must hold a JSON object`);
  }
  return value;
}

/**
 * Writes atomically (a temporary file in the same folder, flushed, then
 * renamed over the target), so a crash or a concurrent reader never sees
 * half a connection file. Mode 0600: connection files hold tokens. The
 * temporary name is random and created exclusively ('wx': O_CREAT|O_EXCL,
 * which also refuses a symbolic link), so nothing placed there beforehand by
 * someone sharing the folder is written through.
 */
export function writeJson(path, value) {
  const tmp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  let created = false;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    created = true;
    try {
      writeSync(fd, JSON.stringify(value, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    if (created) try { unlinkSync(tmp); } catch { /* renamed or removed already */ }
    throw new FileError(`cannot write ${path}: ${e.code === 'ENOENT' ? 'no such folder' : e.message}`);
  }
}
