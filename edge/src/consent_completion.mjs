// POST /api/apps/{id}/connect/complete (SPEC §8): the console that opened
// the consent popup hands back the provider's answer the callback page gave
// it, with its own session and the binding POST connect answered it
// (browser_binding.mjs):
//
//   {"state": "...", "callback": "?code=...&state=...&iss=...", "binding": "..."}
//
// The pending authorization is taken (single use, SPEC §3) before anything
// else; it completes only for the session (org, user) and app that started
// it and the binding made for that start. Everything after is
// oauth.finishAuthorization. Answers 200 {"app_id", "connected": true,
// "identity", "scope", "identity_problem"?, "account_changed"?: {"from",
// "to"}} (SPEC §10: the account connected, and whether it is another than
// before), or
// 422 connect_failed whose `reason` is the consent popup's (access_denied,
// state_mismatch, issuer_mismatch, ...) and `action` what to do; 403
// forbidden (reason state_mismatch) for an attempt this session or browser
// did not start.
import { fail } from './result.mjs';
import { json } from './errors.mjs';
import { authorizationStore } from './stores.mjs';
import { sha256Hex } from './digest.mjs';
import { readJsonObject } from './limits.mjs';
import { isBound } from './browser_binding.mjs';
import { STATE_SHAPE, finishAuthorization } from './oauth.mjs';

/** Longest callback query string accepted (the provider's code, state, iss and error fields). */
const MAX_CALLBACK_LENGTH = 8192;
const START_AGAIN = 'Start connecting again from the app.';

const failed = (reason, message, action = START_AGAIN) => fail('connect_failed', message, { reason, action });

export async function completeOAuthConnect({ request, env, session, params }) {
  const body = await readJsonObject(request);
  if (!body.ok) return body;
  const { state, callback, binding } = body.value;
  const problems = [];
  if (typeof state !== 'string' || !STATE_SHAPE.test(state)) problems.push({ path: '/state', message: 'must be the state POST connect answered' });
  if (typeof callback !== 'string' || callback.length > MAX_CALLBACK_LENGTH) {
    problems.push({ path: '/callback', message: `must be the callback's query string (at most ${MAX_CALLBACK_LENGTH} characters)` });
  }
  if (typeof binding !== 'string') problems.push({ path: '/binding', message: 'must be the binding POST connect answered' });
  if (problems.length) return fail('invalid_request', 'the completion needs state, callback and binding', { details: problems });

  // The provider's answer must be for this attempt (the engine compares the
  // state again, in constant time, with the pending record's).
  const answered = new URLSearchParams(callback).getAll('state');
  if (answered.length !== 1 || answered[0] !== state) {
    return failed('state_mismatch', 'The provider\'s answer is not for this connection attempt.');
  }

  // Consumed first, whatever follows: a state is good for one completion.
  const stateHash = await sha256Hex(state);
  const taken = await authorizationStore(env, stateHash).take(stateHash);
  if (!taken.ok) {
    return taken.error.code === 'state_used' || taken.error.code === 'state_unknown'
      ? failed('state_mismatch', `${taken.error.message[0].toUpperCase()}${taken.error.message.slice(1)}.`)
      : failed('server_error', 'The pending authorization could not be read.');
  }
  const pending = taken.value;
  // Started by another session or in another browser (a forwarded link, a
  // binding the client made up): nothing is exchanged.
  if (pending.org !== session.org || pending.user !== session.sub || pending.app !== params.id ||
      !(await isBound(binding, pending.browser))) {
    return fail('forbidden', 'This sign-in was started in another browser or session, so it cannot complete here.', {
      reason: 'state_mismatch',
      action: 'Start connecting from the console in this browser. If you did not start it, someone may have sent you their link: ignore it.',
    });
  }

  const finished = await finishAuthorization(env, pending, callback);
  if (!finished.ok) return failed(finished.error.code, finished.error.message, finished.error.action);
  return json(200, { app_id: pending.app, connected: true, ...finished.value });
}
