// The host side of the connection loop (core/connection_loop.h), shared by
// every host: the CLI and the edge call `runConnection` with their own I/O,
// storage and locking, and the engine decides every step. This file only
// carries effects out and turns their outcome into the next event.
//
// `host` (every member optional unless the operation needs it):
//   context()                      the engine context now (read again after `store`)
//   send(request, step)            the connector's own request (step: acquire, refresh,
//                                  test) -> Result<response JSON>
//                                  ({status, headers, body} | {network_error}); a failure
//                                  (a host outside the egress list) ends the operation
//   sendCaller(attempt)            use: the caller's request with credentials applied ->
//                                  Result<{classification}>; a failure with `problems`
//                                  is an apply the connector could not make
//   renew({force, reason})         the host's single-flight renew -> Result<{changed}>
//   store({connection, identity})  new credentials to write (async)
//   record({outcome, cause, detail}) the state change to apply -> the stored state
//   connectionState                renew: the stored connection state (backoff)
//   now()                          epoch seconds
//
// Answers a Result: {ok: true, value} where value is the `done` value, or for
// `use` {attempt}: the attempt whose response goes to the caller; or
// {ok: false, error} in the engine's failure shape {code, message, cause?,
// action?, detail?, problems?, lost?, retry_after?}.

/** Runs operation `op` ('use' | 'renew' | 'check' | 'connect') to its end. */
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
      const outcome = await carryOut(effect, host);
      if (outcome.end) return outcome.end;
      if (outcome.event) next = outcome.event;
    }
    if (!next) return { ok: false, error: { code: 'internal_error', message: 'the connection loop stopped without an answer' } };
    event = next;
  }
}

// One effect: {end} ends the operation, {event} is what happened.
async function carryOut(effect, host) {
  switch (effect.type) {
    case 'send': {
      const response = await host.send(effect.request, effect.step);
      return response.ok ? { event: { type: 'response', response: response.value } } : { event: failed(response) };
    }
    case 'send_caller': {
      const answered = await host.sendCaller(effect.attempt);
      if (answered.ok) return { event: { type: 'answered', classification: answered.value.classification } };
      if (answered.error?.problems) return { event: { type: 'apply_failed', problems: answered.error.problems } };
      return { event: failed(answered) };
    }
    case 'renew': {
      const renewed = await host.renew({ force: effect.force, reason: effect.reason });
      return renewed.ok
        ? { event: { type: 'renewed', changed: Boolean(renewed.value.changed) } }
        : { event: { type: 'renew_failed', error: renewed.error } };
    }
    case 'store':
      await host.store({ connection: effect.connection, identity: effect.identity ?? null });
      return {};
    case 'record': {
      const stored = await host.record({ outcome: effect.outcome, cause: effect.cause, detail: effect.detail });
      return effect.outcome === 'failure' ? { event: { type: 'recorded', state: stored ?? null } } : {};
    }
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

const failed = (result) => ({ type: 'failed', error: result.error });

// The `use` transitions read only the phase, the flags and the event's enums
// (connection_loop.h), so each is asked of the engine once per isolate; a
// transition that carries the event's own data (an error, problems) is not kept.
const useTransitions = new Map();
const REMEMBERED = new Set(['start', 'answered', 'renewed']);

function useStep(engine, state, event) {
  if (!REMEMBERED.has(event.type)) return engine.useStep(state, event);
  const key = `${state?.phase}|${state?.refreshed}|${state?.expired}|${event.type}|${event.classification}|${event.changed}|${event.due}|${event.expired}`;
  let stepped = useTransitions.get(key);
  if (!stepped) {
    stepped = engine.useStep(state, event);
    if (stepped.ok) useTransitions.set(key, stepped);
  }
  return stepped;
}

// Input the engine refused ({errors}) in the one failure shape.
function invalidInput(answer) {
  if (answer.error) return answer.error;
  return { code: 'invalid_input', message: 'the engine refused its input', problems: answer.errors ?? [] };
}
