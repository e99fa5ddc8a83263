// The CLI's own attack surface (docs/security.md): opening the authorization
// URL without a shell, a loopback redirect endpoint that only a callback with
// the pending state ends, and connection files written without following a
// file or link someone placed at the temporary name.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, symlinkSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserCommand, openBrowser } from '../../scripts/cli/browser.mjs';
import { listenForCallback } from '../../scripts/cli/loopback.mjs';
import { writeJson } from '../../scripts/cli/files.mjs';

const dir = mkdtempSync(join(tmpdir(), 'connauth-cli-security-'));
// An authorization URL whose query a shell would cut at "&" and run the rest.
const URL_WITH_SHELL = 'https://auth.example/authorize?client_id=a&state=b&redirect_uri=x%20y&calc.exe="&|^<>';

describe('opening the browser', () => {
  test('no shell on any platform: the URL is one argument of the opener', () => {
    assert.deepEqual(browserCommand(URL_WITH_SHELL, 'win32'), ['rundll32', ['url.dll,FileProtocolHandler', URL_WITH_SHELL]]);
    assert.deepEqual(browserCommand(URL_WITH_SHELL, 'darwin'), ['open', [URL_WITH_SHELL]]);
    assert.deepEqual(browserCommand(URL_WITH_SHELL, 'linux'), ['xdg-open', [URL_WITH_SHELL]]);
    for (const platform of ['win32', 'darwin', 'linux', 'freebsd']) {
      const [command] = browserCommand(URL_WITH_SHELL, platform);
      assert.ok(!['cmd', 'cmd.exe', 'sh', 'bash', 'powershell'].includes(command), platform);
    }
  });

  test('xdg-open receives the URL exactly, as a single argument', async () => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    const record = join(bin, 'argv.json');
    writeFileSync(join(bin, 'xdg-open'), `#!/usr/bin/env node\nrequire('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)));\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      assert.equal(await openBrowser(URL_WITH_SHELL, 'linux'), true);
    } finally {
      process.env.PATH = path;
    }
    for (let i = 0; i < 100 && !readdirSync(bin).includes('argv.json'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(JSON.parse(readFileSync(record, 'utf8')), [URL_WITH_SHELL]);
  });
});

describe('the loopback redirect endpoint', () => {
  test('a callback with another state (or none) is answered and ignored; the one with the pending state is handled', async () => {
    const listener = await listenForCallback(0);
    try {
      const handled = [];
      const waiting = listener.wait(async (query) => {
        handled.push(query);
        return { ok: true, title: 'connected', message: 'done' };
      }, 10_000, { state: 'the-pending-state-0123' });
      const get = (query) => fetch(`${listener.redirectUri}${query}`);
      const forged = await get('?code=attacker-code&state=another-state-9999');
      assert.equal(forged.status, 400);
      assert.match(await forged.text(), /does not belong to this sign-in/);
      const stateless = await get('?code=attacker-code');
      assert.equal(stateless.status, 400);
      await stateless.text();
      const repeated = await get('?code=c&state=the-pending-state-0123&state=x');
      assert.equal(repeated.status, 400);
      await repeated.text();
      assert.deepEqual(handled, []);
      const real = await get('?code=real-code&state=the-pending-state-0123');
      assert.equal(real.status, 200);
      await real.text();
      const outcome = await waiting;
      assert.equal(outcome.ok, true);
      assert.deepEqual(handled, ['?code=real-code&state=the-pending-state-0123']);
    } finally {
      await listener.close();
    }
  });

  test('without the pending state, the wait still ends at the timeout', async () => {
    const listener = await listenForCallback(0);
    try {
      const waiting = listener.wait(async () => ({ ok: true, title: 't', message: 'm' }), 300, { state: 'the-pending-state-0123' });
      const forged = await fetch(`${listener.redirectUri}?code=x&state=nope`);
      await forged.text();
      assert.deepEqual(await waiting, { timeout: true });
    } finally {
      await listener.close();
    }
  });
});

describe('connection files', () => {
  test('a link at the old temporary name is not followed; the file is 0600 and complete', () => {
    const out = join(dir, 'conn.json');
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    // What an attacker sharing the folder would plant: the name the CLI used to use.
    symlinkSync(victim, `${out}.${process.pid}.tmp`);
    writeJson(out, { access_token: 'tok-1' });
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { access_token: 'tok-1' });
    assert.equal(statSync(out).mode & 0o777, 0o600);
    // Only the planted link is left beside it: the temporary file was renamed.
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('conn.json.')), [`conn.json.${process.pid}.tmp`]);
  });

  test('the temporary name is random: two writes never share one', () => {
    const out = join(dir, 'again.json');
    writeJson(out, { n: 1 });
    writeJson(out, { n: 2 });
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { n: 2 });
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('again.json.')), []);
  });
});

describe('connauth validate', () => {
  test('warns when apply rules send the client secret, and notes applied secret fields; still exit 0', async () => {
    const { spawnSync } = await import('node:child_process');
    const connector = join(dir, 'leaky.json');
    writeFileSync(connector, JSON.stringify({
      name: 'leaky',
      connection: { base_uri: 'https://api.example/', fields: [{ name: 'token', secret: true }] },
      authorization: { type: 'api_key', apply: [{ headers: { 'X-Secret': '{{client_secret}}', 'X-Token': '{{connection.token}}' } }] },
    }));
    const r = spawnSync(join(import.meta.dirname, '../../scripts/connauth'), ['validate', connector], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'ok: leaky (api_key)\n');
    assert.match(r.stderr, /^warning: \/authorization\/apply\/0\/headers\/X-Secret: sends the app's client_secret with every request/m);
    assert.match(r.stderr, /^note: \/authorization\/apply\/0\/headers\/X-Token: sends the secret field token with every request/m);
  });
});
