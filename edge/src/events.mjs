// Events (SPEC §9): every status change of a connection and every admin
// change, as the body a webhook receives: {type, timestamp, data}. `data`
// names the org, the app {id, name}, the user and the status, and for
// `connection.lost` / `connection.degraded` the SPEC §4 cause, message and
// action and the connector version. Built from ids, statuses and the
// engine's diagnosis only: nothing here can carry a token or a secret.
import { randomId } from './crypto.mjs';

// The list of types is shared with the console's Webhooks form.
export { CONNECTION_EVENTS, ADMIN_EVENTS, EVENT_TYPES } from '../../web/lib/event-types.mjs';

/**
 * The event a connection's status change is, or null when it is none:
 * `connected` for new credentials (connect, the OAuth callback, a
 * reconnect), `recovered` for a degraded or lost connection that works
 * again without new credentials (a retry, "Check connection", a
 * keep-alive), `degraded` / `lost` on entering those statuses (a lost
 * connection whose cause changes is lost again), `disconnected` when the
 * tokens were deleted.
 */
export function connectionEventType(before, after, { newCredentials = false } = {}) {
  const from = before?.status ?? 'not_connected';
  const to = after?.status ?? 'not_connected';
  if (to === 'connected') {
    if (newCredentials) return 'connection.connected';
    return from === 'degraded' || from === 'lost' ? 'connection.recovered' : null;
  }
  if (to === 'degraded') return from === 'degraded' ? null : 'connection.degraded';
  if (to === 'lost') return from === 'lost' && before?.cause === after?.cause ? null : 'connection.lost';
  if (to === 'not_connected') return from === 'not_connected' ? null : 'connection.disconnected';
  return null;
}

/**
 * One event: `id` (the Standard Webhooks message id, the same for every
 * delivery attempt of it), `key` (deliveries with one key are made in
 * order: one per connection, one for the org's admin changes) and `body`.
 */
export function makeEvent(type, data, nowMs, key) {
  return {
    id: `evt_${randomId(16)}`,
    key,
    body: { type, timestamp: new Date(nowMs).toISOString(), data },
  };
}

/** The ordering key of a connection's events. */
export const connectionKey = (app, user) => `connection:${app}:${user}`;
/** The ordering key of the org's admin events. */
export const ADMIN_KEY = 'admin';
