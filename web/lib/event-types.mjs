// The event types (SPEC §9) a webhook can subscribe to: one list for the
// console (the Webhooks form) and the edge (events.mjs, which validates a
// subscription against it). It lives under web/ because the console is
// served from web/** alone; the edge imports it from here.
export const CONNECTION_EVENTS = Object.freeze([
  'connection.connected', 'connection.degraded', 'connection.recovered', 'connection.lost', 'connection.disconnected',
]);
export const ADMIN_EVENTS = Object.freeze([
  'app.created', 'app.updated', 'app.disabled', 'app.enabled', 'app.reset', 'app.deleted', 'connector.updated',
]);
export const EVENT_TYPES = Object.freeze([...CONNECTION_EVENTS, ...ADMIN_EVENTS]);
