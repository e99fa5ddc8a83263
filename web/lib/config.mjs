// Where the components get their API client from. A host console calls
// configure({token, baseUrl}) once (and again when its session changes);
// every connauth element re-renders on a change. The standalone console
// (console.mjs) does the same with the token from its URL fragment.
import { Api } from './api.mjs';

const events = new EventTarget();
let current = { api: null, session: null };

/**
 * @param {{token: string, baseUrl?: string}} options
 *   token: the host console's session token (SPEC §7 HS256 JWT);
 *   baseUrl: the connauth edge's origin (default: this page's origin).
 */
export function configure({ token, baseUrl } = {}) {
  const api = token ? new Api({ baseUrl, token, onUnauthorized: (error) => emit('unauthorized', error) }) : null;
  current = { api, session: token ? readClaims(token) : null };
  emit('change', current);
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
