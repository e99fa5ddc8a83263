// No secret or token ever reaches the page: a whole connect through the
// popup, the health view, the admin's app editor and the apply preview, with
// every response and request body of every page (console and popup) and the
// final DOM (through shadow roots, with input values) searched for the
// provider's tokens (captured at the provider) and the client secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, launchBrowser, newPage, openConsole, screenshot, cardFor, consentInPopup, captureTokens,
} from './fixtures/browser_harness.mjs';
import { webClient, DEMO_CLIENT_ID, DEMO_BASIC_CLIENT_ID } from '../../demo/provider-config.mjs';

const ORG = 'secrets-org';
// A client secret of this run only (the demo's own, "demo-secret", is quoted
// in the demo connectors' descriptions, which the editor rightly shows).
const CLIENT_SECRET = `cs-${crypto.randomUUID()}`;
let stack;
let browser;
let apps;
let tokens;

before(async () => {
  stack = await startStack({ org: ORG, providerOptions: { clients: [
    webClient(DEMO_CLIENT_ID, { secret: CLIENT_SECRET, authMethod: 'client_secret_post' }),
    webClient(DEMO_BASIC_CLIENT_ID, { secret: CLIENT_SECRET, authMethod: 'client_secret_basic' }),
  ] } });
  tokens = captureTokens(stack.provider);
  apps = await stack.seedDemo({ clientSecret: CLIENT_SECRET });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.dispose();
});

async function domText(page) {
  return page.evaluate(() => {
    const parts = [document.documentElement.outerHTML];
    const walk = (root) => root.querySelectorAll('*').forEach((el) => {
      if (el.shadowRoot) {
        parts.push(el.shadowRoot.innerHTML);
        walk(el.shadowRoot);
      }
      if ('value' in el && typeof el.value === 'string') parts.push(el.value);
    });
    walk(document);
    return parts.join('\n');
  });
}

function assertAbsent(haystack, needles, where) {
  for (const needle of needles) {
    assert.ok(!haystack.includes(needle), `${where} contains a secret (${needle.slice(0, 6)}…)`);
  }
}

test('connect, health view, admin views: no token or client secret in the DOM or the network', { timeout: 120000 }, async () => {
  const token = await stack.session(ORG, 'olga', 'member');
  const { page, context, responses } = await newPage(browser, { recordBodies: true });
  await openConsole(page, stack.origin, token);
  const card = cardFor(page, 'Demo CRM');
  await card.getByRole('button', { name: 'Connect' }).click();
  const popupPromise = page.waitForEvent('popup');
  await card.getByRole('button', { name: 'Continue' }).click();
  const popup = await popupPromise;
  await consentInPopup(popup, { login: 'olga' });
  await card.getByTestId('notice').getByText(/^Connected as /).waitFor({ timeout: 15000 });

  // The edge holds real tokens now, and uses them (refreshing if needed).
  const proxied = await stack.call('GET', `/proxy/${apps.demo_oauth.id}/contacts`, { token });
  assert.equal(proxied.status, 200, proxied.text);
  await page.reload();
  await card.getByTestId('status').waitFor();
  await card.getByRole('button', { name: 'Check connection' }).click();
  await card.getByTestId('notice').waitFor();
  assert.ok(tokens.length >= 2, 'the provider issued an access and a refresh token');
  const secrets = [...tokens, CLIENT_SECRET];

  // Every page's DOM, and everything that crossed the network for them.
  assertAbsent(await domText(page), secrets, 'the member\'s DOM');
  for (const r of responses) assertAbsent(`${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`, secrets, `${r.request ? 'request' : 'response'} ${r.url}`);
  assert.ok(responses.some((r) => r.url.includes('/api/apps/') && r.url.endsWith('/connection')), 'the connection view was recorded');
  await screenshot(page, 'secrets-member-connected');
  await context.close();

  // The admin: the app list, the edit dialog, the connector editor and preview.
  const adminPage = await newPage(browser, { recordBodies: true });
  await openConsole(adminPage.page, stack.origin, stack.admin, 'apps');
  const row = adminPage.page.locator('connauth-apps li.app-row').filter({ hasText: 'Demo CRM' }).first();
  await row.getByRole('button', { name: 'Edit' }).click();
  await adminPage.page.locator('connauth-apps dialog[open]').getByLabel(/^Provider URL/).waitFor();
  assertAbsent(await domText(adminPage.page), secrets, 'the app editor');
  await adminPage.page.keyboard.press('Escape');
  await adminPage.page.evaluate(() => { location.hash = '#/connectors'; });
  await adminPage.page.locator('connauth-connectors').locator('connauth-apply-preview').getByTestId('preview-added').waitFor();
  assertAbsent(await domText(adminPage.page), secrets, 'the connector editor and preview');
  for (const r of adminPage.responses) assertAbsent(`${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`, secrets, `admin ${r.url}`);
  await adminPage.context.close();
});
