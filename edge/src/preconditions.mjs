// Conditional changes (RFC 9110 §13.1.1 If-Match): an admin's change to an
// app or a connector applies only to the one they read, so two admins
// editing at once cannot silently overwrite each other (the "lost update"
// of RFC 9110 §13.1). Entity tags are strong (§8.8.3) and name the stored
// revision: "r<n>" for an app (its `rev`, counting every change), "v<n>" for
// a connector (its current version). The store compares them in the same
// step as it writes (org_store.mjs), so no change slips in between.
import { ok, fail } from './result.mjs';

export const appEtag = (rev) => `"r${rev}"`;
export const connectorEtag = (version) => `"v${version}"`;

// One list element and what may follow it (RFC 9110 §5.6.1 lists, §8.8.3
// entity tags: DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text, so
// a tag may hold a comma).
const ELEMENT = /[ \t,]*((?:W\/)?"[\x21\x23-\x7e\x80-\xff]*")[ \t]*(?=,|$)/y;

/**
 * The request's If-Match: ok(null) when absent (the change is
 * unconditional, as before), ok('*') (any current app or connector), or
 * ok([entity tags]); an unparsable one is invalid_request. Weak tags are
 * kept only to never match (§13.1.1: If-Match compares strongly).
 */
export function ifMatch(request) {
  const header = request.headers.get('if-match');
  if (header === null) return ok(null);
  if (header.trim() === '*') return ok('*');
  const tags = [];
  for (let at = 0; !/^[ \t,]*$/.test(header.slice(at));) {
    ELEMENT.lastIndex = at;
    const element = ELEMENT.exec(header);
    if (!element) {
      return invalidIfMatch();
    }
    tags.push(element[1]);
    at = ELEMENT.lastIndex;
  }
  return tags.length ? ok(tags) : invalidIfMatch();
}

const invalidIfMatch = () => fail('invalid_request', 'If-Match must be * or a list of entity tags such as "r3" (RFC 9110 §13.1.1)',
  { details: [{ path: '/headers/if-match', message: 'is not * or a list of entity tags' }] });

/**
 * Whether a change under `condition` (ifMatch's value) may apply to the
 * object whose current entity tag is `etag` (null: there is none).
 */
export function conditionHolds(condition, etag) {
  if (condition === null) return true;
  if (etag === null) return false;
  return condition === '*' || condition.includes(etag);
}

/** The 412 answer: what changed, and what to do. */
export function preconditionFailed(what, etag) {
  const now = etag === null ? `${what} does not exist yet` : `${what} changed since it was read (its ETag is now ${etag})`;
  return fail('precondition_failed', `${now}: If-Match names none of its current versions; read it again and reapply the change`);
}
