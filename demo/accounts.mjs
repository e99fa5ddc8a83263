// Demo accounts: any login name is an account, and its id is the login. The
// provider (ID token and userinfo claims) and the demo API (/api/me) both
// describe an account through this one function so they always agree.

// example.com is reserved for documentation (RFC 2606 §3), so a demo address
// can never reach a real mailbox.
export function describeAccount(accountId) {
  const id = String(accountId);
  const email = id.includes('@') ? id : `${id}@example.com`;
  const local = email.slice(0, email.indexOf('@'));
  const name = local.split(/[._-]+/).filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1)).join(' ') || id;
  return { id, email, name };
}

// oidc-provider's `findAccount` (configuration): accepts every login, as the
// devInteractions login page accepts any name and password.
export async function findAccount(_ctx, sub) {
  const account = describeAccount(sub);
  return {
    accountId: account.id,
    async claims() {
      return { sub: account.id, email: account.email, email_verified: true, name: account.name };
    },
  };
}
