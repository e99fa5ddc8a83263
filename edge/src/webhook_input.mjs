// What an admin may register as a webhook (SPEC §9): POST /api/webhooks
// {url, events?}. The URL is where the edge will POST the org's events, so it
// is held to the edge's egress address policy (egress_address.mjs) and, being
// a channel for org data, to https; plain http only reaches a loopback
// receiver on a developer's machine (CONNAUTH_DEV=1, set by scripts/dev).
import { ok, fail } from './result.mjs';
import { EVENT_TYPES } from './events.mjs';
import { addressRefusal } from './egress_address.mjs';
import { pointerEscape } from './app_model.mjs';

export const MAX_URL_LENGTH = 2048;
const FIELDS = ['url', 'events'];
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Checks a create body. Answers {url, events} (`events` null = every type;
 * otherwise the listed types, each once) or invalid_input with a detail per
 * problem.
 */
export function validateWebhookInput(body, env) {
  const details = [];
  for (const key of Object.keys(body)) {
    if (!FIELDS.includes(key)) details.push({ path: `/${pointerEscape(key)}`, message: 'unknown field' });
  }
  const urlProblem = Object.hasOwn(body, 'url') ? webhookUrlProblem(body.url, env) : 'is required';
  if (urlProblem) details.push({ path: '/url', message: urlProblem });

  let events = null;
  if (body.events !== undefined && body.events !== null) {
    if (!Array.isArray(body.events) || body.events.length === 0) {
      details.push({ path: '/events', message: 'must be a non-empty list of event types (or absent, for every type)' });
    } else {
      body.events.forEach((type, i) => {
        if (!EVENT_TYPES.includes(type)) details.push({ path: `/events/${i}`, message: `is not an event type (${EVENT_TYPES.join(', ')})` });
      });
      events = [...new Set(body.events)];
    }
  }
  if (details.length) return fail('invalid_input', 'the webhook is invalid', { details });
  return ok({ url: body.url, events });
}

/**
 * Why the edge may not deliver to `url`, or null. Checked on create and
 * again before every attempt (the operator's settings may have changed).
 */
export function webhookUrlProblem(url, env) {
  if (typeof url !== 'string' || url === '') return 'must be a URL';
  if (url.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL';
  }
  if (parsed.username || parsed.password) return 'must not contain a user name or password';
  if (url.includes('#')) return 'must not contain a fragment';
  if (parsed.protocol === 'http:') {
    if (env?.CONNAUTH_DEV !== '1' || !LOOPBACK.has(parsed.hostname)) {
      return 'must be an https URL (plain http reaches only 127.0.0.1, [::1] or localhost, and only under scripts/dev)';
    }
  } else if (parsed.protocol !== 'https:') {
    return 'must be an https URL';
  }
  return addressRefusal(parsed.href);
}
