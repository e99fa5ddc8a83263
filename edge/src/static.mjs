// The admin console's static files (SPEC §7: same origin as the API). The
// console in web/ comes later; until then `/` answers a placeholder that
// lists the API.

const API = [
  ['PUT', '/api/connectors/{name}', 'admin', 'new connector version'],
  ['GET', '/api/connectors/{name}', 'admin', 'current definition and versions'],
  ['POST', '/api/connectors/{name}/rollback', 'admin', 'restore a version as a new version'],
  ['POST', '/api/apps', 'admin', 'create an outbound application'],
  ['GET', '/api/apps', 'member', 'apps of your org'],
  ['GET', '/api/apps/{id}', 'member', 'one app'],
  ['PATCH', '/api/apps/{id}', 'admin', 'update an app'],
  ['DELETE', '/api/apps/{id}', 'admin', 'delete an app and every token'],
  ['POST', '/api/apps/{id}/reset | enable | disable', 'admin', 'SPEC §5'],
  ['GET', '/api/apps/{id}/connection', 'member', 'your connection'],
  ['POST', '/api/apps/{id}/connect', 'member', 'connect'],
  ['POST', '/api/apps/{id}/check', 'member', 'run the connection test'],
  ['DELETE', '/api/apps/{id}/connection', 'member', 'disconnect'],
  ['ANY', '/proxy/{id}/{path}', 'member', 'authorized request to the provider'],
];

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>connauth edge</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}
td{padding:.15rem .8rem .15rem 0}code{font-size:14px}</style></head>
<body><h1>connauth edge</h1>
<p>The admin console is not deployed yet. API (Authorization: Bearer &lt;session token&gt;):</p>
<table>${API.map(([m, p, who, what]) => `<tr><td><code>${m}</code></td><td><code>${p}</code></td><td>${who}</td><td>${what}</td></tr>`).join('')}</table>
</body></html>`;

/** GET / */
export function staticPage() {
  return new Response(PAGE, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'x-content-type-options': 'nosniff',
    },
  });
}
