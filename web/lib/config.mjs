// Where the components get their API client from. A host console calls
// configure({baseUrl, token}) or configure({baseUrl, getToken}) once (and
// again when its session changes); every connauth element re-renders on a
// change. The standalone console (console.mjs) does the same with the token
// from its URL fragment.
import { Api } from './api.mjs';

const events = new EventTarget();
let current = { api: null, session: null };

/**
 * @param {{token?: string, getToken?: () => Promise<string>, baseUrl?: string}} options
 *   token: the host console's session token (SPEC §7, §8 JWT);
 *   getToken: an async function answering one, called before the first
 *     call and again whenever the edge refuses the last (it expired);
 *   baseUrl: the connauth edge's origin (default: this page's origin).
 */
export function configure({ token, getToken, baseUrl } = {}) {
  const source = typeof getToken === 'function' ? getToken : null;
  const api = token || source
    ? new Api({ baseUrl, token, getToken: source, onToken, onUnauthorized: (error) => emit('unauthorized', error) })
    : null;
  current = { api, session: token ? readClaims(token) : null };
  emit('change', current);
  // With getToken only, the holder is known once the first token is.
  if (api && !token) api.ready();
}

// A new token from getToken: the elements re-render only when it names
// another holder (a renewed token for the same one changes nothing they show).
function onToken(token) {
  const claims = readClaims(token);
  const before = current.session;
  current = { ...current, session: claims };
  if (!before || ['sub', 'org', 'role', 'scope'].some((k) => before[k] !== claims?.[k])) emit('change', current);
}

/** The API client, or null before configure(). */
export const getApi = () => current.api;

/** What the session token says about its holder: {sub, org, role, exp}. Not verified here: the edge does that. */
export const getSession = () => current.session;

export const isAdmin = () => current.session?.role === 'admin';

/** Subscribes to 'change' and 'unauthorized'; answers the unsubscribe function. */
export function onConfig(type, listener) {
  const handler = (event) => listener(event.detail);
  events.addEventListener(type, handler);
  return () => events.removeEventListener(type, handler);
}

function emit(type, detail) {
  events.dispatchEvent(new CustomEvent(type, { detail }));
}

/** The claims of a JWT, or null if it is not one (RFC 7519 §7.2 steps 1–6, without the signature). */
export function readClaims(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '='));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}
