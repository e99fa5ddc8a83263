// The admin's view of the org (SPEC §9): every connection with its status
// and diagnosis (GET /api/connections), and the audit log (GET /api/audit).
import { json } from './errors.mjs';
import { fail } from './result.mjs';
import { orgStore } from './stores.mjs';
import { pageQuery } from './page_query.mjs';

const STATUSES = new Set(['connected', 'degraded', 'lost', 'not_connected', 'disabled']);
const answer = (result) => (result.ok ? json(200, result.value) : result);

/** GET /api/connections?app=&status=&user=&cursor=&limit= → {items, next_cursor}. */
export async function listConnections({ env, session, url }) {
  const query = url.searchParams;
  const page = pageQuery(query);
  if (!page.ok) return page;
  const app = query.get('app');
  const status = query.get('status');
  const user = query.get('user');
  if (user !== null && (user === '' || user.length > 256)) {
    return fail('invalid_request', 'user must be a user id of 1 to 256 characters', { details: [{ path: '/user', message: 'must be 1 to 256 characters' }] });
  }
  if (app !== null && !/^[A-Za-z0-9_-]{1,128}$/.test(app)) {
    return fail('invalid_request', 'app is not an app id', { details: [{ path: '/app', message: 'is not an app id' }] });
  }
  if (status !== null && !STATUSES.has(status)) {
    return fail('invalid_request', `status must be one of ${[...STATUSES].join(', ')}`,
      { details: [{ path: '/status', message: `must be one of ${[...STATUSES].join(', ')}` }] });
  }
  return answer(await orgStore(env, session.org).listConnections(session.org, { ...page.value, app, status, user }));
}

/** GET /api/audit?cursor=&limit= → {items, next_cursor}, newest first. */
export async function listAudit({ env, session, url }) {
  const page = pageQuery(url.searchParams);
  if (!page.ok) return page;
  return answer(await orgStore(env, session.org).auditPage(session.org, page.value));
}
