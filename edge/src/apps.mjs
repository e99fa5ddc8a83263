// /api/apps (SPEC §5, §7): outbound applications of the caller's org.
// Members may read; only admins change anything (the router checks roles).
// No answer ever carries client_secret or a secret setting (app_model.publicApp).
import { json } from './errors.mjs';
import { readJsonObject } from './limits.mjs';
import { validateAppInput } from './app_model.mjs';
import { orgStore } from './stores.mjs';
import { invalidateApp } from './proxy_cache.mjs';
import { getEngine } from './engine.mjs';
import { connectForm } from './flows.mjs';
import { ifMatch } from './preconditions.mjs';

// An app answer: the OrgStore's `etag` goes in the ETag header (RFC 9110
// §8.8.3), not the body.
const answer = (status) => (result) => (result.ok ? appResponse(status, result.value) : result);
const appResponse = (status, { etag, ...app }) => json(status, app, { etag });

// Every change to an app reaches the proxy at once in this isolate (and
// within the cache TTL in others: proxy_cache.mjs): the cached app entry and
// its users' credentials are dropped once the OrgStore has answered,
// whatever it answered.
async function changingApp({ org }, id, change) {
  try {
    return await change();
  } finally {
    invalidateApp(org, id);
  }
}

/** POST /api/apps → 201 app. */
export async function createApp({ request, env, session }) {
  const body = await readJsonObject(request);
  if (!body.ok) return body;
  const fields = validateAppInput(body.value);
  if (!fields.ok) return fields;
  return answer(201)(await orgStore(env, session.org).createApp(session.org, fields.value, session.sub));
}

/** GET /api/apps → {apps: [...]}. */
export async function listApps({ env, session }) {
  const listed = await orgStore(env, session.org).listApps(session.org);
  return listed.ok ? json(200, { apps: listed.value }) : listed;
}

/**
 * GET /api/apps/{id}, with `auth`: what connecting asks of the caller, from
 * the engine (flows.connectForm with nothing entered yet): {type, option,
 * choice_field, options, fields, noopener}. Members cannot read connectors,
 * so this is how a connect form learns its fields and `multi` options. An app
 * whose connector cannot be opened is answered without it.
 */
export async function getApp({ env, session, params }) {
  const store = orgStore(env, session.org);
  const use = await store.appForUse(session.org, params.id);
  if (!use.ok) return answer(200)(await store.getApp(session.org, params.id));
  const { generation, ...app } = use.value.app;
  const form = connectForm(await getEngine(), use.value, {});
  if (!form.ok) return appResponse(200, app);
  const { type, option, choice_field, options, fields, noopener } = form.value;
  return appResponse(200, { ...app, auth: { type, option, choice_field, options, fields, noopener } });
}

// Every change below honours If-Match (preconditions.mjs): a stale one is
// 412 precondition_failed and changes nothing; without one it applies as is.

/** PATCH /api/apps/{id}: only the given fields change. */
export async function updateApp({ request, env, session, params }) {
  const condition = ifMatch(request);
  if (!condition.ok) return condition;
  const body = await readJsonObject(request);
  if (!body.ok) return body;
  const patch = validateAppInput(body.value, { partial: true });
  if (!patch.ok) return patch;
  return answer(200)(await changingApp(session, params.id,
    () => orgStore(env, session.org).updateApp(session.org, params.id, patch.value, session.sub, condition.value)));
}

/** DELETE /api/apps/{id}: the app, its secret and every user's tokens (SPEC §5). */
export async function deleteApp({ request, env, session, params }) {
  const condition = ifMatch(request);
  if (!condition.ok) return condition;
  const deleted = await changingApp(session, params.id,
    () => orgStore(env, session.org).deleteApp(session.org, params.id, session.sub, condition.value));
  return deleted.ok ? new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } }) : deleted;
}

/** POST /api/apps/{id}/reset: every user's tokens go; configuration stays. */
export async function resetApp({ request, env, session, params }) {
  const condition = ifMatch(request);
  if (!condition.ok) return condition;
  return answer(200)(await changingApp(session, params.id,
    () => orgStore(env, session.org).resetApp(session.org, params.id, session.sub, condition.value)));
}

/** POST /api/apps/{id}/enable. */
export async function enableApp({ request, env, session, params }) {
  const condition = ifMatch(request);
  if (!condition.ok) return condition;
  return answer(200)(await changingApp(session, params.id,
    () => orgStore(env, session.org).setEnabled(session.org, params.id, true, session.sub, condition.value)));
}

/** POST /api/apps/{id}/disable: tokens kept but unusable; no new authorizations. */
export async function disableApp({ request, env, session, params }) {
  const condition = ifMatch(request);
  if (!condition.ok) return condition;
  return answer(200)(await changingApp(session, params.id,
    () => orgStore(env, session.org).setEnabled(session.org, params.id, false, session.sub, condition.value)));
}
