// The org's webhooks and their deliveries (SPEC §9), over the OrgStore's
// storage. Deliveries follow Standard Webhooks (webhook_signature.mjs): at
// least once, retried on the schedule below, in order per event key.
//
//   new WebhookOutbox(storage, env, now)   now(): epoch ms
//   create(org, {url, events}, actor) → Result {id, url, events, secret, created_at}
//   list() → Result [{id, url, events, created_at, created_by}]
//   remove(id) → Result {id, deleted: true}
//   deliveries(id, {cursor, limit}) → Result {items, next_cursor}
//   enqueue(event)      event = events.makeEvent(...): one pending delivery per
//                       subscribed webhook, in one storage write
//   deliverDue()        sends what is due, in order per event key; backoff
//   nextDue() → epoch ms of the next delivery attempt, or null
//
// Storage keys:
//   webhook:<id>                 {id, org, url, events (null = every type), created_at,
//                                created_by, sealed_secret (AES-GCM, AAD ["webhook_secret", org, id])}
//   whseq                        the last delivery number given (numbers order deliveries)
//   whd:<id>:<n>                 delivery n: {id, event_id, type, lane, body (while pending),
//                                status, attempts, created_at, last_attempt_at,
//                                next_attempt_at, last_status, last_error}
//   whlane:<id>:<lane>:<n>       1 while delivery n is pending. A lane is one event key's
//                                queue for one webhook; only its first delivery is attempted
//   whdue:<ms>:<id>:<n>          1: a lane's first delivery and when it is next attempted
//   whdone:<id>:<n>              1: a finished delivery (the newest FINISHED_KEPT are kept)
// <n> is 12 digits and <ms> 13, so key order is number or time order.
//
// Concurrency: every change (create, remove, enqueue, the claim of an
// attempt, the recording of its outcome) runs alone, one after the other
// (#exclusive): two calls on the object may otherwise interleave at each
// storage await, and a lane could get two deliveries attempted at once, or
// a pending delivery no way to be attempted. Sending happens outside. An
// attempt is claimed before it is sent by moving it LEASE_MS ahead: if the
// object is evicted mid-attempt, the attempt is made again.
import { ok, fail } from './result.mjs';
import { aad, atRestKeyring, isStale, openJson, reseal, sealJson, randomId } from './crypto.mjs';
import { configureEgressAddresses } from './egress_address.mjs';
import { log } from './log.mjs';
import { newWebhookSecret, signingKey, signedHeaders } from './webhook_signature.mjs';
import { validateWebhookInput, webhookUrlProblem } from './webhook_input.mjs';

/** Webhooks one org may have. */
export const MAX_WEBHOOKS = 20;
/**
 * The waits after each failed attempt (ms): the first attempt is immediate,
 * then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (the Standard Webhooks
 * example schedule, about 27.5 hours in all); an attempt failing after the
 * last wait makes the delivery `failed`. Each wait gets up to 10% more at
 * random, so retries to one receiver spread out.
 */
export const RETRY_DELAYS_MS = Object.freeze([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
/** How long an attempt waits for the receiver's response status. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** Finished deliveries kept per webhook for GET .../deliveries. */
export const FINISHED_KEPT = 100;
/** Deliveries claimed per deliverDue call, and sent at once at most. */
const BATCH = 32;
const CONCURRENCY = 8;
const LEASE_MS = ATTEMPT_TIMEOUT_MS + 50_000;

const pad = (n) => String(n).padStart(12, '0');
const padTime = (ms) => String(ms).padStart(13, '0');
const dueKey = (id, n, ms) => `whdue:${padTime(ms)}:${id}:${pad(n)}`;
const iso = (ms) => new Date(ms).toISOString();
const noWebhook = () => fail('not_found', 'no such webhook');

export class WebhookOutbox {
  #lastNumber = null; // the last delivery number given (whseq), read once
  #keys = new Map(); // webhook id -> its HMAC CryptoKey
  #tail = Promise.resolve(); // the last change queued by #exclusive

  constructor(storage, env, now) {
    this.storage = storage;
    this.env = env;
    this.now = now;
    configureEgressAddresses(env); // the OrgStore's isolate sends the deliveries
  }

  /** Registers a webhook; its secret is in this answer and nowhere else ever again. */
  create(org, input, actor) {
    return this.#exclusive(() => this.#create(org, input, actor));
  }

  async #create(org, input, actor) {
    const valid = validateWebhookInput(input, this.env);
    if (!valid.ok) return valid;
    const existing = await this.storage.list({ prefix: 'webhook:' });
    if (existing.size >= MAX_WEBHOOKS) {
      return fail('conflict', `the org has ${MAX_WEBHOOKS} webhooks, the most it may have: delete one first`);
    }
    const key = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!key.ok) return key;
    const id = `wh_${randomId(16)}`;
    const secret = newWebhookSecret();
    const record = {
      id, org, url: valid.value.url, events: valid.value.events, created_at: iso(this.now()), created_by: actor,
      sealed_secret: await sealJson(key.value, secret, aad('webhook_secret', org, id)),
    };
    await this.storage.put(`webhook:${id}`, record);
    return ok({ id, url: record.url, events: record.events, secret, created_at: record.created_at });
  }

  /**
   * Key rotation (org_store.mjs #resealAll): every webhook secret sealed
   * under an older key of the keyring is sealed again under its first key.
   * Answers how many were, or the first that could not be opened.
   */
  reseal(keyring) {
    return this.#exclusive(() => this.#reseal(keyring));
  }

  async #reseal(keyring) {
    let count = 0;
    for (const hook of (await this.storage.list({ prefix: 'webhook:' })).values()) {
      if (!isStale(keyring, hook.sealed_secret)) continue;
      const sealed = await reseal(keyring, hook.sealed_secret, aad('webhook_secret', hook.org, hook.id));
      if (!sealed.ok) return sealed;
      await this.storage.put(`webhook:${hook.id}`, { ...hook, sealed_secret: sealed.value });
      count++;
    }
    return ok(count);
  }

  async list() {
    const hooks = [...(await this.storage.list({ prefix: 'webhook:' })).values()];
    return ok(hooks.sort((a, b) => a.created_at.localeCompare(b.created_at)).map(publicWebhook));
  }

  /** Deletes the webhook with its deliveries, pending ones included (they are never sent). */
  remove(id) {
    return this.#exclusive(() => this.#remove(id));
  }

  async #remove(id) {
    if (!(await this.storage.get(`webhook:${id}`))) return noWebhook();
    await this.storage.delete(`webhook:${id}`); // first: an attempt in flight records nothing after this
    this.#keys.delete(id);
    for (const prefix of [`whd:${id}:`, `whlane:${id}:`, `whdone:${id}:`]) {
      for (;;) {
        const batch = await this.storage.list({ prefix, limit: 64 });
        if (batch.size === 0) break;
        const keys = [...batch.keys()];
        for (const [key, d] of batch) {
          if (prefix.startsWith('whd:') && d.status === 'pending' && d.next_attempt_at) {
            keys.push(dueKey(id, numberOf(key), Date.parse(d.next_attempt_at)));
          }
        }
        await this.storage.delete(keys);
      }
    }
    return ok({ id, deleted: true });
  }

  /** A page of the webhook's deliveries, newest first; the cursor is the last number answered. */
  async deliveries(id, { cursor, limit }) {
    if (!(await this.storage.get(`webhook:${id}`))) return noWebhook();
    if (cursor !== null && !/^[0-9]{12}$/.test(cursor)) {
      return fail('invalid_request', 'cursor is not from this list', { details: [{ path: '/cursor', message: 'is not from this list' }] });
    }
    const prefix = `whd:${id}:`;
    const found = [...(await this.storage.list({
      prefix, reverse: true, limit: limit + 1, ...(cursor ? { end: `${prefix}${cursor}` } : {}),
    })).entries()];
    const items = found.slice(0, limit).map(([, d]) => publicDelivery(d));
    return ok({ items, next_cursor: found.length > limit ? found[limit - 1][0].slice(prefix.length) : null });
  }

  /**
   * One pending delivery of `event` per webhook subscribed to its type, all
   * in one write. A delivery is first in its lane (due now) unless an
   * earlier one with the same key is still pending for that webhook.
   */
  enqueue(event) {
    return this.#exclusive(() => this.#enqueue(event));
  }

  async #enqueue(event) {
    const hooks = [...(await this.storage.list({ prefix: 'webhook:' })).values()]
      .filter((h) => h.events === null || h.events.includes(event.body.type));
    if (hooks.length === 0) return;
    this.#lastNumber ??= (await this.storage.get('whseq')) ?? 0;
    const lane = laneOf(event.key);
    const body = JSON.stringify(event.body);
    const now = this.now();
    const entries = {};
    for (const hook of hooks) {
      const n = ++this.#lastNumber;
      const first = (await this.storage.list({ prefix: `whlane:${hook.id}:${lane}:`, limit: 1 })).size === 0;
      entries[`whd:${hook.id}:${pad(n)}`] = {
        id: `dlv_${pad(n)}`, event_id: event.id, type: event.body.type, lane, body, status: 'pending', attempts: 0,
        created_at: iso(now), last_attempt_at: null, next_attempt_at: first ? iso(now) : null, last_status: null, last_error: null,
      };
      entries[`whlane:${hook.id}:${lane}:${pad(n)}`] = 1;
      if (first) entries[dueKey(hook.id, n, now)] = 1;
    }
    entries.whseq = this.#lastNumber;
    await this.storage.put(entries);
  }

  /** Epoch ms of the earliest due attempt, or null when nothing is pending. */
  async nextDue() {
    const [first] = (await this.storage.list({ prefix: 'whdue:', limit: 1 })).keys();
    return first === undefined ? null : Number(first.split(':')[1]);
  }

  /**
   * Makes the attempts due now, at most BATCH (the alarm comes back for the
   * rest: nextDue is then in the past), CONCURRENCY at a time.
   */
  async deliverDue() {
    const due = await this.storage.list({ prefix: 'whdue:', end: `whdue:${padTime(this.now() + 1)}`, limit: BATCH });
    const claimed = [];
    for (const key of due.keys()) {
      const attempt = await this.#exclusive(() => this.#claim(key));
      if (attempt) claimed.push(attempt);
    }
    for (let i = 0; i < claimed.length; i += CONCURRENCY) {
      await Promise.all(claimed.slice(i, i + CONCURRENCY).map(async (attempt) => {
        const outcome = await this.#send(attempt);
        await this.#exclusive(() => this.#record(attempt, outcome));
      }));
    }
  }

  // Runs `change` after every change queued before it (see Concurrency above).
  #exclusive(change) {
    const run = this.#tail.then(change);
    this.#tail = run.catch(() => {});
    return run;
  }

  // Counts the attempt and moves its due entry LEASE_MS ahead.
  async #claim(key) {
    const [, , id, number] = key.split(':');
    const n = Number(number);
    const [still, hook, delivery] = await Promise.all([
      this.storage.get(key), this.storage.get(`webhook:${id}`), this.storage.get(`whd:${id}:${pad(n)}`)]);
    if (!still) return null; // claimed meanwhile
    if (!hook || delivery?.status !== 'pending') {
      await this.storage.delete(key);
      return null;
    }
    const now = this.now();
    const leased = { ...delivery, attempts: delivery.attempts + 1, last_attempt_at: iso(now), next_attempt_at: iso(now + LEASE_MS) };
    await this.storage.put({ [`whd:${id}:${pad(n)}`]: leased, [dueKey(id, n, now + LEASE_MS)]: 1 });
    await this.storage.delete(key);
    return { hook, n, delivery: leased };
  }

  // One POST; answers {status} (the receiver's HTTP status) or {error}.
  async #send({ hook, delivery }) {
    const refusal = webhookUrlProblem(hook.url, this.env);
    if (refusal) return { error: `the URL is refused: ${refusal}` };
    const key = await this.#signingKey(hook);
    if (!key.ok) return { error: key.error.message };
    const timestamp = Math.floor(this.now() / 1000);
    const headers = await signedHeaders(key.value, delivery.event_id, timestamp, delivery.body);
    const signal = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'connauth-webhooks', ...headers },
        body: delivery.body,
        redirect: 'manual', // a redirect is a failure: the admin updates the URL (Standard Webhooks)
        signal,
      });
    } catch {
      return { error: signal.aborted ? `no response within ${ATTEMPT_TIMEOUT_MS / 1000} s` : 'the receiver could not be reached' };
    }
    try {
      await response.body?.cancel(); // the answer's body is not read
    } catch { /* the status is what counts */ }
    return { status: response.status };
  }

  async #signingKey(hook) {
    let key = this.#keys.get(hook.id);
    if (!key) {
      const atRest = await atRestKeyring(this.env.ENCRYPTION_KEY);
      if (!atRest.ok) return atRest;
      const secret = await openJson(atRest.value, hook.sealed_secret, aad('webhook_secret', hook.org, hook.id));
      if (!secret.ok) return secret;
      key = await signingKey(secret.value);
      this.#keys.set(hook.id, key);
    }
    return ok(key);
  }

  // Records the outcome: delivered, retried later, or
  // failed for good; a finished delivery hands its lane to the next one.
  async #record({ hook, n }, outcome) {
    const id = hook.id;
    const [stillThere, delivery] = await Promise.all([this.storage.get(`webhook:${id}`), this.storage.get(`whd:${id}:${pad(n)}`)]);
    if (!stillThere || !delivery) return; // deleted meanwhile: remove() dropped the rest
    const now = this.now();
    const leaseKey = dueKey(id, n, Date.parse(delivery.next_attempt_at));
    const delivered = outcome.status >= 200 && outcome.status < 300;
    const result = { last_status: outcome.status ?? null, last_error: delivered ? null : (outcome.error ?? `HTTP ${outcome.status}`) };
    const retryIn = RETRY_DELAYS_MS[delivery.attempts - 1];
    if (!delivered && retryIn !== undefined) {
      const at = now + retryIn + Math.floor(Math.random() * retryIn * 0.1);
      await this.storage.put({ [`whd:${id}:${pad(n)}`]: { ...delivery, ...result, next_attempt_at: iso(at) }, [dueKey(id, n, at)]: 1 });
      await this.storage.delete(leaseKey);
      this.#logFailure(hook, delivery, outcome, iso(at));
      return;
    }
    const { body, ...finished } = delivery;
    await this.storage.put({
      [`whd:${id}:${pad(n)}`]: { ...finished, ...result, status: delivered ? 'delivered' : 'failed', next_attempt_at: null },
      [`whdone:${id}:${pad(n)}`]: 1,
    });
    await this.storage.delete([leaseKey, `whlane:${id}:${delivery.lane}:${pad(n)}`]);
    if (!delivered) this.#logFailure(hook, delivery, outcome, null);
    await this.#startNext(id, delivery.lane, now);
    await this.#prune(id);
  }

  // The lane's next pending delivery (if any) becomes due now.
  async #startNext(id, lane, now) {
    const [next] = (await this.storage.list({ prefix: `whlane:${id}:${lane}:`, limit: 1 })).keys();
    if (next === undefined) return;
    const n = numberOf(next);
    const delivery = await this.storage.get(`whd:${id}:${pad(n)}`);
    if (!delivery) return;
    await this.storage.put({ [`whd:${id}:${pad(n)}`]: { ...delivery, next_attempt_at: iso(now) }, [dueKey(id, n, now)]: 1 });
  }

  // Keeps the newest FINISHED_KEPT finished deliveries of the webhook.
  async #prune(id) {
    const done = [...(await this.storage.list({ prefix: `whdone:${id}:`, limit: FINISHED_KEPT + 28 })).keys()];
    const old = done.slice(0, Math.max(0, done.length - FINISHED_KEPT));
    if (old.length) await this.storage.delete(old.flatMap((key) => [key, `whd:${id}:${pad(numberOf(key))}`]));
  }

  // One line per failed attempt (an error once the delivery is given up);
  // never the body, the URL or the secret.
  #logFailure(hook, delivery, outcome, nextAttemptAt) {
    log('webhook_attempt_failed', {
      org: hook.org, webhook: hook.id, delivery: delivery.id, type: delivery.type, attempt: delivery.attempts,
      status: nextAttemptAt ? 'pending' : 'failed', http_status: outcome.status, error: outcome.error, next_attempt_at: nextAttemptAt ?? undefined,
    }, nextAttemptAt ? 'info' : 'error'); // given up: someone must look at the receiver
  }
}

const numberOf = (key) => Number(key.slice(key.lastIndexOf(':') + 1));

/**
 * The lane of an event key: a 64-bit FNV-1a hash in hex (keys hold user ids,
 * which may be long or contain ':'). Two keys sharing a lane are only
 * delivered in one order rather than two: never out of order.
 */
function laneOf(key) {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(key)) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

function publicWebhook({ id, url, events, created_at, created_by }) {
  return { id, url, events, created_at, created_by };
}

function publicDelivery(d) {
  return {
    id: d.id, event_id: d.event_id, type: d.type, status: d.status, attempts: d.attempts, created_at: d.created_at,
    last_attempt_at: d.last_attempt_at, next_attempt_at: d.next_attempt_at, last_status: d.last_status, last_error: d.last_error,
  };
}
