// The engine context the CLI builds from its files.
import { lifecycleSettings } from '../../wasm/connection_loop.mjs';

// APP.json (the app fields of SPEC §5) -> the `app` part of an engine
// context, with the app's lifecycle policy (lost_after_failures,
// backoff_base_seconds, backoff_cap_seconds) for stateFailure.
export function appContext(app) {
  const { client_id, client_secret, scopes, settings, default_expires_in, refresh_buffer, issuer } = app ?? {};
  return { client_id, client_secret, scopes, settings, default_expires_in, refresh_buffer, issuer, ...lifecycleSettings(app) };
}

/**
 * The problems of APP.json's lifecycle policy as the engine reads it, at
 * their APP.json paths (e.g. /lost_after_failures), as a failed Result for
 * printFailure; null when it has none.
 */
export function lifecycleProblems(engine, app) {
  const checked = engine.stateFailure(null, 'provider_unavailable', '', { now: 0, randomFraction: 0, settings: lifecycleSettings(app) });
  if (checked.ok) return null;
  return { ok: false, errors: (checked.errors ?? []).map((p) => ({ ...p, path: p.path.replace(/^\/settings/, '') })) };
}

/**
 * FIELDS.json as the engine reads it for a connect (engine.connectForm,
 * wasm/core/connect_form.h): {type, option, values, problems} with the
 * authorization type in force (for `multi`, the option the connector's
 * `selected` picks, whatever it reads; null when it picks none), the
 * connection hash to start from (entered values and the defaults of fields
 * left out) and the problems of the entered values at /fields/<name>, as
 * the edge answers them. An invalid connector answers its problems.
 */
export function connectForm(engine, definition, fields, app) {
  return engine.connectForm(definition, { connection: fields, app });
}

/** The form's field problems as a failed Result for printFailure. */
export function fieldProblems(form) {
  return { ok: false, errors: form.problems };
}
