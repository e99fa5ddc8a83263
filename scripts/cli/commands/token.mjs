// `connauth token --org O --user U --role admin|member [--ttl SECONDS]`
// (SPEC §6): a session token for the edge service's API and proxy (SPEC §7),
// HS256-signed with SESSION_SECRET by the project's one signer
// (edge/src/session.mjs signSession). Prints the token alone, so that
// `TOKEN=$(scripts/connauth token ...)` works.
import { parseArgs, required, UsageError } from '../args.mjs';
import { signSession } from '../../../edge/src/session.mjs';
import { DEV_DEFAULTS } from '../../../edge/dev/defaults.mjs';

/** Signing needs no WebAssembly: main.mjs skips loading it. */
export const needsEngine = false;

export const usage = 'token --org O --user U --role admin|member [--ttl SECONDS]';

/**
 * The development secret used when SESSION_SECRET is unset: the one scripts/dev
 * runs the edge with (edge/dev/defaults.mjs), so these tokens are accepted there.
 * Never use it outside a developer's machine.
 */
export const DEV_SESSION_SECRET = DEV_DEFAULTS.SESSION_SECRET;

/** The edge's minimum (edge/src/router.mjs MIN_SESSION_SECRET_LENGTH, RFC 7518 §3.2). */
const MIN_SESSION_SECRET_LENGTH = 32;

/** Default lifetime: one hour (signSession's default too). */
export const DEFAULT_TTL_SECONDS = 3600;
const MAX_TTL_SECONDS = 30 * 24 * 3600;

export default async function token(_engine, argv, out, env = process.env) {
  const { flags } = parseArgs(argv, { org: 'string', user: 'string', role: 'string', ttl: 'string' }, []);
  const org = required(flags, 'org');
  const user = required(flags, 'user');
  const role = required(flags, 'role');
  if (role !== 'admin' && role !== 'member') throw new UsageError(`--role must be admin or member, not "${role}"`);
  const ttl = flags.ttl === undefined ? DEFAULT_TTL_SECONDS : Number(flags.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    throw new UsageError(`--ttl must be a number of seconds from 1 to ${MAX_TTL_SECONDS}, not "${flags.ttl}"`);
  }

  let secret = env.SESSION_SECRET;
  if (secret === undefined || secret === '') {
    secret = DEV_SESSION_SECRET;
    out.stderr('connauth token: SESSION_SECRET is not set; signing with the development default');
  }
  if (secret.length < MIN_SESSION_SECRET_LENGTH) {
    // The edge refuses to run with a shorter secret (RFC 7518 §3.2).
    const message = `SESSION_SECRET must be at least ${MIN_SESSION_SECRET_LENGTH} characters`;
    out.result({ ok: false, error: { code: 'invalid_secret', message } });
    out.stderr(`connauth token: ${message}`);
    return 1;
  }
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: user, org, role, exp: now + ttl };
  try {
    const signed = await signSession(claims, secret, now);
    out.result({ ok: true, value: { token: signed, ...claims } });
    out.stdout(signed);
  } catch (e) {
    out.result({ ok: false, error: { code: 'invalid_claims', message: e.message } });
    out.stderr(`connauth token: ${e.message}`);
    return 1;
  }
  return 0;
}
