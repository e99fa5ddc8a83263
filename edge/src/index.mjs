// connauth edge worker (SPEC §7): one ES module for workerd / Cloudflare
// Workers. A thin host around the WebAssembly engine: connector logic is the
// engine's; this worker does I/O, authentication and storage.
//
//   router.mjs        routes, sessions, roles       errors.mjs   the wire form of every failure
//   connectors.mjs    /api/connectors               apps.mjs     /api/apps
//   connection.mjs    the caller's connection       proxy.mjs    /proxy/{id}/...
//   org_store.mjs     OrgStore DO (per org)         connection_store.mjs  ConnectionStore DO (per user)
//   authorization_store.mjs  AuthorizationStore DO (one pending OAuth state)
//   oauth.mjs         connect (oauth2) and /oauth/callback
//   flows.mjs         seam to the engine's flows    crypto.mjs   AES-GCM at rest
//   proxy_cache.mjs   the proxy's isolate-level cache (app, credentials), invalidated by the routes
import { route } from './router.mjs';
import { errorResponse } from './errors.mjs';
import { log } from './log.mjs';
import { configureEgressAddresses } from './egress_address.mjs';
import { ConnectionStore as ConnectionStoreObject } from './connection_store.mjs';

export { OrgStore } from './org_store.mjs';
export { AuthorizationStore } from './authorization_store.mjs';

// The ConnectionStore sends the refresh and test requests: its isolate reads
// the operator's egress address setting too (egress_address.mjs).
export class ConnectionStore extends ConnectionStoreObject {
  constructor(ctx, env, ...rest) {
    super(ctx, env, ...rest);
    configureEgressAddresses(env);
  }
}

export default {
  async fetch(request, env, ctx) {
    configureEgressAddresses(env);
    try {
      return await route(request, env, ctx);
    } catch (error) {
      // Nothing a caller sends may crash the worker: anything unexpected is
      // logged (without request data, which may hold secrets) and answered 500.
      log('unhandled_error', { error: error?.stack ?? String(error) }, 'error');
      return errorResponse({ code: 'internal_error', message: 'internal error' });
    }
  },
};
