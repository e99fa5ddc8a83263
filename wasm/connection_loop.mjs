// The host side of the connection loop (core/connection_loop.h), shared by
// every host: the CLI and the edge call `runConnection` with their own I/O,
// storage and locking, and the engine decides every step. This file only
// carries effects out and turns their outcome into the next event.
//
// `host` (every member optional unless the operation needs it):
//   context()                      the engine context now (read again after `store`)
//   send(request, step)            the connector's own request (step: acquire, refresh,
//                                  token, test; once per step of a list of steps, whose
//                                  earlier answers stay in the loop's `state`, a local
//                                  here: never stored or logged), its JWTs signed
//                                  (jwt_sign.mjs) -> Result<response JSON>
//                                  ({status, headers, body} | {network_error}); a failure
//                                  (a host outside the egress list) ends the operation
//   sendCaller(attempt)            use: the caller's request with credentials applied ->
//                                  Result<{classification}>; a failure with `problems`
//                                  is an apply the connector could not make
//   renew({force, reason})         the host's single-flight renew -> Result<{changed}>
//   store({connection, identity, scope}) new credentials to write (async); `scope`:
//                                  the granted scope when a refresh answered one (write
//                                  it too), null: the granted scope is unchanged
//   record({outcome, cause, detail}) the state change to apply -> the stored state
//   connectionState                renew: the stored connection state (backoff)
//   now()                          epoch seconds
//
// Answers a Result: {ok: true, value} where value is the `done` value, or for
// `use` {attempt}: the attempt whose response goes to the caller; or
// {ok: false, error} in the engine's failure shape {code, message, cause?,
// action?, detail?, problems?, lost?, retry_after?}.

import { signRequest } from './jwt_sign.mjs';

/**
 * An app's lifecycle policy as stateFailure reads it (`settings`,
 * core/connection_state.h LifecyclePolicy): how many provider_unavailable
 * failures in a row lose a connection, and the retry backoff. A missing or
 * null value is the engine's default.
 */
export function lifecycleSettings(app) {
  const { lost_after_failures = null, backoff_base_seconds = null, backoff_cap_seconds = null } = app ?? {};
  return { lost_after_failures, backoff_base_seconds, backoff_cap_seconds };
}

/**
 * Where credentials stand against the engine's refresh deadline, as the `use`
 * and `check` operations start from it: {due} within the app's
 * refresh_buffer, {expired} with none. `context` is the engine context.
 */
export function refreshState(engine, context, now) {
  const due = engine.refreshNeeded(context, { now });
  const expired = engine.refreshNeeded({ ...context, app: { ...context.app, refresh_buffer: 0 } }, { now });
  return { due: due.ok && due.value === true, expired: expired.ok && expired.value === true };
}

/** Runs operation `op` ('use' | 'renew' | 'check' | 'connect' | 'exchange') to its end. */
export async function runConnection(engine, definition, op, start, host) {
  let state = null;
  let event = { type: 'start', op, ...start };
  for (;;) {
    const stepped = op === 'use' ? useStep(engine, state, event)
      : engine.connectionStep(definition, host.context(), state, event, { now: host.now?.() });
    if (!stepped.ok) return { ok: false, error: invalidInput(stepped) };
    state = stepped.value.state;
    let next = null;
    for (const effect of stepped.value.effects) {
      // Only effects that do I/O are awaited: a request's last step costs no extra turn.
      let outcome = carryOut(effect, host);
      if (outcome instanceof Promise) outcome = await outcome;
      if (outcome.end) return outcome.end;
      if (outcome.event) next = outcome.event;
    }
    if (!next) return { ok: false, error: { code: 'internal_error', message: 'the connection loop stopped without an answer' } };
    event = next;
  }
}

// One effect: {end} ends the operation, {event} is what happened.
function carryOut(effect, host) {
  switch (effect.type) {
    case 'send':
      // The engine's JWTs are signed here, for every host (jwt_sign.mjs).
      return Promise.resolve(signRequest(effect.request)).then((signed) => (!signed.ok
        ? { event: failed(signed) }
        : host.send(signed.value, effect.step).then((response) => (response.ok
          ? { event: { type: 'response', response: response.value } }
          : { event: failed(response) }))));
    case 'send_caller':
      return host.sendCaller(effect.attempt).then((answered) => {
        if (answered.ok) return { event: { type: 'answered', classification: answered.value.classification } };
        if (answered.error?.problems) return { event: { type: 'apply_failed', problems: answered.error.problems } };
        return { event: failed(answered) };
      });
    case 'renew':
      return host.renew({ force: effect.force, reason: effect.reason }).then((renewed) => (renewed.ok
        ? { event: { type: 'renewed', changed: Boolean(renewed.value.changed) } }
        : { event: { type: 'renew_failed', error: renewed.error } }));
    case 'store':
      return Promise.resolve(host.store({ connection: effect.connection, identity: effect.identity ?? null, scope: effect.scope ?? null }))
        .then(() => NOTHING);
    case 'record':
      return Promise.resolve(host.record({ outcome: effect.outcome, cause: effect.cause, detail: effect.detail }))
        .then((stored) => (effect.outcome === 'failure' ? { event: { type: 'recorded', state: stored ?? null } } : NOTHING));
    case 'deliver':
      return { end: { ok: true, value: { attempt: effect.attempt } } };
    case 'done':
      return { end: { ok: true, value: effect.value } };
    case 'fail':
      return { end: { ok: false, error: effect.error } };
    default:
      return { end: { ok: false, error: { code: 'internal_error', message: `unknown effect ${effect.type}` } } };
  }
}

const NOTHING = Object.freeze({});
const failed = (result) => ({ type: 'failed', error: result.error });

// The `use` transitions read only the state and the event's type and enums
// (connection_loop.h), so each is asked of the engine once per isolate and
// kept by the state it starts from (a remembered transition's state is
// itself remembered, so the next lookup finds it); a transition that carries
// the event's own data (an error, problems) is not kept.
const FIRST = {};
const useTransitions = new WeakMap();

function useStep(engine, state, event) {
  const key = event.type === 'start' ? `start ${event.due} ${event.expired} ${event.replayable}`
    : event.type === 'answered' ? `answered ${event.classification}`
      : event.type === 'renewed' ? `renewed ${event.changed}` : null;
  if (key === null) return engine.useStep(state, event);
  const from = state ?? FIRST;
  let known = useTransitions.get(from);
  if (!known) useTransitions.set(from, (known = new Map()));
  let stepped = known.get(key);
  if (!stepped) {
    stepped = engine.useStep(state, event);
    if (stepped.ok) known.set(key, stepped);
  }
  return stepped;
}

// Input the engine refused ({errors}) in the one failure shape.
function invalidInput(answer) {
  if (answer.error) return answer.error;
  return { code: 'invalid_input', message: 'the engine refused its input', problems: answer.errors ?? [] };
}
