// Embedding in another admin console (SPEC §8), in real Chromium with
// third-party cookies blocked, against what scripts/dev starts (the edge on
// http://127.0.0.1:P, the demo provider and API, and the example host
// console on http://localhost:P2: another site). A member connects from the
// host console through the popup and the proxy uses the connection; denied,
// closed and blocked stay explained; an origin that is not allowed reads no
// API answer and receives no result; a link forwarded to another browser
// connects nobody; a binding the client makes up is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startDev } from '../../edge/dev/launcher.mjs';
import { devSettings } from '../../edge/dev/defaults.mjs';
import { serve } from '../../demo/http-server.mjs';
import { CHROMIUM_ARGS, screenshot, consentInPopup, cardFor, realErrors } from './fixtures/browser_harness.mjs';

const dataDir = mkdtempSync(join(tmpdir(), 'connauth-embed-'));
let dev;
let browser;
let foreign; // a page server on an origin that is not in CONSOLE_ORIGINS

before(async () => {
  dev = await startDev({ ...devSettings({ PORT: '0', DATA_DIR: dataDir }), tokenSeconds: 3600 });
  // Chromium's third-party cookie blocking, as Safari and Firefox ship it.
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--test-third-party-cookie-phaseout'] });
  foreign = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>not a console</title><p>not a console</p>');
  });
  await foreign.start();
});

after(async () => {
  await browser?.close();
  await foreign?.stop();
  await dev?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const oauthApp = () => dev.apps.demo_oauth;
const connection = async () => (await (await fetch(`${dev.origin}/api/apps/${oauthApp().id}/connection`, {
  headers: { authorization: `Bearer ${dev.tokens.member}` } })).json());

async function disconnect() {
  await fetch(`${dev.origin}/api/apps/${oauthApp().id}/connection`, { method: 'DELETE', headers: { authorization: `Bearer ${dev.tokens.member}` } });
}

/** A fresh context on the host console; answers {context, page, errors, card}. */
async function openHost({ init } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 860 }, reducedMotion: 'reduce' });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  assert.match(dev.hostConsoleUrl, /^http:\/\/localhost:\d+\/$/);
  await page.goto(dev.hostConsoleUrl);
  const card = cardFor(page, oauthApp().name);
  await card.getByRole('button', { name: 'Connect' }).waitFor({ timeout: 20000 });
  return { context, page, errors, card };
}

async function startConnect(page, card) {
  await card.getByRole('button', { name: /^(Connect|Reconnect)$/ }).click();
  await card.getByTestId('prompt').waitFor();
  const popup = page.waitForEvent('popup');
  await card.getByRole('button', { name: 'Continue' }).click();
  return popup;
}

async function failureReason(card, expected) {
  await card.locator(`[data-testid="consent-failure"][data-reason="${expected}"]`).waitFor({ timeout: 15000 }).catch(() => {});
  return card.getByTestId('consent-failure').getAttribute('data-reason');
}

test('a member connects from a host console on another site, third-party cookies blocked; the proxy uses it', { timeout: 90000 }, async () => {
  await disconnect();
  const { context, page, errors, card } = await openHost();
  const edgeCookies = [];
  context.on('response', async (r) => {
    if (new URL(r.url()).origin === dev.origin && (await r.headerValue('set-cookie'))) edgeCookies.push(r.url());
  });
  assert.notEqual(new URL(page.url()).hostname, new URL(dev.origin).hostname, 'another site than the edge');
  assert.equal(await card.getByTestId('status').textContent(), 'Not connected');
  await screenshot(page, 'embed-1-host-console');

  const popup = await startConnect(page, card);
  const closed = popup.waitForEvent('close', { timeout: 20000 });
  await consentInPopup(popup, { login: 'alice' });
  await closed;
  await card.getByTestId('notice').getByText(/^Connected as /).waitFor({ timeout: 20000 });
  assert.equal(await card.getByTestId('status').textContent(), 'Connected');
  await screenshot(page, 'embed-2-connected');
  assert.deepEqual(edgeCookies, [], 'the edge set no cookie: none was needed');

  const me = await fetch(`${dev.origin}/proxy/${oauthApp().id}/me`, { headers: { authorization: `Bearer ${dev.tokens.member}` } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).id, 'alice');
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('denied, closed and blocked are explained in the host console too', { timeout: 120000 }, async () => {
  await disconnect();
  {
    const { context, page, card } = await openHost();
    const popup = await startConnect(page, card);
    await consentInPopup(popup, { login: 'alice', deny: true });
    assert.equal(await failureReason(card, 'access_denied'), 'access_denied');
    await card.getByRole('heading', { name: 'Access denied' }).waitFor();
    await screenshot(page, 'embed-access-denied');
    await context.close();
  }
  {
    const { context, page, card } = await openHost();
    const popup = await startConnect(page, card);
    await popup.waitForURL(/\/interaction\//);
    await popup.close();
    assert.equal(await failureReason(card, 'closed_by_user'), 'closed_by_user');
    await card.getByRole('heading', { name: 'Sign-in window closed' }).waitFor();
    await context.close();
  }
  {
    const { context, page, card } = await openHost({ init: () => { window.open = () => null; } });
    await card.getByRole('button', { name: 'Connect' }).click();
    await card.getByRole('button', { name: 'Continue' }).click();
    assert.equal(await failureReason(card, 'popup_blocked'), 'popup_blocked');
    const link = card.getByRole('link', { name: 'Continue to sign-in' });
    await link.waitFor();
    await screenshot(page, 'embed-popup-blocked');
    // The link the user follows keeps its opener: the result still comes back.
    const popupPromise = page.waitForEvent('popup');
    await link.click();
    await consentInPopup(await popupPromise, { login: 'alice' });
    await card.getByTestId('notice').getByText(/^Connected as /).waitFor({ timeout: 20000 });
    await context.close();
  }
  assert.equal((await connection()).status, 'connected');
});

test('an origin not in CONSOLE_ORIGINS reads no API answer and receives no result', { timeout: 90000 }, async () => {
  await disconnect();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${foreign.url}/`);
  // The API: the browser refuses it the answer (no Access-Control-Allow-Origin).
  const read = await page.evaluate(async ({ edge, token }) => {
    try {
      const r = await fetch(`${edge}/api/apps`, { headers: { authorization: `Bearer ${token}` } });
      return `read ${r.status}`;
    } catch (e) {
      return `refused: ${e.name}`;
    }
  }, { edge: dev.origin, token: dev.tokens.member });
  assert.equal(read, 'refused: TypeError');

  // The result: an authorization begun for the allowed console (as a member
  // could with curl), opened by this page; the user consents; this page
  // listens for any message and gets none.
  const begun = await (await fetch(`${dev.origin}/api/apps/${oauthApp().id}/connect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${dev.tokens.member}`, 'content-type': 'application/json', origin: new URL(dev.hostConsoleUrl).origin },
    body: '{}',
  })).json();
  await page.evaluate(() => {
    window.__received = [];
    window.addEventListener('message', (e) => window.__received.push({ origin: e.origin, data: e.data }));
  });
  const popupPromise = page.waitForEvent('popup');
  await page.evaluate((url) => { window.__popup = window.open(url, 'consent', 'popup'); }, begun.authorization_url);
  const popup = await popupPromise;
  const callback = popup.waitForRequest(/\/oauth\/callback\?/);
  await consentInPopup(popup, { login: 'alice' });
  await callback;
  await page.waitForTimeout(1500);
  assert.deepEqual(await page.evaluate(() => window.__received), [], 'postMessage to the recorded origin only');
  assert.equal((await connection()).status, 'not_connected');
  await context.close();
});

test('a forwarded authorization link connects nobody; a binding the client makes up is refused', { timeout: 90000 }, async () => {
  await disconnect();
  // The member starts connecting in the host console...
  const { context, page, card } = await openHost();
  const requested = [];
  context.on('request', (r) => { if (new URL(r.url()).pathname === '/auth') requested.push(r.url()); });
  const popup = await startConnect(page, card);
  await popup.waitForURL(/\/interaction\//);
  assert.equal(requested.length, 1);
  // ...and the provider's link is opened in another browser, where someone consents.
  const other = await browser.newContext();
  const elsewhere = await other.newPage();
  await elsewhere.goto(requested[0]);
  await consentInPopup(elsewhere, { login: 'mallory' });
  await elsewhere.waitForURL(/\/oauth\/callback\?/);
  await elsewhere.getByText(/nothing was connected/).waitFor();
  await screenshot(elsewhere, 'embed-forwarded-link');
  assert.equal((await connection()).status, 'not_connected');

  // The host page itself, completing with a binding of its own choosing: refused.
  const answer = await page.evaluate(async ({ edge, app }) => {
    const token = (await (await fetch('/session-token')).json()).token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const begun = await (await fetch(`${edge}/api/apps/${app}/connect`, { method: 'POST', headers, body: '{}' })).json();
    const r = await fetch(`${edge}/api/apps/${app}/connect/complete`, { method: 'POST', headers,
      body: JSON.stringify({ state: begun.state, callback: `?code=chosen&state=${begun.state}`, binding: 'A'.repeat(43) }) });
    return { status: r.status, body: await r.json() };
  }, { edge: dev.origin, app: oauthApp().id });
  assert.equal(answer.status, 403);
  assert.equal(answer.body.reason, 'state_mismatch');
  assert.equal((await connection()).status, 'not_connected');
  await other.close();
  await context.close();
});

test('getToken is asked again when the edge refuses a token, and the call repeated once', { timeout: 60000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(dev.hostConsoleUrl);
  const result = await page.evaluate(async (edge) => {
    const { Api } = await import(`${edge}/assets/web/lib/api.mjs`);
    const given = [];
    const api = new Api({
      baseUrl: edge,
      // First an expired (here: unusable) token, then the console's fresh one.
      getToken: async () => {
        given.push(given.length === 0 ? 'expired.token.value' : (await (await fetch('/session-token')).json()).token);
        return given.at(-1);
      },
    });
    const apps = await api.listApps();
    const again = await api.listApps();
    return { ok: apps.ok && again.ok, asked: given.length };
  }, dev.origin);
  assert.deepEqual(result, { ok: true, asked: 2 }, 'asked once more after the 401, then kept');
  await context.close();
});
