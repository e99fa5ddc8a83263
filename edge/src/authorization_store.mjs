// AuthorizationStore: the Durable Object holding ONE pending OAuth
// authorization between POST /api/apps/{id}/connect and GET /oauth/callback
// (SPEC §3): who started it (org, user, app and its generation), the values
// the user entered (for `multi`), and the engine's pending record (state,
// PKCE verifier, expiry, redirect URI). It is named from the SHA-256 of the
// state, the only thing the callback carries, so the callback finds it
// without a session; the record is sealed (the verifier is a secret, RFC
// 7636 §7.1), and taking it deletes it in the same step, so a state is
// consumed at most once even when two callbacks race (one object, one
// thread, input gates).
//
// Storage keys:
//   record  {sealed: AES-GCM of the pending authorization (AAD =
//           ["authorization", state hash]), expires_at}
//   used    the state was consumed (kept until cleanup, to tell "already
//           used" from "never issued")
//   origin  the console's origin the callback page posts to (not secret,
//           kept until cleanup so a late or replayed callback reaches it too)
// Alarm: at expires_at + CLEANUP_GRACE, everything is deleted. Until then an
// expired record is still answered, so the engine can say "expired" rather
// than "unknown". A newer connect of the same user for the same app cancels
// the record at once (cancel).
import { DurableObject } from 'cloudflare:workers';
import { ok, fail } from './result.mjs';
import { aad, atRestKeyring, openJson, sealJson } from './crypto.mjs';

/** How long after its expiry a pending authorization is kept (ms, default 1 hour). */
const CLEANUP_GRACE_MS = 60 * 60_000;

export class AuthorizationStore extends DurableObject {
  constructor(ctx, env, now = () => Date.now()) {
    super(ctx, env);
    this.now = now; // injected clock, milliseconds
  }

  /**
   * Stores a pending authorization: `pending` is
   * {org, user, app, generation, fields, pending: the engine's record}.
   * A state is never stored twice (128 random bits; refused if it were).
   */
  async begin(stateHash, pending) {
    const key = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!key.ok) return key;
    const sealed = await sealJson(key.value, pending, aad('authorization', stateHash));
    if ((await this.ctx.storage.get('record')) || (await this.ctx.storage.get('used'))) {
      return fail('conflict', 'this authorization state exists already');
    }
    const expiresAt = pending.pending.expires_at;
    await this.ctx.storage.put('record', { sealed, expires_at: expiresAt });
    if (typeof pending.origin === 'string') await this.ctx.storage.put('origin', pending.origin);
    await this.ctx.storage.setAlarm(expiresAt * 1000 + CLEANUP_GRACE_MS);
    return ok(true);
  }

  /**
   * Takes the pending authorization for `stateHash` out, whatever happens
   * next (single use: SPEC §3). Answers it, or `state_unknown` (never issued,
   * or cleaned up) / `state_used` (consumed before).
   */
  async take(stateHash) {
    const record = await this.ctx.storage.get('record');
    if (!record) {
      return (await this.ctx.storage.get('used'))
        ? fail('state_used', 'this sign-in answer was used already')
        : fail('state_unknown', 'this sign-in answer does not belong to a connection attempt in progress');
    }
    await this.ctx.storage.delete('record');
    await this.ctx.storage.put('used', true);
    await this.ctx.storage.setAlarm(this.now() + CLEANUP_GRACE_MS);
    const key = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!key.ok) return key;
    return openJson(key.value, record.sealed, aad('authorization', stateHash));
  }

  /**
   * For the callback page, without consuming anything: {status: 'pending'
   * | 'used' | 'unknown', origin (string | null)}.
   */
  async consoleOrigin() {
    const [record, used, origin] = await Promise.all(['record', 'used', 'origin'].map((k) => this.ctx.storage.get(k)));
    return { status: record ? 'pending' : used ? 'used' : 'unknown', origin: origin ?? null };
  }

  /**
   * A newer authorization of the same user for the same app replaced this
   * one (OrgStore.admitAuthorization): everything goes now, so that a
   * stream of connects leaves one object behind, not one per attempt. Its
   * callback then finds no pending authorization.
   */
  async cancel() {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    return ok(true);
  }

  async alarm() {
    await this.ctx.storage.deleteAll();
  }
}
