// The local development defaults of connauth, in one place: scripts/dev (its
// launcher, edge/dev/main.mjs) and the CLI's `token` command read them, so a
// token the CLI mints is accepted by the edge scripts/dev started.
//
// Every value can be overridden from the environment. The secrets below are
// public (they are in this file): they protect nothing and must never be used
// outside a developer's machine. A deployment sets its own with
// `wrangler secret put` (edge/README.md, "Deploying to Cloudflare").
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_SESSION_SECRET } from '../src/dev_secret.mjs';

/** The repository root; a relative DATA_DIR is resolved against it. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const DEV_DEFAULTS = Object.freeze({
  /** Where the worker (API, OAuth callback, proxy, console) listens, on HOST. */
  PORT: 8787,
  /** Loopback only. */
  HOST: '127.0.0.1',
  /** HS256 key of the session tokens (at least 32 characters, RFC 7518 §3.2). */
  SESSION_SECRET: DEV_SESSION_SECRET,
  /** The at-rest key material (at least 32 characters; HKDF derives the AES key). */
  ENCRYPTION_KEY: 'connauth-dev-encryption-key-DO-NOT-USE-IN-PRODUCTION',
  /** Durable Object storage of the local worker (git-ignored). */
  DATA_DIR: '.data',
  /** The demo org and its users, as the printed tokens name them. */
  ORG: 'demo',
  ADMIN: 'admin',
  MEMBER: 'alice',
  /** Lifetime of the printed session tokens, in seconds (12 hours). */
  TOKEN_SECONDS: 12 * 60 * 60,
});

function port(value, fallback) {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port number: ${value}`);
  return n;
}

/**
 * The effective settings from the environment (PORT, SESSION_SECRET,
 * ENCRYPTION_KEY, DATA_DIR; PROVIDER_PORT, API_PORT and HOST_CONSOLE_PORT for
 * the demo servers and the example host console, default PORT+1, PORT+2 and
 * PORT+3, or any free port when PORT is 0).
 */
export function devSettings(env = process.env) {
  const p = port(env.PORT, DEV_DEFAULTS.PORT);
  const dataDir = env.DATA_DIR || DEV_DEFAULTS.DATA_DIR;
  return {
    port: p,
    host: DEV_DEFAULTS.HOST,
    providerPort: port(env.PROVIDER_PORT, p === 0 ? 0 : p + 1),
    apiPort: port(env.API_PORT, p === 0 ? 0 : p + 2),
    hostPort: port(env.HOST_CONSOLE_PORT, p === 0 ? 0 : p + 3),
    sessionSecret: env.SESSION_SECRET || DEV_DEFAULTS.SESSION_SECRET,
    encryptionKey: env.ENCRYPTION_KEY || DEV_DEFAULTS.ENCRYPTION_KEY,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(REPOSITORY_ROOT, dataDir),
    org: DEV_DEFAULTS.ORG,
    admin: DEV_DEFAULTS.ADMIN,
    member: DEV_DEFAULTS.MEMBER,
  };
}

/** The session secret the CLI's `token` command signs with: SESSION_SECRET, else the dev default. */
export function sessionSecret(env = process.env) {
  return env.SESSION_SECRET || DEV_DEFAULTS.SESSION_SECRET;
}
