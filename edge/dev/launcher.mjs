// The product, running on loopback: the edge worker on workerd (miniflare)
// with its Durable Objects persisted in DATA_DIR, the demo OAuth provider
// (oidc-provider) and the demo API that accepts only tokens the provider
// confirms, the demo connectors and apps registered through the real API,
// session tokens for an admin and a member, and an example host console on
// another origin that embeds the elements (demo/host-console.mjs: its
// public key is the edge's SESSION_JWKS, its origin the CONSOLE_ORIGINS). scripts/dev runs this
// through edge/dev/main.mjs; tests start it with ports 0 and a temp DATA_DIR.
//
//   const dev = await startDev(devSettings());
//   dev.origin, dev.consoleUrl, dev.hostConsoleUrl, dev.tokens.admin, dev.apps.demo_oauth.id
//   await dev.stop();
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { startProvider } from '../../demo/provider.mjs';
import { startDemoApi } from '../../demo/api.mjs';
import { startHostConsole } from '../../demo/host-console.mjs';
import { signSession } from '../src/session.mjs';
import { workerOptions, forwardOutbound } from './worker_options.mjs';
import { DEV_DEFAULTS } from './defaults.mjs';
import { seedDemo } from './seed.mjs';

/**
 * Starts everything; `settings` as devSettings() answers them. Whatever
 * started is stopped again if a later step fails. Answers {origin,
 * consoleUrl, memberConsoleUrl, tokens: {admin, member}, apps, provider,
 * api, stop()}.
 */
export async function startDev(settings) {
  const { host, port, dataDir, sessionSecret, encryptionKey } = settings;
  const stops = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
  };
  try {
    const persistDir = join(dataDir, 'durable-objects');
    mkdirSync(persistDir, { recursive: true });
    // Started first: the edge is configured with its origin and public key.
    const hostConsole = await startHostConsole({ port: settings.hostPort ?? 0, user: { org: settings.org, sub: settings.member } });
    stops.push(() => hostConsole.stop());
    const mf = new Miniflare(workerOptions({
      bindings: {
        SESSION_SECRET: sessionSecret,
        ENCRYPTION_KEY: encryptionKey,
        // This is scripts/dev: the published development secret is allowed (session_keys.mjs).
        CONNAUTH_DEV: '1',
        CONSOLE_ORIGINS: hostConsole.origin,
        SESSION_JWKS: JSON.stringify(hostConsole.jwks),
        // No SESSION_ISSUER/SESSION_AUDIENCE: they would bind every token,
        // and `connauth token` mints plain HS256 ones for this edge.
        // The demo servers listen on loopback, which the edge refuses unless
        // the operator allows private addresses (edge/src/egress_address.mjs).
        EGRESS_ALLOW_PRIVATE: '1',
      },
      persistDir,
      host,
      port,
      // Loopback connector hosts (the demo servers) are reached through
      // Node's fetch; the worker's egress check runs first, as deployed.
      extra: { outboundService: forwardOutbound },
    }));
    stops.push(() => mf.dispose());
    const url = await mf.ready;
    const origin = url.origin;
    hostConsole.setEdge(origin);

    // The redirect URI the edge sends (SPEC §7: the worker's origin + /oauth/callback).
    const provider = await startProvider({
      port: settings.providerPort,
      redirectUris: [`${origin}/oauth/callback`],
    });
    stops.push(() => provider.stop());
    const api = await startDemoApi({ provider, port: settings.apiPort });
    stops.push(() => api.stop());

    const now = Math.floor(Date.now() / 1000);
    const exp = now + (settings.tokenSeconds ?? DEV_DEFAULTS.TOKEN_SECONDS);
    const tokens = {
      admin: await signSession({ sub: settings.admin, org: settings.org, role: 'admin', exp }, sessionSecret, now),
      member: await signSession({ sub: settings.member, org: settings.org, role: 'member', exp }, sessionSecret, now),
    };
    const call = async (method, path, body) => {
      const res = await fetch(`${origin}${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens.admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let data = null;
      try { data = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, data };
    };
    const seeded = await seedDemo(call, { providerUrl: provider.issuer, apiUrl: api.url, issuer: provider.issuer });

    return {
      origin,
      consoleUrl: `${origin}/#token=${tokens.admin}`,
      memberConsoleUrl: `${origin}/#token=${tokens.member}`,
      hostConsoleUrl: `${hostConsole.origin}/`,
      tokens,
      apps: seeded.apps,
      connectors: seeded.connectors,
      provider,
      api,
      dataDir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What scripts/dev prints once everything is up (a newcomer's first commands). */
export function banner(dev, settings) {
  const oauth = dev.apps.demo_oauth;
  const service = dev.apps.demo_client_credentials;
  const o = dev.origin;
  return `
connauth is running (Ctrl-C stops it)

  console (admin ${settings.admin}):   ${dev.consoleUrl}
  console (member ${settings.member}): ${dev.memberConsoleUrl}
  example host console:    ${dev.hostConsoleUrl}   (another origin embedding the elements, as ${settings.member})
  demo OAuth provider:     ${dev.provider.issuer}   (sign in with any name and password)
  demo API:                ${dev.api.url}
  data:                    ${dev.dataDir}

  export ADMIN='${dev.tokens.admin}'
  export MEMBER='${dev.tokens.member}'

  apps: "${oauth.name}" ${oauth.id} (OAuth 2.0)
        "${service.name}" ${service.id} (client credentials)

Try it:
  # the member's apps
  curl -s -H "Authorization: Bearer $MEMBER" ${o}/api/apps
  # connect the service-account app (no browser) and call the demo API through the proxy
  curl -s -X POST -H "Authorization: Bearer $MEMBER" -H 'content-type: application/json' -d '{}' ${o}/api/apps/${service.id}/connect
  curl -s -H "Authorization: Bearer $MEMBER" ${o}/proxy/${service.id}/contacts
  # the OAuth app: open the member console (or the example host console) above and press
  # Connect (the attempt is bound to the session and window that start it, so a link
  # started with curl cannot finish in a browser); then:
  curl -s -H "Authorization: Bearer $MEMBER" ${o}/api/apps/${oauth.id}/connection
  curl -s -H "Authorization: Bearer $MEMBER" ${o}/proxy/${oauth.id}/me
`;
}
