// The `cursor` and `limit` of a paginated admin list (GET /api/connections,
// /api/audit, /api/webhooks/{id}/deliveries). A cursor is opaque to callers:
// the store that answered the previous page made it.
import { ok, fail } from './result.mjs';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

/** {cursor: string|null, limit} from the query, or invalid_request naming the parameter. */
export function pageQuery(params) {
  const cursor = params.get('cursor');
  const limitText = params.get('limit');
  let limit = DEFAULT_PAGE;
  if (limitText !== null) {
    limit = Number(limitText);
    if (!/^[0-9]{1,4}$/.test(limitText) || limit < 1 || limit > MAX_PAGE) {
      return fail('invalid_request', `limit must be an integer from 1 to ${MAX_PAGE}`, { details: [{ path: '/limit', message: `must be an integer from 1 to ${MAX_PAGE}` }] });
    }
  }
  if (cursor !== null && !/^[A-Za-z0-9_:.-]{1,300}$/.test(cursor)) {
    return fail('invalid_request', 'cursor is malformed', { details: [{ path: '/cursor', message: 'is not a cursor this API gave' }] });
  }
  return ok({ cursor: cursor || null, limit });
}
