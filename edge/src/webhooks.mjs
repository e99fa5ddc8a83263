// /api/webhooks (SPEC §9): the org's webhook endpoints, admins only (the
// router checks the role). The signing secret is answered once, by create.
import { json } from './errors.mjs';
import { readJsonObject } from './limits.mjs';
import { orgStore } from './stores.mjs';
import { pageQuery } from './page_query.mjs';

const answer = (status) => (result) => (result.ok ? json(status, result.value) : result);

/** POST /api/webhooks {url, events?} → 201 {id, url, events, secret, created_at}. */
export async function createWebhook({ request, env, session }) {
  const body = await readJsonObject(request);
  if (!body.ok) return body;
  return answer(201)(await orgStore(env, session.org).createWebhook(session.org, body.value, session.sub));
}

/** GET /api/webhooks → {webhooks: [...]} (never a secret). */
export async function listWebhooks({ env, session }) {
  const listed = await orgStore(env, session.org).listWebhooks(session.org);
  return listed.ok ? json(200, { webhooks: listed.value }) : listed;
}

/** DELETE /api/webhooks/{id} → 204; its pending deliveries are dropped. */
export async function deleteWebhook({ env, session, params }) {
  const removed = await orgStore(env, session.org).deleteWebhook(session.org, params.id, session.sub);
  return removed.ok ? new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } }) : removed;
}

/** GET /api/webhooks/{id}/deliveries?cursor=&limit= → {items, next_cursor}, newest first. */
export async function listDeliveries({ env, session, params, url }) {
  const page = pageQuery(url.searchParams);
  if (!page.ok) return page;
  return answer(200)(await orgStore(env, session.org).webhookDeliveries(session.org, params.id, page.value));
}
