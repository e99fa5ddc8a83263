// The demo provider's storage: an oidc-provider adapter over one Map per
// provider. It is ours rather than oidc-provider's bundled MemoryAdapter for
// three reasons:
//  - the bundled one is a process-wide LRU of 1000 entries shared by every
//    Provider in the process (tests start many) and may evict live tokens;
//  - it lives as long as the Provider object, not the HTTP server, so an
//    outage (server stopped, started again) keeps grants and tokens;
//  - we can search it by account, which is how "the user revoked access at
//    the provider" is played (every grant and token of the account vanishes).

const epoch = () => Math.floor(Date.now() / 1000);

// Artifacts that belong to a grant (oidc-provider's own list) and die with it.
const GRANT_BOUND = new Set([
  'AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
  'BackchannelAuthenticationRequest', 'PreAuthorizedCode',
]);

export function createStore() {
  const entries = new Map(); // `${model}:${id}` -> { model, id, payload, expiresAt }

  function live(key) {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function removeWhere(predicate) {
    let removed = 0;
    for (const [key, entry] of entries) {
      if (predicate(entry)) { entries.delete(key); removed += 1; }
    }
    return removed;
  }

  // The class oidc-provider instantiates once per model name (configuration
  // `adapter`); the method set is oidc-provider's adapter interface.
  class Adapter {
    constructor(model) { this.model = model; }

    key(id) { return `${this.model}:${id}`; }

    async upsert(id, payload, expiresIn) {
      entries.set(this.key(id), {
        model: this.model,
        id,
        payload,
        expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined,
      });
    }

    async find(id) { return live(this.key(id))?.payload; }

    async findByUid(uid) {
      for (const entry of entries.values()) {
        if (entry.model === this.model && entry.payload.uid === uid) return this.find(entry.id);
      }
      return undefined;
    }

    async findByUserCode(userCode) {
      for (const entry of entries.values()) {
        if (entry.model === this.model && entry.payload.userCode === userCode) return this.find(entry.id);
      }
      return undefined;
    }

    // Marks a code or rotated refresh token as used; oidc-provider sees
    // `consumed` on the next presentation and treats it as replay.
    async consume(id) {
      const entry = live(this.key(id));
      if (entry) entry.payload.consumed = epoch();
    }

    async destroy(id) { entries.delete(this.key(id)); }

    async revokeByGrantId(grantId) {
      removeWhere((e) => e.model === this.model && e.payload.grantId === grantId);
    }
  }

  return {
    Adapter,

    // Everything the account consented to is gone: grants, codes, access and
    // refresh tokens (optionally only for one client). Sessions stay, as when
    // a user removes an app in the provider's account settings while logged in.
    // Returns the number of grants removed.
    revokeAccount(accountId, clientId) {
      const grants = new Set();
      for (const entry of entries.values()) {
        const p = entry.payload;
        if (entry.model === 'Grant' && p.accountId === accountId && (!clientId || p.clientId === clientId)) {
          grants.add(entry.id);
        }
      }
      removeWhere((e) => (e.model === 'Grant' && grants.has(e.id))
        || (GRANT_BOUND.has(e.model) && grants.has(e.payload.grantId)));
      return grants.size;
    },

    // The account took scopes back from its grants (a provider's "manage
    // access" page) while the grants stay: tokens issued from then on, a
    // refresh's included, carry only what is left (RFC 6749 §6 lets a refresh
    // answer a narrower scope). Returns the number of grants changed.
    withdrawScopes(accountId, scopes) {
      let changed = 0;
      for (const entry of entries.values()) {
        const p = entry.payload;
        if (entry.model !== 'Grant' || p.accountId !== accountId || !p.openid?.scope) continue;
        p.openid.scope = p.openid.scope.split(' ').filter((s) => !scopes.includes(s)).join(' ');
        changed += 1;
      }
      return changed;
    },

    // Payloads of one model, for diagnostics in tests.
    list(model) {
      return [...entries.keys()].map((key) => live(key)).filter((e) => e && e.model === model).map((e) => e.payload);
    },
  };
}
