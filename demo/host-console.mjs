// An example host console on another origin than the edge (SPEC §8), as a
// product team would embed connauth in its own admin console: scripts/dev
// starts it at http://localhost:PORT (the edge is on 127.0.0.1: another
// site, so no cookie of the edge's ever reaches it).
//
//   GET /               the console's page: imports the elements from the
//                       edge, configure({ baseUrl, getToken }), <connauth-connections>
//   GET /session-token  the signed-in user's connauth session: an ES256 JWT
//                       with "scope": "connect", signed with this console's
//                       private key; the edge verifies it against the public
//                       key in SESSION_JWKS. A real console answers it only to
//                       its own signed-in user (its own login, its own cookie).
//
// The key pair is made at start and never leaves this process except the
// public half (`jwks`, for the edge's SESSION_JWKS).
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { serve } from './http-server.mjs';

/** The claims' issuer and audience the example uses (SESSION_ISSUER / SESSION_AUDIENCE). */
export const HOST_ISSUER = 'connauth-example-host';
export const HOST_AUDIENCE = 'connauth';
const KID = 'example-host-1';
const TOKEN_SECONDS = 10 * 60;

/**
 * Starts the example console. `user`: {org, sub} of its signed-in user;
 * `edgeOrigin`: set later with setEdge (the edge's port is known once it
 * listens, and the edge needs this console's origin first). Answers
 * {origin, jwks, setEdge(origin), stop()}.
 */
export async function startHostConsole({ port = 0, user, title = 'Acme Admin' } = {}) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'ES256', use: 'sig' }] };
  let edgeOrigin = null;

  const server = await serve(async (req, res) => {
    const path = new URL(req.url, 'http://host').pathname;
    if (req.method === 'GET' && path === '/session-token') {
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ org: user.org, role: 'member', scope: 'connect' })
        .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'JWT' })
        .setSubject(user.sub).setIssuer(HOST_ISSUER).setAudience(HOST_AUDIENCE)
        .setIssuedAt(now).setExpirationTime(now + TOKEN_SECONDS)
        .sign(privateKey);
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ token }));
      return;
    }
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page({ title, edgeOrigin, user }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }, { port });
  await server.start();
  return {
    origin: `http://localhost:${server.port}`,
    jwks,
    setEdge(origin) { edgeOrigin = origin; },
    stop: () => server.stop(),
  };
}

// The few lines a host adds (docs/embedding.md shows the same).
function page({ title, edgeOrigin, user }) {
  const edge = JSON.stringify(edgeOrigin);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f4f1ea;color:#222}
header{background:#2d3a4a;color:#fff;padding:.8rem 1.5rem}main{max-width:60rem;margin:1.5rem auto;padding:0 1rem}</style>
</head><body>
<header><strong>${title}</strong> · signed in as ${user.sub} (an example host console on its own origin)</header>
<main>
<h1>Integrations</h1>
<connauth-connections></connauth-connections>
</main>
<script type="module">
  import { configure } from ${JSON.stringify(`${edgeOrigin}/assets/web/connauth-elements.mjs`)};
  configure({
    baseUrl: ${edge},
    // Asked again whenever the edge refuses the last token (it expired).
    getToken: async () => (await (await fetch('/session-token')).json()).token,
  });
</script>
</body></html>`;
}
