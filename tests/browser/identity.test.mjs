// SPEC §10 in real Chromium against the real services (workerd, oidc-provider,
// the demo API): the connection panel shows the account the provider's ID
// token names and the scope it granted, and after a reconnect signed in as
// another account, a notice that says so plainly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, launchBrowser, newPage, openConsole, screenshot, consentInPopup, cardFor, realErrors,
} from './fixtures/browser_harness.mjs';
import { demoApps, loadConnector } from '../../demo/catalog.mjs';

const ORG = 'identity-org';
const APP = 'Demo OIDC';
let stack;
let browser;

before(async () => {
  stack = await startStack({ org: ORG });
  const demo = loadConnector('demo_oauth');
  const connector = { ...demo, name: 'demo_oidc', title: 'Demo (OpenID Connect)',
    authorization: { ...demo.authorization, scopes: ['openid', 'email', 'contacts:read'], identity: '{{id_token.email}}' } };
  assert.equal((await stack.call('PUT', '/api/connectors/demo_oidc', { token: stack.admin, json: connector })).status, 201);
  const app = demoApps({ providerUrl: stack.provider.issuer, apiUrl: stack.api.url }).demo_oauth;
  const created = await stack.call('POST', '/api/apps', { token: stack.admin, json: { ...app, name: APP, connector: 'demo_oidc' } });
  assert.equal(created.status, 201, created.text);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.dispose();
});

async function connectAs(page, card, login) {
  await card.getByRole('button', { name: /^(Connect|Reconnect)$/ }).click();
  await card.getByTestId('prompt').waitFor();
  const popupPromise = page.waitForEvent('popup');
  await card.getByRole('button', { name: 'Continue' }).click();
  const popup = await popupPromise;
  const closed = popup.waitForEvent('close', { timeout: 15000 });
  await consentInPopup(popup, { login });
  await closed;
}

test('the panel shows the account and the granted scope; a reconnect as another account says so', { timeout: 90000 }, async () => {
  const token = await stack.session(ORG, 'ivan', 'member');
  const { page, errors, context } = await newPage(browser);
  await openConsole(page, stack.origin, token);
  const card = cardFor(page, APP);

  await connectAs(page, card, 'ivan');
  const notice = card.getByTestId('notice');
  await notice.getByText('Connected as ivan@example.com.').waitFor({ timeout: 15000 });
  assert.equal(await card.getByTestId('status').textContent(), 'Connected');
  const facts = card.locator('dl.facts');
  assert.equal(await facts.locator('dt', { hasText: 'Account' }).locator('xpath=following-sibling::dd[1]').textContent(), 'ivan@example.com');
  const scope = (await card.getByTestId('scope').textContent()).split(' ').sort();
  assert.deepEqual(scope, ['contacts:read', 'email', 'openid'], 'the scope the provider granted');
  await screenshot(page, 'identity-1-connected');

  // The provider still has ivan's session: a fresh one signs in as judy.
  await context.clearCookies();
  await connectAs(page, card, 'judy');
  await notice.getByText('Connected to another account').waitFor({ timeout: 15000 });
  assert.match(await notice.textContent(), /Connected as judy@example\.com — before, this connection was ivan@example\.com\./);
  assert.equal(await notice.getAttribute('class'), 'callout tone-warn');
  assert.equal(await facts.locator('dt', { hasText: 'Account' }).locator('xpath=following-sibling::dd[1]').textContent(), 'judy@example.com');
  await screenshot(page, 'identity-2-account-changed');

  // Reconnecting as judy again: a plain confirmation, no warning.
  await connectAs(page, card, 'judy');
  await notice.getByText('Connected as judy@example.com.').waitFor({ timeout: 15000 });
  assert.equal(await notice.getAttribute('class'), 'callout tone-ok');
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});
