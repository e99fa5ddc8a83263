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
//
// CONN.json is the flat connection hash (SPEC §6) plus one key of the CLI's
// own, ACCOUNT_KEY: {identity, owner_id, scope}, what the connection is for
// (SPEC §10). A later `connect` or `authorize` to the same file passes it to
// the engine as `previous`, so a reconnect to another account is reported;
// a refresh that grants a narrower scope updates its `scope`. No field can
// be named like it (field names match ^[a-z_][a-z0-9_]*$), and the engine
// never sees it. A file without it (the bare hash, e.g. written by hand)
// has no account to compare with.
import { openSync, writeSync, closeSync, statSync, unlinkSync, readFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileError, readObject, writeJson } from './files.mjs';

export const ACCOUNT_KEY = '$account';

/** A connection file's content -> {hash, account}: the hash the engine reads, the account or null. */
export function splitConnectionFile(content) {
  const { [ACCOUNT_KEY]: account, ...hash } = content;
  const usable = account && typeof account === 'object' && !Array.isArray(account);
  return { hash, account: usable ? account : null };
}

/** The hash a connection file holds, for a command that only reads it (apply, classify). */
export function readConnectionHash(path) {
  return splitConnectionFile(readObject(path, 'connection')).hash;
}

/**
 * The account of a connect's answer ({identity?, owner_id?, scope?}) as the
 * connection file keeps it; null members are unknown.
 */
export function accountOf({ identity = null, owner_id: ownerId = null, scope = null }) {
  return { identity, owner_id: ownerId, scope };
}

/**
 * Writes a new connection (connect, authorize): the hash, and its account
 * when anything of it is known (a connection without one stays the bare hash).
 */
export function writeConnectionFile(path, hash, account) {
  const known = Object.values(account).some((v) => v !== null);
  writeJson(path, known ? { ...hash, [ACCOUNT_KEY]: account } : hash);
}

/**
 * The account of the connection `path` holds before a reconnect writes over
 * it -> {account} (null: no file, or a file without one) or {problem} when
 * the file cannot be read as a connection (it is overwritten all the same).
 */
export function previousAccount(path) {
  if (!existsSync(path)) return { account: null };
  try {
    return { account: splitConnectionFile(readObject(path, 'connection')).account };
  } catch (e) {
    if (e instanceof FileError) return { account: null, problem: e.message };
    throw e;
  }
}

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

  /** The hash; the file's account is kept in `account` for the next write. */
  read() {
    const { hash, account } = splitConnectionFile(readObject(this.path, 'connection'));
    this.account = account;
    return hash;
  }

  /** `scope`: the granted scope a refresh answered (RFC 6749 §6); null keeps the file's. */
  write(hash, { scope = null } = {}) {
    if (typeof scope === 'string') this.account = { ...accountOf(this.account ?? {}), scope };
    writeJson(this.path, this.account ? { ...hash, [ACCOUNT_KEY]: this.account } : hash);
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
    this.account = null;
  }

  read() {
    return this.#hash;
  }

  write(hash, { scope = null } = {}) {
    this.#hash = hash;
    if (typeof scope === 'string') this.account = { ...accountOf(this.account ?? {}), scope };
  }

  async exclusive(fn) {
    return fn(this.#hash);
  }
}
