// scripts/dev really comes up: its launcher (edge/dev/main.mjs, what
// scripts/dev runs after setup and build) is started as a process with
// PORT=0 and a temp DATA_DIR; a member connects the demo OAuth app through
// the provider's pages and the proxy reaches the demo API; SIGINT stops
// everything (exit 0, workerd gone). Started again on the same DATA_DIR, the
// seeding finds its apps (same ids) and the stored connection is still there;
// SIGTERM stops it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './fixtures/edge_harness.mjs';
import { completeConsent } from '../../demo/consent.mjs';

const dataDir = mkdtempSync(join(tmpdir(), 'connauth-dev-'));
const running = new Set();
after(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

// Starts the launcher; resolves once it printed its banner.
function launch() {
  const child = spawn(process.execPath, [join(root, 'edge/dev/main.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    running.delete(child);
    resolve({ code, signal, out });
  }));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (!/curl -s -H "Authorization: Bearer \$MEMBER" \S+\/proxy\/\S+\/me/.test(out)) return;
      clearTimeout(timer);
      const memberUrl = new URL(/console \(member [^)]*\):\s+(\S+)/.exec(out)[1]);
      resolve({
        hostConsole: /example host console:\s+(\S+)/.exec(out)?.[1],
        origin: memberUrl.origin,
        member: memberUrl.hash.replace(/^#token=/, ''),
        oauthApp: /"Demo CRM" (\S+) \(OAuth 2\.0\)/.exec(out)[1],
        serviceApp: /"Demo CRM \(service account\)" (\S+) \(client credentials\)/.exec(out)[1],
      });
    };
    child.stdout.on('data', check);
    exited.then(({ code }) => reject(new Error(`exited with ${code} before its banner:\n${out}`)));
  });
  return { child, ready, exited };
}

async function call(origin, token, method, path, body) {
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, headers: res.headers, data: await res.json().catch(() => null) };
}

test('the launcher comes up, a member connects and calls the demo API through the proxy, Ctrl-C stops it', async () => {
  const first = launch();
  const dev = await first.ready;

  const begun = await call(dev.origin, dev.member, 'POST', `/api/apps/${dev.oauthApp}/connect`, {});
  assert.equal(begun.status, 200);
  assert.equal(new URL(begun.data.authorization_url).searchParams.get('redirect_uri'), `${dev.origin}/oauth/callback`);
  const redirect = await completeConsent(begun.data.authorization_url, { login: 'alice' });
  const page = await fetch(redirect);
  assert.equal(page.status, 200, await page.text());
  // What the console does with the answer the callback page hands it (edge/src/consent_completion.mjs).
  const completed = await call(dev.origin, dev.member, 'POST', `/api/apps/${dev.oauthApp}/connect/complete`,
    { state: begun.data.state, callback: new URL(redirect).search, binding: begun.data.binding });
  assert.equal(completed.status, 200, JSON.stringify(completed.data));
  const me = await call(dev.origin, dev.member, 'GET', `/proxy/${dev.oauthApp}/me`);
  assert.equal(me.status, 200);
  assert.deepEqual(me.data, { id: 'alice', email: 'alice@example.com', name: 'Alice' });
  // The example host console: another origin, its own ES256 connect-scope tokens.
  assert.match(dev.hostConsole, /^http:\/\/localhost:\d+\/$/);
  const host = await (await fetch(dev.hostConsole)).text();
  assert.ok(host.includes(`${dev.origin}/assets/web/connauth-elements.mjs`), 'imports the elements from the edge');
  const { token: hostToken } = await (await fetch(new URL('/session-token', dev.hostConsole))).json();
  assert.equal((await call(dev.origin, hostToken, 'GET', '/api/apps')).status, 200);
  assert.equal((await call(dev.origin, hostToken, 'GET', `/proxy/${dev.oauthApp}/me`)).status, 403, 'connect scope: no proxy');
  const service = await call(dev.origin, dev.member, 'POST', `/api/apps/${dev.serviceApp}/connect`, {});
  assert.equal(service.data.status, 'connected');
  assert.equal((await call(dev.origin, dev.member, 'GET', `/proxy/${dev.serviceApp}/contacts`)).status, 200);

  first.child.kill('SIGINT');
  const stopped = await first.exited;
  assert.equal(stopped.code, 0, stopped.out);
  assert.match(stopped.out, /stopped/);
  await assert.rejects(fetch(`${dev.origin}/`), 'nothing listens any more');

  // Again, on the same data: the same apps, the connection still stored.
  const second = launch();
  const again = await second.ready;
  assert.equal(again.oauthApp, dev.oauthApp);
  assert.equal(again.serviceApp, dev.serviceApp);
  const apps = await call(again.origin, again.member, 'GET', '/api/apps');
  assert.equal(apps.data.apps.length, 2, 'seeding is idempotent');
  const kept = await call(again.origin, again.member, 'GET', `/api/apps/${dev.oauthApp}/connection`);
  assert.notEqual(kept.data.status, 'not_connected', 'Durable Object storage persisted in DATA_DIR');
  second.child.kill('SIGTERM');
  assert.equal((await second.exited).code, 0);
});
