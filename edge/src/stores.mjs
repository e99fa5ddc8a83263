// How the worker addresses its Durable Objects. One OrgStore per org; one
// ConnectionStore per (org, app, app generation, user). The connection is
// named from the caller's verified session only (never from the request), so
// another user's connection cannot be addressed at all (SPEC §7). One
// AuthorizationStore per pending OAuth authorization (its state).

/** The org's store (connectors, apps, the index of each app's connections). */
export function orgStore(env, org) {
  return env.ORG_STORE.get(env.ORG_STORE.idFromName(JSON.stringify(['org', org])));
}

/**
 * The identity of one connection object. `generation` is the app's reset
 * counter (SPEC §5 reset): bumping it makes every existing connection object
 * unreachable at once, before their storage is wiped.
 */
export function connectionRef(org, app, generation, user) {
  return { org, app, generation, user };
}

export function connectionStore(env, ref) {
  const name = JSON.stringify(['connection', ref.org, ref.app, ref.generation, ref.user]);
  return env.CONNECTION_STORE.get(env.CONNECTION_STORE.idFromName(name));
}

/**
 * The object holding one pending OAuth authorization, named from the SHA-256
 * (hex) of its state: the callback carries nothing else to find it by.
 */
export function authorizationStore(env, stateHash) {
  return env.AUTHORIZATION_STORE.get(env.AUTHORIZATION_STORE.idFromName(JSON.stringify(['authorization', stateHash])));
}
