// The OAuth 2.0 authorization code flow at the edge (SPEC §3, §7, §8):
// starting it (POST /api/apps/{id}/connect for an oauth2 connector), the
// provider's redirect (GET /oauth/callback) and finishing it (POST
// /api/apps/{id}/connect/complete, consent_completion.mjs). The protocol is
// the engine's (flows.mjs); this file stores the pending authorization and,
// once it is taken, writes the tokens.
//
//   connect:  engine.authorizeBegin → OrgStore.admitAuthorization (rate
//             limit; the user's previous pending one for the app cancelled)
//             → AuthorizationStore.begin (sealed, bound
//             to org, user, app and its generation, the console's origin and
//             the hash of a fresh binding value; 10 minutes)
//             → {authorization_url, prompt, state, noopener, binding}
//   callback: the page (callback_page.mjs) hands the provider's answer (the
//             code, never a token) to the window that opened the popup, on
//             the console origin recorded at connect; nothing is consumed
//   complete: the console posts that answer with its session and the
//             binding (consent_completion.mjs: AuthorizationStore.take, single
//             use) → finishAuthorization: the app must still exist, be
//             enabled and not reset → engine.authorizeCallback (state in
//             constant time, expiry, iss, the provider's error) → token
//             request → engine.authorizeFinish → ConnectionStore.saveCredentials
// A failed exchange leaves the user's existing connection as it was (the
// attempt failed, not the connection); the answer says why and what to do.
import { ok, fail } from './result.mjs';
import { json } from './errors.mjs';
import { getEngine } from './engine.mjs';
import { orgStore, connectionRef, connectionStore, authorizationStore } from './stores.mjs';
import { callbackPage } from './callback_page.mjs';
import * as flows from './flows.mjs';
import { sha256Hex } from './digest.mjs';
import { newBinding } from './browser_binding.mjs';
import { requestConsoleOrigin } from './cors.mjs';
import { invalidateConnection } from './proxy_cache.mjs';

/** The callback path, under the origin the console and the API share (SPEC §7). */
export const CALLBACK_PATH = '/oauth/callback';

// What a state we issued looks like (the engine's: base64url of 128 bits);
// anything else cannot be ours and is refused before a lookup.
export const STATE_SHAPE = /^[A-Za-z0-9_-]{16,256}$/;
const START_AGAIN = 'Start connecting again from the app.';

/**
 * The origin of this service as browsers see it: PUBLIC_ORIGIN when set
 * (behind a proxy that rewrites the host), else the request's own. The
 * redirect URI and the callback page's postMessage target derive from it.
 */
export function publicOrigin(env, url) {
  return typeof env.PUBLIC_ORIGIN === 'string' && env.PUBLIC_ORIGIN ? new URL(env.PUBLIC_ORIGIN).origin : url.origin;
}

/**
 * POST /api/apps/{id}/connect for oauth2 (the caller checked the app is
 * enabled): {authorization_url, prompt, state, noopener, binding}. `fields`
 * are kept with the pending record (a `multi` connector's choice) and start
 * the connection hash at the callback. `binding` goes to this caller only
 * and must come back with the completion (browser_binding.mjs).
 */
export async function beginOAuthConnect({ request, env, url, session, use, fields }) {
  const origin = requestConsoleOrigin(request, env, publicOrigin(env, url));
  if (!origin.ok) return origin;
  const engine = await getEngine();
  const redirectUri = `${publicOrigin(env, url)}${CALLBACK_PATH}`;
  const begun = flows.beginAuthorization({ engine, use, fields, redirectUri, now: Math.floor(Date.now() / 1000) });
  if (!begun.ok) {
    return fail('connector_error', 'the connector could not start the authorization', {
      details: begun.error.problems ?? [{ path: '', message: begun.error.detail }],
    });
  }
  const { url: authorizationUrl, pending, noopener } = begun.value;
  const stateHash = await sha256Hex(pending.state);
  // One pending authorization per (org, user, app), and a bounded rate of
  // starts per user (connect_limit.mjs): a new connect replaces the last.
  const admitted = await orgStore(env, session.org).admitAuthorization(session.org, use.app.id, session.sub, stateHash);
  if (!admitted.ok) return admitted;
  if (admitted.value.replaced) await authorizationStore(env, admitted.value.replaced).cancel();
  const binding = await newBinding();
  const stored = await authorizationStore(env, stateHash).begin(stateHash, {
    org: session.org, user: session.sub, app: use.app.id, generation: use.app.generation, fields, pending,
    browser: binding.hash, origin: origin.value,
  });
  if (!stored.ok) return stored;
  return json(200, { authorization_url: authorizationUrl, prompt: use.app.prompt, state: pending.state, noopener: Boolean(noopener),
    binding: binding.value });
}

/**
 * GET /oauth/callback: always the page (callback_page.mjs), never JSON. It
 * consumes nothing: the console that opened the popup completes the
 * authorization with its session and binding (consent_completion.mjs), so
 * the page opened anywhere else connects nobody.
 */
export async function oauthCallback({ env, url }) {
  const ownOrigin = publicOrigin(env, url);
  const refuse = (origin, state, error, message, action = START_AGAIN) => callbackPage({ origin, state, ok: false, error, message, action });

  const states = url.searchParams.getAll('state');
  if (states.length !== 1) return refuse(ownOrigin, null, 'invalid_callback', 'The answer from the provider carries no single state.');
  const [state] = states;
  if (!STATE_SHAPE.test(state)) return refuse(ownOrigin, null, 'state_mismatch', 'This answer from the provider does not belong to a connection attempt in progress.');

  const stateHash = await sha256Hex(state);
  const target = await authorizationStore(env, stateHash).consoleOrigin();
  const origin = target.origin ?? ownOrigin;
  if (target.status === 'unknown') return refuse(origin, state, 'state_mismatch', 'This sign-in answer does not belong to a connection attempt in progress.');
  if (target.status === 'used') return refuse(origin, state, 'state_mismatch', 'This sign-in answer was used already.');
  return callbackPage({ origin, state, ok: true, callback: url.search });
}

/**
 * Finishes a taken pending authorization with the provider's answer
 * (`params`: the callback's query string): the token request, then the
 * user's connection. Answers ok({identity, scope, identity_problem,
 * account_changed}) (SPEC §10: what the console tells the user) or a
 * failure {code, message, action} for the console to show.
 */
export async function finishAuthorization(env, pending, params) {
  const refuse = (code, message, action = START_AGAIN) => fail(code, message, { action });
  const org = orgStore(env, pending.org);
  const found = await org.appForUse(pending.org, pending.app);
  if (!found.ok) return refuse('app_not_found', 'The app you were connecting no longer exists.', '');
  const use = found.value;
  if (!use.app.enabled) return refuse('app_disabled', 'An administrator disabled this app: it takes no new connections.', '');
  if (use.app.generation !== pending.generation) return refuse('conflict', 'An administrator reset this app while you were connecting.');

  const engine = await getEngine();
  const ref = connectionRef(pending.org, pending.app, pending.generation, pending.user);
  const before = await connectionStore(env, ref).view(ref);
  const done = await flows.completeAuthorization({
    engine, use, pending: pending.pending, params, fields: pending.fields ?? {},
    previous: before.ok ? previousAccount(before.value) : null,
    send: flows.sender(engine, use), now: Math.floor(Date.now() / 1000),
  });
  if (!done.ok) {
    if (done.error.code === 'egress_denied') return refuse('egress_denied', done.error.message, 'An administrator must allow the provider\'s token endpoint in the app\'s egress list.');
    return refuse(done.error.code ?? 'server_error', done.error.message, done.error.action ?? START_AGAIN);
  }

  // Indexed before anything is written, so reset/delete can always find it.
  const registered = await org.registerConnection(pending.org, pending.app, pending.generation, pending.user);
  if (!registered.ok) return refuse(registered.error.code, registered.error.message);
  let saved;
  try {
    saved = await connectionStore(env, ref).saveCredentials(ref, {
      ...done.value, connectorVersion: use.connector.version, keepaliveSeconds: use.app.keepalive_seconds,
    });
  } finally {
    invalidateConnection(pending.org, pending.app, pending.user); // the proxy's cached credentials (proxy_cache.mjs)
  }
  if (!saved.ok) return refuse(saved.error.code, saved.error.message);
  return ok(accountNews(done.value));
}

/**
 * The account of a stored connection, which a reconnect is compared with
 * (SPEC §10): {identity, owner_id} while it has credentials (connected,
 * degraded or lost); null once disconnected or never connected.
 */
export function previousAccount(view) {
  if (!view || (view.state?.status ?? 'not_connected') === 'not_connected') return null;
  return { identity: view.identity ?? null, owner_id: view.owner_id ?? null };
}

/** What a connect answer tells the user about the account (SPEC §10). */
export function accountNews(done) {
  const news = { identity: done.identity, scope: done.scope };
  if (done.identity_problem) news.identity_problem = done.identity_problem;
  if (done.account_changed) news.account_changed = done.account_changed;
  return news;
}
