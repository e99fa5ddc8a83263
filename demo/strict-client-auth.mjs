// Makes the demo provider accept a client secret only by the method the client
// registered (RFC 7591 §2 token_endpoint_auth_method). oidc-provider v9
// treats client_secret_basic and client_secret_post as interchangeable, which
// would let an engine that sends the secret the wrong way (connector
// `client_auth`, SPEC §2.2) pass against the demo provider and then fail
// against providers that accept only one method.
//
// The hook is oidc-provider's own secret comparison (Client model), run during
// client authentication of the token, introspection and revocation endpoints,
// before anything is issued or consumed; the request context comes from
// oidc-provider's AsyncLocalStorage (`Provider.ctx`).
export function enforceRegisteredClientAuth(provider, Provider, errors) {
  const Client = provider.Client;
  const compare = Client.prototype.compareClientSecret;
  Client.prototype.compareClientSecret = function compareClientSecretStrictly(actual) {
    const ctx = Provider.ctx;
    if (ctx && ['client_secret_basic', 'client_secret_post'].includes(this.clientAuthMethod)) {
      // oidc-provider refuses a request that carries both (one mechanism only).
      const used = ctx.oidc?.params?.client_secret ? 'client_secret_post' : 'client_secret_basic';
      if (used !== this.clientAuthMethod) {
        throw new errors.InvalidClientAuth(
          `client is registered for ${this.clientAuthMethod} but authenticated with ${used}`,
        );
      }
    }
    return compare.call(this, actual);
  };
}
