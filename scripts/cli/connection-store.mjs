// Where a connection hash lives while the CLI works on it. ConnectionSession
// (session.mjs) reads and writes through one of these:
//
//   ConnectionFile    CONN.json: atomic writes (mode 0600) and a lock file
//                     around refreshes, so concurrent `connauth request`
//                     processes make one token request, not one each (SPEC §3
//                     single flight). Providers that rotate refresh tokens
//                     revoke the whole grant when a rotated one is replayed.
//   MemoryConnection  a hash not written anywhere yet (`connect` writes it
//                     only once the test has passed).
import { openSync, writeSync, closeSync, statSync, unlinkSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileError, readObject, writeJson } from './files.mjs';

/** A lock older than this is left over from a process that died; it is broken. */
export const LOCK_STALE_MS = 90_000; // > one refresh: REQUEST_TIMEOUT_MS (http.mjs) plus margin
/** How long to wait for another process's refresh before giving up. */
export const LOCK_WAIT_MS = 60_000;
const LOCK_POLL_MS = 50;

export class ConnectionFile {
  constructor(path) {
    this.path = path;
    this.lockPath = `${path}.lock`;
  }

  read() {
    return readObject(this.path, 'connection');
  }

  write(hash) {
    writeJson(this.path, hash);
  }

  /**
   * Runs `fn(current)` holding the lock, `current` being the hash as the file
   * holds it now (another process may have refreshed since we read it).
   */
  async exclusive(fn) {
    await this.#lock();
    try {
      return await fn(this.read());
    } finally {
      try { unlinkSync(this.lockPath); } catch { /* already gone: a stale-lock breaker took it */ }
    }
  }

  async #lock() {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const fd = openSync(this.lockPath, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return;
      } catch (e) {
        if (e.code !== 'EEXIST') throw new FileError(`cannot create the lock ${this.lockPath}: ${e.message}`);
      }
      if (this.#lockIsStale()) {
        try { unlinkSync(this.lockPath); } catch { /* another waiter broke it first */ }
        continue;
      }
      if (Date.now() > deadline) {
        throw new FileError(`${this.lockPath} is held by another connauth process; if none is running, delete it`);
      }
      await sleep(LOCK_POLL_MS);
    }
  }

  // Left over: its process is gone (killed mid-refresh, e.g. Ctrl-C), or it
  // is older than any refresh can take (a process on another machine).
  #lockIsStale() {
    try {
      const pid = Number.parseInt(readFileSync(this.lockPath, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && !processExists(pid)) return true;
      return Date.now() - statSync(this.lockPath).mtimeMs > LOCK_STALE_MS;
    } catch {
      return false; // released meanwhile (or being written): the next attempt decides
    }
  }
}

function processExists(pid) {
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists
    return true;
  } catch (e) {
    return e.code === 'EPERM'; // exists, owned by another user
  }
}

export class MemoryConnection {
  #hash;

  constructor(hash) {
    this.#hash = hash;
  }

  read() {
    return this.#hash;
  }

  write(hash) {
    this.#hash = hash;
  }

  async exclusive(fn) {
    return fn(this.#hash);
  }
}
