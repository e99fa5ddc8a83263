// The org's webhooks and their deliveries (SPEC §9), over the OrgStore's
// storage. INTERFACE ONLY: the implementation lands with the webhooks work.
//
//   new WebhookOutbox(storage, env, now)   now(): epoch ms
//   create(org, {url, events}, actor) → Result {id, url, events, secret, created_at}
//   list() → Result [{id, url, events, created_at, created_by}]
//   remove(id) → Result {id, deleted: true}
//   deliveries(id, {cursor, limit}) → Result {items, next_cursor}
//   enqueue(event)      event = events.makeEvent(...): one pending delivery per
//                       subscribed webhook, in the same storage transaction
//   deliverDue()        sends what is due, in order per event key; backoff
//   nextDue() → epoch ms of the next delivery attempt, or null
import { ok } from './result.mjs';

export class WebhookOutbox {
  constructor(storage, env, now) {
    this.storage = storage;
    this.env = env;
    this.now = now;
  }

  async enqueue() {}

  async deliverDue() {}

  async nextDue() {
    return null;
  }

  async list() {
    return ok([]);
  }
}
