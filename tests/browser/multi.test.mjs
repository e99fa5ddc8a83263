// A `multi` connector whose `selected` reads its own field (`mode`) in real
// Chromium against the real services: the connect card offers the options
// (from the engine's connect form in the app view: members cannot read the
// connector), asks for the chosen option's fields, and connects through it —
// a key through the form, the oauth2 option through the consent popup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, launchBrowser, newPage, openConsole, screenshot, consentInPopup, cardFor, realErrors,
} from './fixtures/browser_harness.mjs';
import { basicAuthorization } from '../../demo/client-auth.mjs';
import { DEMO_BASIC_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../demo/provider-config.mjs';
import { loadConnector, demoApps } from '../../demo/catalog.mjs';

const ORG = 'multi-org';
let stack;
let browser;
let app;

before(async () => {
  stack = await startStack({ org: ORG });
  const demo = loadConnector('demo_oauth');
  const connector = {
    name: 'demo_modes',
    title: 'Demo API (key or sign-in)',
    connection: demo.connection,
    authorization: {
      type: 'multi',
      selected: '{{connection.mode}}',
      options: {
        key: { type: 'api_key', fields: [{ name: 'api_key', label: 'API key', secret: true }],
          apply: [{ headers: { Authorization: 'Bearer {{connection.api_key}}' } }], refresh_on: [401] },
        sso: demo.authorization,
      },
    },
    test: demo.test,
  };
  assert.equal((await stack.call('PUT', '/api/connectors/demo_modes', { token: stack.admin, json: connector })).status, 201);
  const apps = demoApps({ providerUrl: stack.provider.issuer, apiUrl: stack.api.url });
  const created = await stack.call('POST', '/api/apps', { token: stack.admin,
    json: { ...apps.demo_oauth, name: 'Demo Modes', connector: 'demo_modes' } });
  assert.equal(created.status, 201, created.text);
  app = created.data;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.dispose();
});

/** A real key for the demo API: a client-credentials access token. */
async function demoKey() {
  const res = await fetch(`${stack.provider.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuthorization(DEMO_BASIC_CLIENT_ID, DEMO_CLIENT_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=contacts:read',
  });
  return (await res.json()).access_token;
}

test('a member chooses the key option: the picker sets `mode`, the form asks for the key', { timeout: 60000 }, async () => {
  const token = await stack.session(ORG, 'kim', 'member');
  const { page, errors, context, } = await newPage(browser);
  await openConsole(page, stack.origin, token);
  const card = cardFor(page, 'Demo Modes');
  await card.getByRole('button', { name: 'Connect' }).click();
  const picker = card.getByLabel('Sign-in method');
  await picker.waitFor();
  assert.deepEqual(await picker.locator('option').allTextContents(), ['key (api key)', 'sso (oauth2)']);
  await picker.selectOption('key');
  const form = card.getByRole('form', { name: 'Connect Demo Modes' });
  assert.equal(await form.getByLabel('API key').getAttribute('type'), 'password');
  assert.equal(await form.getByLabel('Provider URL').count(), 0, 'the app sets it');
  await screenshot(page, 'multi-key-form');
  await form.getByLabel('API key').fill(await demoKey());
  await form.getByRole('button', { name: 'Connect' }).click();
  await card.getByTestId('notice').getByText('Connected', { exact: true }).waitFor({ timeout: 15000 });
  assert.equal(await card.getByTestId('status').textContent(), 'Connected');

  // The proxy applies the key option's credentials: the demo API knows the client.
  const proxied = await stack.call('GET', `/proxy/${app.id}/me`, { token });
  assert.equal(proxied.status, 200, proxied.text);
  assert.equal(proxied.data.id, DEMO_BASIC_CLIENT_ID);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('a member chooses the oauth2 option: the popup connects through it', { timeout: 90000 }, async () => {
  const token = await stack.session(ORG, 'bob', 'member');
  const { page, errors, context } = await newPage(browser);
  await openConsole(page, stack.origin, token);
  const card = cardFor(page, 'Demo Modes');
  await card.getByRole('button', { name: 'Connect' }).click();
  await card.getByLabel('Sign-in method').selectOption('sso');
  await card.getByRole('button', { name: 'Continue with sign-in' }).click();
  await card.getByTestId('prompt').waitFor();
  const popupPromise = page.waitForEvent('popup');
  await card.getByRole('button', { name: 'Continue' }).click();
  const popup = await popupPromise;
  const closed = popup.waitForEvent('close', { timeout: 15000 });
  await consentInPopup(popup, { login: 'bob' });
  await closed;
  await card.getByTestId('notice').getByText(/^Connected as /).waitFor({ timeout: 15000 });
  assert.equal(await card.getByTestId('status').textContent(), 'Connected');

  const proxied = await stack.call('GET', `/proxy/${app.id}/me`, { token });
  assert.equal(proxied.status, 200, proxied.text);
  assert.equal(proxied.data.id, 'bob');
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});
