// OrgStore: the Durable Object holding one org's connectors (every version)
// and outbound applications, plus the index of each app's connection objects
// so that delete and reset can wipe every user's tokens (SPEC §5).
//
// Storage keys (values are structured-cloned objects):
//   org                         the org id this object serves (checked on every call)
//   connector:<name>            {name, current, latest}
//   cver:<name>:<0-padded n>    {version, created_at, created_by, restored_from}
//   cdef:<name>:<n>:<i>         chunk i of version n's definition text (32 Ki chars,
//                               under the 128 KiB value limit of DO storage)
//   app:<id>                    the app record: plain configuration, `generation`, `rev`,
//                               sealed_client_secret and sealed_secret_settings (AES-GCM,
//                               AAD = ["app_secret"|"app_settings", org, id]); never plaintext secrets
//   appuser:<id>:<user>         1: the user has (or had) a connection object in the app's generation
//   wipe:<ref json>             a connection object still to be wiped (retried by alarm)
//   revoke:<[id, generation]>   {record, connector: "name@version"}: the app as it was when its
//                               connections were scheduled for wiping, so their tokens can be
//                               revoked (SPEC §9) after a delete; kept until no wipe is pending
//   pending:<id>:<user>         the state hash of the user's one pending OAuth authorization for the app
//   sealed_with                 the id of the key everything was last re-sealed under (#resealAll)
//
// Every method takes the org first and answers a Result (result.mjs).
import { DurableObject } from 'cloudflare:workers';
import { ok, fail } from './result.mjs';
import { aad, atRestKeyring, isStale, openJson, randomId, reseal, sealJson } from './crypto.mjs';
import { getEngine } from './engine.mjs';
import { LIMITS } from './limits.mjs';
import { OPERATION_FIELDS, operations, parseConnectorRef, publicApp } from './app_model.mjs';
import { connectionRef, connectionStore } from './stores.mjs';
import { ConnectLimit } from './connect_limit.mjs';
import { WebhookOutbox } from './webhook_outbox.mjs';
import { makeEvent, ADMIN_KEY, connectionKey } from './events.mjs';
import { ConnectionIndex } from './connection_index.mjs';
import { takeSlot } from './keepalive.mjs';
import { log } from './log.mjs';
import { AuditLog } from './audit_log.mjs';
import { appEtag, conditionHolds, connectorEtag, preconditionFailed } from './preconditions.mjs';

const CHUNK_CHARS = 32 * 1024;
/** How long a failed wipe waits before the alarm retries it (ms, default 30 s). */
const WIPE_RETRY_MS = 30_000;
/** Connection objects wiped at once while answering a request (the alarm continues). */
const WIPE_BATCH = 64;
const WIPE_CONCURRENCY = 8;

const pad = (n) => String(n).padStart(10, '0');
const noConnector = (name) => fail('not_found', `no connector named ${name}`);
const noApp = () => fail('not_found', 'no such app');
// What the worker answers for an app: the public fields and the ETag of this
// revision, which apps.mjs moves to the ETag header (preconditions.mjs).
const appAnswer = (record) => ({ ...publicApp(record), etag: appEtag(record.rev) });
// `condition` (preconditions.ifMatch) against the app `record` as stored now.
const appCondition = (condition, record) => (conditionHolds(condition, appEtag(record.rev))
  ? ok(record) : preconditionFailed('the app', appEtag(record.rev)));

export class OrgStore extends DurableObject {
  #org; // cached `org` key
  #connectLimit = new ConnectLimit(); // authorization starts per user (connect_limit.mjs)

  #outbox; // the org's webhooks and their pending deliveries (webhook_outbox.mjs)
  #auditLog; // who changed what (audit_log.mjs)
  #connections; // a summary of every connection (connection_index.mjs)
  #keysChecked = false; // whether this instance looked for a key rotation (#checkKeys)

  constructor(ctx, env, now = () => Date.now()) {
    super(ctx, env);
    this.now = now; // injected clock (tests may pin it)
    this.#outbox = new WebhookOutbox(ctx.storage, env, () => this.now());
    this.#auditLog = new AuditLog(ctx.storage, () => this.now());
    this.#connections = new ConnectionIndex(ctx.storage);
  }

  // ---- connectors (SPEC §2, §7) -------------------------------------------

  /**
   * Stores a validated definition as the new current version, if
   * `condition` (If-Match) holds for the current one.
   */
  async putConnector(org, name, definition, actor, condition = null) {
    await this.#bind(org);
    const added = await this.#addVersion(name, JSON.stringify(definition), actor, null, condition);
    return added.ok ? ok(await this.#connectorChanged(added.value, actor, null)) : added;
  }

  /** The current definition (or `version`'s) and the version list. */
  async getConnector(org, name, version = null) {
    await this.#bind(org);
    const meta = await this.ctx.storage.get(`connector:${name}`);
    if (!meta) return noConnector(name);
    const wanted = version ?? meta.current;
    const text = await this.#definitionText(name, wanted);
    if (text === null) return fail('not_found', `connector ${name} has no version ${wanted}`);
    const versions = [...(await this.ctx.storage.list({ prefix: `cver:${name}:` })).values()];
    return ok({ name, version: wanted, current: meta.current, definition: JSON.parse(text), versions });
  }

  /** Every connector's name and current version. */
  async listConnectors(org) {
    await this.#bind(org);
    const metas = await this.ctx.storage.list({ prefix: 'connector:' });
    return ok([...metas.values()].map(({ name, current }) => ({ name, version: current })));
  }

  /** SPEC §7: `version` becomes current again, as a new version (if `condition` holds). */
  async rollbackConnector(org, name, version, actor, condition = null) {
    await this.#bind(org);
    const meta = await this.ctx.storage.get(`connector:${name}`);
    if (!meta) return noConnector(name);
    const text = await this.#definitionText(name, version);
    if (text === null) return fail('not_found', `connector ${name} has no version ${version}`);
    const added = await this.#addVersion(name, text, actor, version, condition);
    return added.ok ? ok(await this.#connectorChanged(added.value, actor, version)) : added;
  }

  // connector.updated, and its audit entry, for a new current version.
  async #connectorChanged(added, actor, restoredFrom) {
    const connector = { name: added.name, version: added.version, restored_from: restoredFrom };
    await this.#audit(actor, restoredFrom === null ? 'connector.updated' : 'connector.rolled_back',
      { type: 'connector', id: added.name, name: `${added.name}@${added.version}` });
    await this.#emit('connector.updated', { connector, actor });
    return added;
  }

  // Only storage is awaited from the read of the current version to the
  // write, so the If-Match comparison and the new version are one step.
  async #addVersion(name, text, actor, restoredFrom, condition) {
    const meta = (await this.ctx.storage.get(`connector:${name}`)) ?? { name, current: 0, latest: 0 };
    const etag = meta.current ? connectorEtag(meta.current) : null;
    if (!conditionHolds(condition, etag)) return preconditionFailed(`connector ${name}`, etag);
    const version = meta.latest + 1;
    const entries = {
      [`connector:${name}`]: { name, current: version, latest: version },
      [`cver:${name}:${pad(version)}`]: {
        version, created_at: this.#iso(), created_by: actor, restored_from: restoredFrom,
      },
    };
    for (let i = 0; i * CHUNK_CHARS < text.length; i++) {
      entries[`cdef:${name}:${version}:${i}`] = text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
    }
    await this.ctx.storage.put(entries); // one atomic write
    return ok({ name, version });
  }

  async #definitionText(name, version) {
    if (!Number.isInteger(version) || version < 1) return null;
    const chunks = await this.ctx.storage.list({ prefix: `cdef:${name}:${version}:` });
    if (chunks.size === 0) return null;
    const ordered = [...chunks.entries()].sort((a, b) => chunkIndex(a[0]) - chunkIndex(b[0]));
    return ordered.map(([, v]) => v).join('');
  }

  // ---- apps (SPEC §5) -----------------------------------------------------

  /** Creates an app from validated fields (app_model.validateAppInput). */
  async createApp(org, fields, actor) {
    await this.#bind(org);
    const connector = await this.#resolveConnector(fields.connector);
    if (!connector.ok) return connector;
    const now = this.#iso();
    const record = {
      id: randomId(16),
      name: fields.name, description: fields.description, prompt: fields.prompt, connector: fields.connector,
      client_id: fields.client_id, scopes: fields.scopes, default_expires_in: fields.default_expires_in,
      refresh_buffer: fields.refresh_buffer, egress: fields.egress, enabled: fields.enabled, issuer: fields.issuer,
      ...operations(fields),
      created_at: now, updated_at: now, created_by: actor, generation: 1, rev: 1,
      settings: {}, secret_setting_names: [], sealed_secret_settings: null, sealed_client_secret: null,
    };
    const sealed = await this.#sealSecrets(org, record, fields.client_secret ?? null, fields.settings, connector.value);
    if (!sealed.ok) return sealed;
    const size = this.#checkSize(record);
    if (!size.ok) return size;
    await this.ctx.storage.put(`app:${record.id}`, record);
    await this.#appChanged('app.created', record, actor);
    return ok(appAnswer(record));
  }

  async listApps(org) {
    await this.#bind(org);
    const apps = await this.ctx.storage.list({ prefix: 'app:' });
    return ok([...apps.values()].sort((a, b) => a.created_at.localeCompare(b.created_at)).map(publicApp));
  }

  async getApp(org, id) {
    await this.#bind(org);
    const record = await this.ctx.storage.get(`app:${id}`);
    return record ? ok(appAnswer(record)) : noApp();
  }

  /**
   * Applies a validated partial update. `client_secret`: a string replaces
   * it, null clears it, absent keeps it. Secret settings are write-only like
   * the client secret: absent from `settings` keeps them, null clears them.
   * With `condition` (If-Match), only if it holds for the app as stored.
   */
  async updateApp(org, id, patch, actor, condition = null) {
    await this.#bind(org);
    // Sealing awaits WebCrypto, so another call (a reset bumping the
    // generation) may interleave: write only if the record is still the one
    // read, and otherwise start over from the newer one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const record = await this.ctx.storage.get(`app:${id}`);
      if (!record) return noApp();
      const unchanged = appCondition(condition, record);
      if (!unchanged.ok) return unchanged;
      const next = await this.#patched(org, record, patch, actor);
      if (!next.ok) return next;
      const current = await this.ctx.storage.get(`app:${id}`);
      if (current?.rev !== record.rev) continue;
      await this.ctx.storage.put(`app:${id}`, next.value);
      await this.#appChanged('app.updated', next.value, actor, Object.keys(patch).sort());
      return ok(appAnswer(next.value));
    }
    return fail('conflict', 'the app changed meanwhile; try again');
  }

  async #patched(org, record, patch, actor) {
    const id = record.id;
    const connectorRef = patch.connector ?? record.connector;
    const connector = await this.#resolveConnector(connectorRef);
    if (!connector.ok) return connector;
    const key = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!key.ok) return key;
    const oldSecret = await this.#openOptional(key.value, record.sealed_client_secret, aad('app_secret', org, id));
    const oldSecretSettings = await this.#openOptional(key.value, record.sealed_secret_settings, aad('app_settings', org, id));
    if (!oldSecret.ok) return oldSecret;
    if (!oldSecretSettings.ok) return oldSecretSettings;

    let settings = { ...record.settings, ...(oldSecretSettings.value ?? {}) };
    if (patch.settings) {
      const kept = {};
      for (const name of record.secret_setting_names ?? []) {
        if (!Object.hasOwn(patch.settings, name) && oldSecretSettings.value?.[name] !== undefined) kept[name] = oldSecretSettings.value[name];
      }
      settings = { ...kept, ...patch.settings };
    }
    const clientSecret = Object.hasOwn(patch, 'client_secret') ? patch.client_secret : oldSecret.value;

    const next = { ...record };
    for (const field of ['name', 'description', 'prompt', 'connector', 'client_id', 'scopes',
      'default_expires_in', 'refresh_buffer', 'egress', 'enabled', 'issuer', ...OPERATION_FIELDS]) {
      if (Object.hasOwn(patch, field)) next[field] = patch[field];
    }
    next.updated_at = this.#iso();
    next.updated_by = actor;
    next.rev = record.rev + 1;
    const sealed = await this.#sealSecrets(org, next, clientSecret, settings, connector.value);
    if (!sealed.ok) return sealed;
    const size = this.#checkSize(next);
    return size.ok ? ok(next) : size;
  }

  /** SPEC §5 enable / disable: tokens are kept either way. */
  async setEnabled(org, id, enabled, actor, condition = null) {
    await this.#bind(org);
    const record = await this.ctx.storage.get(`app:${id}`);
    if (!record) return noApp();
    const unchanged = appCondition(condition, record);
    if (!unchanged.ok) return unchanged;
    const next = { ...record, enabled, updated_at: this.#iso(), updated_by: actor, rev: record.rev + 1 };
    await this.ctx.storage.put(`app:${id}`, next);
    await this.#appChanged(enabled ? 'app.enabled' : 'app.disabled', next, actor);
    return ok(appAnswer(next));
  }

  /** SPEC §5 delete: the app, its secrets and every user's tokens, irreversibly. */
  async deleteApp(org, id, actor, condition = null) {
    await this.#bind(org);
    const record = await this.ctx.storage.get(`app:${id}`);
    if (!record) return noApp();
    const unchanged = appCondition(condition, record);
    if (!unchanged.ok) return unchanged;
    await this.ctx.storage.delete(`app:${id}`);
    await this.#keepForRevocation(record);
    await this.#scheduleWipes(org, id, record.generation);
    await this.#connections.dropApp(id);
    await this.#appChanged('app.deleted', record, actor);
    await this.#drainWipes();
    return ok({ id, deleted: true });
  }

  /**
   * SPEC §5 reset: every user's tokens go, the configuration stays. The
   * generation bump makes the old connection objects unreachable at once;
   * their storage is then wiped (and a wiped object refuses writes, so a
   * connect racing with the reset cannot leave tokens behind).
   */
  async resetApp(org, id, actor, condition = null) {
    await this.#bind(org);
    const record = await this.ctx.storage.get(`app:${id}`);
    if (!record) return noApp();
    const unchanged = appCondition(condition, record);
    if (!unchanged.ok) return unchanged;
    const next = { ...record, generation: record.generation + 1, updated_at: this.#iso(), updated_by: actor, rev: record.rev + 1 };
    await this.ctx.storage.put(`app:${id}`, next);
    await this.#keepForRevocation(record);
    await this.#scheduleWipes(org, id, record.generation);
    await this.#connections.dropApp(id);
    await this.#appChanged('app.reset', next, actor);
    await this.#drainWipes();
    return ok(appAnswer(next));
  }

  /** What addressing the app's connections needs: {id, enabled, generation}. */
  async appState(org, id) {
    await this.#bind(org);
    const record = await this.ctx.storage.get(`app:${id}`);
    return record ? ok({ id, enabled: record.enabled, generation: record.generation }) : noApp();
  }

  /**
   * Everything a request on the app needs, in one call: the public app plus
   * `generation`, the opened secrets (client_secret, all settings) and the
   * connector definition in force (pinned version or current). Internal
   * only: the worker never sends `secrets` to a caller.
   */
  async appForUse(org, id) {
    await this.#bind(org);
    const record = await this.ctx.storage.get(`app:${id}`);
    if (!record) return noApp();
    const connector = await this.#resolveConnector(record.connector);
    if (!connector.ok) return fail('connector_error', `the app's connector ${record.connector} is missing`);
    const key = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!key.ok) return key;
    const secret = await this.#openOptional(key.value, record.sealed_client_secret, aad('app_secret', org, id));
    const secretSettings = await this.#openOptional(key.value, record.sealed_secret_settings, aad('app_settings', org, id));
    if (!secret.ok) return secret;
    if (!secretSettings.ok) return secretSettings;
    return ok({
      app: { ...appAnswer(record), generation: record.generation },
      secrets: { client_secret: secret.value, settings: { ...record.settings, ...(secretSettings.value ?? {}) } },
      connector: { name: connector.value.name, version: connector.value.version, definition: connector.value.text },
    });
  }

  /**
   * Records that `user` has a connection object in the app's `generation`
   * (before anything is written to it), so delete/reset can find it.
   * Refuses a stale generation (the app was reset meanwhile) and a disabled app.
   */
  async registerConnection(org, id, generation, user) {
    await this.#bind(org);
    const record = await this.ctx.storage.get(`app:${id}`);
    if (!record) return noApp();
    if (!record.enabled) return fail('app_disabled', 'the app is disabled');
    if (record.generation !== generation) return fail('conflict', 'the app was reset meanwhile; try again');
    await this.ctx.storage.put(`appuser:${id}:${user}`, 1);
    return ok(true);
  }

  // ---- the org's connections (SPEC §9) ---------------------------------------

  /**
   * What a ConnectionStore reports when its connection changed
   * (connection_store.mjs #report): {app, generation, user, seq, status,
   * identity, lost, expires_at, last_success_at, last_used_at,
   * connector_version, event, actor}. Updates the index and, for a status
   * change, emits its event (and audits it when a user did it). A report
   * older than the one stored, or about an app that was deleted or reset
   * meanwhile, changes nothing. Answers ok once handled, so the sender can
   * drop it.
   */
  async connectionChanged(org, report) {
    await this.#bind(org);
    const record = await this.ctx.storage.get(`app:${report.app}`);
    if (!record) return ok(false);
    const { event, actor, account_changed: accountChanged, ...summary } = report;
    if (!(await this.#connections.update(summary, record.generation))) return ok(false);
    if (event) {
      const app = { id: record.id, name: record.name };
      const diagnosis = summary.lost ? { cause: summary.lost.cause, message: summary.lost.message, action: summary.lost.action } : {};
      // SPEC §10: a reconnect to another account says so in its connected event.
      const account = accountChanged ? { account_changed: accountChanged } : {};
      await this.#emit(event, {
        app, user: summary.user, status: summary.status, ...diagnosis, connector_version: summary.connector_version, ...account,
      }, connectionKey(record.id, summary.user));
      if (actor) {
        await this.#audit(actor, event, { type: 'connection', id: `${record.id}:${summary.user}`, name: record.name },
          accountChanged ? ['account'] : null);
      }
    }
    return ok(true);
  }

  /**
   * The slot (epoch ms) of one keep-alive renewal against `provider`
   * (keepalive.mjs): now, or later when others of the org's connections to
   * the same provider took the slots before it.
   */
  async keepaliveSlot(org, provider) {
    await this.#bind(org);
    const key = `keepalive:${provider}`;
    const slot = takeSlot(await this.ctx.storage.get(key), this.now());
    await this.ctx.storage.put(key, slot.nextFree);
    return ok({ at: slot.at });
  }

  /** GET /api/connections: a page of the index, each with its app's name and the status shown. */
  async listConnections(org, query) {
    await this.#bind(org);
    const apps = new Map([...(await this.ctx.storage.list({ prefix: 'app:' })).values()].map((a) => [a.id, a]));
    const statusOf = (summary) => (apps.get(summary.app)?.enabled === false ? 'disabled' : summary.status);
    const page = await this.#connections.page(query, statusOf);
    if (!page.ok) return page;
    const items = page.value.items.filter((s) => apps.has(s.app)).map((s) => ({
      app: { id: s.app, name: apps.get(s.app).name },
      user: s.user,
      status: statusOf(s),
      identity: s.identity ?? null,
      scope: s.scope ?? null,
      lost: s.lost ?? null,
      expires_at: s.expires_at ?? null,
      last_success_at: s.last_success_at ?? null,
      last_used_at: s.last_used_at ?? null,
      connector_version: s.connector_version ?? null,
    }));
    return ok({ items, next_cursor: page.value.next_cursor });
  }

  // ---- pending OAuth authorizations (SPEC §3) -------------------------------

  /**
   * Admits a new authorization start by `user` for app `id` (its state's
   * hash `stateHash`): rate_limited (with retryAfter, seconds) beyond the
   * user's ConnectLimit; otherwise it becomes the one pending authorization
   * of (user, app), answering {replaced: the state hash it replaces, or
   * null}, whose AuthorizationStore the caller cancels.
   */
  async admitAuthorization(org, id, user, stateHash) {
    await this.#bind(org);
    const taken = this.#connectLimit.take(user, this.now());
    if (!taken.ok) {
      return fail('rate_limited', `too many connection attempts: try again in ${taken.retryAfter} s`, { retryAfter: taken.retryAfter });
    }
    const key = `pending:${id}:${user}`;
    const replaced = (await this.ctx.storage.get(key)) ?? null;
    await this.ctx.storage.put(key, stateHash);
    return ok({ replaced });
  }

  // ---- events and webhooks (SPEC §9) ---------------------------------------

  // An admin change to an app: its audit entry (`changed`: the field names
  // a PATCH sent, never their values) and its event.
  async #appChanged(type, record, actor, changed = null) {
    await this.#audit(actor, type, { type: 'app', id: record.id, name: record.name }, changed);
    await this.#emit(type, { app: { id: record.id, name: record.name }, actor, enabled: record.enabled });
  }

  /**
   * Records an event: one pending delivery per subscribed webhook (written
   * before this returns, so a change and its event are not separated by a
   * crash of this object) and one structured log line; the alarm delivers.
   */
  async #emit(type, data, key = ADMIN_KEY) {
    const event = makeEvent(type, { org: this.#org, ...data }, this.now(), key);
    // A connection's status change was logged where it happened (connection_store.mjs).
    if (key === ADMIN_KEY) log('admin_change', { type, org: this.#org, app: data.app?.id, user: data.actor });
    await this.#outbox.enqueue(event);
    await this.#scheduleAlarm();
  }

  /** POST /api/webhooks: the secret is in this answer only. */
  async createWebhook(org, input, actor) {
    await this.#bind(org);
    const created = await this.#outbox.create(org, input, actor);
    if (created.ok) await this.#audit(actor, 'webhook.created', { type: 'webhook', id: created.value.id, name: created.value.url });
    return created;
  }

  async listWebhooks(org) {
    await this.#bind(org);
    return this.#outbox.list();
  }

  async deleteWebhook(org, id, actor) {
    await this.#bind(org);
    const removed = await this.#outbox.remove(id);
    if (removed.ok) await this.#audit(actor, 'webhook.deleted', { type: 'webhook', id });
    return removed;
  }

  async webhookDeliveries(org, id, page) {
    await this.#bind(org);
    return this.#outbox.deliveries(id, page);
  }

  /** GET /api/audit: newest first. */
  async auditPage(org, page) {
    await this.#bind(org);
    return this.#auditLog.page(page);
  }

  async #audit(actor, action, target, changed = null) {
    await this.#auditLog.append(actor, action, target, changed);
  }

  // One alarm serves two queues, connection objects still to be wiped and
  // webhook deliveries: it is moved earlier, never later, so neither queue
  // delays the other (an early alarm finds nothing due and sets the next).
  async #scheduleAlarm(wipeAt = null) {
    const at = [wipeAt, await this.#outbox.nextDue(), await this.ctx.storage.getAlarm()].filter((t) => t !== null);
    if (at.length) await this.ctx.storage.setAlarm(Math.min(...at));
  }

  /** Retries wipes that failed while answering a request; delivers webhooks. */
  async alarm() {
    await this.#drainWipes();
    await this.#outbox.deliverDue();
    const resealed = await this.#resealAll();
    await this.#scheduleAlarm(resealed.ok ? null : this.now() + WIPE_RETRY_MS);
  }

  // ---- key rotation (SPEC §11, docs/security.md) -----------------------------

  // Once per instance (a new ENCRYPTION_KEY starts new instances): when the
  // keyring's first key is not the one everything was last re-sealed under,
  // the alarm re-seals now. Requests meanwhile open older values with the
  // older keys still in the ring.
  async #checkKeys() {
    this.#keysChecked = true;
    const keyring = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!keyring.ok) return;
    if ((await this.ctx.storage.get('sealed_with')) !== keyring.value.sealing.id) await this.#scheduleAlarm(this.now());
  }

  // Seals everything this org holds under an older key of the ring again
  // under its first key: app secrets (and the copies kept for revocation),
  // webhook secrets, and its users' connections (connection_store.mjs
  // reseal), then records that key in `sealed_with`. Answers ok when done or
  // when there is nothing to do; a failure is logged, and retried by the
  // alarm unless a value is sealed under a key the ring lacks (retrying
  // cannot help until ENCRYPTION_KEY changes, which starts a new check).
  async #resealAll() {
    const keyring = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!keyring.ok) return ok(false);
    const ring = keyring.value;
    this.#org ??= await this.ctx.storage.get('org'); // an alarm may be this instance's first call
    if (this.#org === undefined || (await this.ctx.storage.get('sealed_with')) === ring.sealing.id) return ok(false);
    const counts = { apps: 0, webhooks: 0, connections: 0 };
    let failure = null;
    const note = (result, kind) => {
      if (!result.ok) failure ??= result.error;
      else if (result.value) counts[kind] += result.value === true ? 1 : result.value;
    };
    const generations = new Map();
    for (const key of (await this.ctx.storage.list({ prefix: 'app:' })).keys()) {
      const done = await this.#resealStored(key, ring);
      note(done, 'apps');
      generations.set(key.slice('app:'.length), (await this.ctx.storage.get(key))?.generation);
    }
    for (const key of (await this.ctx.storage.list({ prefix: 'revoke:' })).keys()) note(await this.#resealStored(key, ring), 'apps');
    note(await this.#outbox.reseal(ring), 'webhooks');
    const users = [...(await this.ctx.storage.list({ prefix: 'appuser:' })).keys()].map((key) => key.split(':'));
    for (let i = 0; i < users.length; i += WIPE_CONCURRENCY) {
      await Promise.all(users.slice(i, i + WIPE_CONCURRENCY).map(async ([, id, ...rest]) => {
        const generation = generations.get(id);
        if (generation === undefined) return;
        const ref = connectionRef(this.#org, id, generation, rest.join(':'));
        try {
          note(await connectionStore(this.env, ref).reseal(ref), 'connections');
        } catch {
          note(fail('internal_error', 'a connection could not be reached'), 'connections');
        }
      }));
    }
    const summary = `${counts.apps} app, ${counts.webhooks} webhook and ${counts.connections} connection record(s) re-sealed under key id ${ring.sealing.id}`;
    if (failure) {
      log('keys_reseal_failed', { org: this.#org, detail: summary, error: failure.message }, 'error');
      return failure.code === 'server_misconfigured' ? ok(false) : fail(failure.code, failure.message);
    }
    await this.ctx.storage.put('sealed_with', ring.sealing.id);
    if (counts.apps + counts.webhooks + counts.connections > 0) log('keys_resealed', { org: this.#org, detail: summary });
    return ok(true);
  }

  // The app record at storage key `key` (app:<id>, or the copy in
  // revoke:<...>) with its stale secrets sealed again. Sealing awaits
  // WebCrypto, so another call may change the record meanwhile (enable,
  // disable and reset keep its sealed values as they are): then it starts
  // over from the newer record. Answers whether it wrote.
  async #resealStored(key, ring) {
    const recordOf = (stored) => (key.startsWith('app:') ? stored : stored?.record);
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.ctx.storage.get(key);
      const record = recordOf(stored);
      if (!record) return ok(false);
      const fields = [['sealed_client_secret', 'app_secret'], ['sealed_secret_settings', 'app_settings']]
        .filter(([field]) => isStale(ring, record[field]));
      if (fields.length === 0) return ok(false);
      const next = { ...record };
      for (const [field, kind] of fields) {
        const sealed = await reseal(ring, record[field], aad(kind, this.#org, record.id));
        if (!sealed.ok) return sealed;
        next[field] = sealed.value;
      }
      const current = await this.ctx.storage.get(key);
      if (JSON.stringify(recordOf(current)) !== JSON.stringify(record)) continue;
      await this.ctx.storage.put(key, key.startsWith('app:') ? next : { ...current, record: next });
      return ok(true);
    }
    return fail('conflict', 'the app kept changing while its secrets were re-sealed');
  }

  // ---- internals ----------------------------------------------------------

  // Every call names its org; an object serves exactly one (AAD and the
  // connection refs are built from it), so a mismatch is a routing bug.
  async #bind(org) {
    this.#org ??= await this.ctx.storage.get('org');
    if (this.#org === undefined) {
      await this.ctx.storage.put('org', org);
      this.#org = org;
    } else if (this.#org !== org) {
      throw new Error('OrgStore called for another org');
    }
    if (!this.#keysChecked) await this.#checkKeys();
  }

  async #resolveConnector(refText) {
    const ref = parseConnectorRef(refText);
    if (!ref) return fail('invalid_app', 'the app is invalid', { details: [{ path: '/connector', message: 'is malformed' }] });
    const meta = await this.ctx.storage.get(`connector:${ref.name}`);
    const version = ref.version ?? meta?.current;
    const text = meta ? await this.#definitionText(ref.name, version) : null;
    if (text === null) {
      const message = meta ? `connector ${ref.name} has no version ${version}` : `no connector named ${ref.name}`;
      return fail('invalid_app', 'the app is invalid', { details: [{ path: '/connector', message }] });
    }
    return ok({ name: ref.name, version, text });
  }

  // Seals the client secret and the settings of secret fields into `record`
  // (in place); plain settings stay readable. Secret fields are those the
  // connector (as the engine describes it) marks `secret`, in any option,
  // and its JWT signing keys (`signing_keys`).
  async #sealSecrets(org, record, clientSecret, settings, connector) {
    const key = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!key.ok) return key;
    const engine = await getEngine();
    const described = engine.describe(connector.text);
    const secretNames = new Set();
    if (described.ok) {
      const fields = [...described.value.fields, ...(described.value.options ?? []).flatMap((o) => o.fields)];
      for (const f of fields) if (f.secret) secretNames.add(f.name);
      // JWT signing keys (private_key for private_key_jwt) are secret whatever the fields say.
      for (const name of described.value.signing_keys ?? []) secretNames.add(name);
    }
    const plain = {};
    const secret = {};
    for (const [k, v] of Object.entries(settings ?? {})) {
      if (v !== null) (secretNames.has(k) ? secret : plain)[k] = v; // null = not set (scope.cpp)
    }
    record.settings = plain;
    record.secret_setting_names = Object.keys(secret).sort();
    record.sealed_secret_settings = record.secret_setting_names.length
      ? await sealJson(key.value, secret, aad('app_settings', org, record.id)) : null;
    record.sealed_client_secret = clientSecret
      ? await sealJson(key.value, clientSecret, aad('app_secret', org, record.id)) : null;
    return ok(record);
  }

  async #openOptional(key, sealed, associated) {
    return sealed ? openJson(key, sealed, associated) : ok(null);
  }

  #checkSize(record) {
    const size = JSON.stringify(record).length;
    return size > LIMITS.appRecordBytes
      ? fail('payload_too_large', `the app is larger than ${LIMITS.appRecordBytes} bytes`)
      : ok(size);
  }

  // Turns the app's connection index into pending wipes, a batch at a time
  // (a put takes at most 128 keys). Only storage calls happen here, so no
  // other call on this object interleaves (DO input gates): the generation
  // bump or deletion before it and these moves are seen together.
  async #scheduleWipes(org, id, generation) {
    const prefix = `appuser:${id}:`;
    for (;;) {
      const batch = await this.ctx.storage.list({ prefix, limit: 100 });
      if (batch.size === 0) break;
      const entries = {};
      for (const key of batch.keys()) {
        const user = key.slice(prefix.length);
        entries[`wipe:${JSON.stringify([id, generation, user])}`] = connectionRef(org, id, generation, user);
      }
      await this.ctx.storage.put(entries);
      await this.ctx.storage.delete([...batch.keys()]);
    }
  }

  // Wipes pending connection objects, a batch at a time; what fails or is
  // left over is retried by the alarm. Each wiped connection's tokens are
  // then revoked by its object (revocation.mjs), which the wipe does not await.
  async #drainWipes() {
    const pending = await this.ctx.storage.list({ prefix: 'wipe:', limit: WIPE_BATCH });
    const entries = [...pending.entries()];
    const uses = new Map(); // [app, generation] -> the revocation's `use` (a promise)
    let failed = false;
    for (let i = 0; i < entries.length; i += WIPE_CONCURRENCY) {
      await Promise.all(entries.slice(i, i + WIPE_CONCURRENCY).map(async ([key, ref]) => {
        try {
          const kept = JSON.stringify([ref.app, ref.generation]);
          if (!uses.has(kept)) uses.set(kept, this.#revocationUse(ref).catch(() => null)); // never blocks a wipe
          const done = await connectionStore(this.env, ref).wipe(ref, await uses.get(kept));
          if (done.ok) await this.ctx.storage.delete(key);
          else failed = true;
        } catch {
          failed = true;
        }
      }));
    }
    const more = (await this.ctx.storage.list({ prefix: 'wipe:', limit: 1 })).size > 0;
    const kept = more ? [] : [...(await this.ctx.storage.list({ prefix: 'revoke:' })).keys()];
    if (kept.length) await this.ctx.storage.delete(kept);
    if (failed || more) await this.#scheduleAlarm(this.now() + (failed ? WIPE_RETRY_MS : 0));
  }

  // Keeps what revoking the tokens of `record`'s connections needs until
  // they are wiped (the storage key list above): a deleted app is gone, a
  // reset one may change its client meanwhile. Storage calls only, like
  // #scheduleWipes.
  async #keepForRevocation(record) {
    const ref = parseConnectorRef(record.connector);
    const version = ref && (ref.version ?? (await this.ctx.storage.get(`connector:${ref.name}`))?.current);
    if (!version) return;
    await this.ctx.storage.put(`revoke:${JSON.stringify([record.id, record.generation])}`,
      { record, connector: `${ref.name}@${version}` });
  }

  // appForUse's shape for the app generation of a connection being wiped,
  // from what #keepForRevocation kept; null when nothing was (no revocation).
  async #revocationUse(ref) {
    const kept = await this.ctx.storage.get(`revoke:${JSON.stringify([ref.app, ref.generation])}`);
    if (!kept) return null;
    const connector = await this.#resolveConnector(kept.connector);
    const key = await atRestKeyring(this.env.ENCRYPTION_KEY);
    if (!connector.ok || !key.ok) return null;
    const { record } = kept;
    const secret = await this.#openOptional(key.value, record.sealed_client_secret, aad('app_secret', ref.org, ref.app));
    const secretSettings = await this.#openOptional(key.value, record.sealed_secret_settings, aad('app_settings', ref.org, ref.app));
    if (!secret.ok || !secretSettings.ok) return null;
    return {
      app: { ...publicApp(record), generation: record.generation },
      secrets: { client_secret: secret.value, settings: { ...record.settings, ...(secretSettings.value ?? {}) } },
      connector: { name: connector.value.name, version: connector.value.version, definition: connector.value.text },
    };
  }

  #iso() {
    return new Date(this.now()).toISOString();
  }
}

function chunkIndex(key) {
  return Number(key.slice(key.lastIndexOf(':') + 1));
}
