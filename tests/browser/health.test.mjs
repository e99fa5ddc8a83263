// Connection health for apps that take field values (api_key, custom_auth):
// the connect form with field-level errors, Check connection with its
// progress state, Disconnect with its confirmation, and the history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, launchBrowser, newPage, openConsole, screenshot, cardFor, focused, realErrors,
} from './fixtures/browser_harness.mjs';
import { basicAuthorization } from '../../demo/client-auth.mjs';
import { DEMO_BASIC_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../demo/provider-config.mjs';

const ORG = 'health-org';
let stack;
let browser;

// An api_key connector for the demo API: the key is a bearer token.
const apiKeyConnector = {
  name: 'demo_api_key',
  title: 'Demo API (key)',
  connection: {
    fields: [
      { name: 'api_key', label: 'API key', secret: true, hint: 'Create one in the demo provider.' },
      { name: 'api_url', label: 'API URL' },
    ],
    base_uri: '{{connection.api_url}}/api/',
  },
  authorization: { type: 'api_key', apply: [{ headers: { Authorization: 'Bearer {{connection.api_key}}' } }], refresh_on: [401] },
  test: { method: 'GET', url: 'me' },
};

before(async () => {
  stack = await startStack({ org: ORG });
  await stack.seedDemo({ only: ['demo_client_credentials'] });
  assert.equal((await stack.call('PUT', '/api/connectors/demo_api_key', { token: stack.admin, json: apiKeyConnector })).status, 201);
  const app = await stack.call('POST', '/api/apps', { token: stack.admin, json: {
    name: 'Demo Keys', prompt: 'Paste a key so connauth can read your contacts.', connector: 'demo_api_key',
    settings: { api_url: stack.api.url },
  } });
  assert.equal(app.status, 201, app.text);
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

test('api_key: the form shows the prompt and field errors, then connects with a working key', { timeout: 60000 }, async () => {
  const { page, errors, context } = await newPage(browser);
  // An admin's console knows the connector, so it asks for the fields directly.
  await openConsole(page, stack.origin, stack.admin);
  const card = cardFor(page, 'Demo Keys');
  await card.getByRole('button', { name: 'Connect' }).click();
  const form = card.getByRole('form', { name: 'Connect Demo Keys' });
  await form.waitFor();
  assert.match(await form.textContent(), /Paste a key so connauth can read your contacts/);
  assert.equal(await focused(page), 'f-api_key');
  assert.equal(await form.getByLabel('API key').getAttribute('type'), 'password');
  assert.equal(await form.getByLabel('API URL').count(), 0, 'the app sets the API URL');

  await form.getByRole('button', { name: 'Connect' }).click();
  await form.locator('#f-api_key-err').waitFor();
  assert.match(await form.locator('#f-api_key-err').textContent(), /required/);
  assert.equal(await form.getByLabel('API key').getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'health-form-errors');

  // A key the API refuses: the edge runs the connector's test before connecting.
  await form.getByLabel('API key').fill('not-a-valid-key');
  await form.getByRole('button', { name: 'Connect' }).click();
  await page.waitForFunction(() => {
    const host = document.querySelector('connauth-console').shadowRoot.querySelector('connauth-connections').shadowRoot;
    const cards = [...host.querySelectorAll('connauth-connect')];
    return cards.some((c) => c.shadowRoot.querySelector('form [role="alert"], form [aria-invalid="true"]'));
  });
  assert.notEqual(await card.getByTestId('status').textContent(), 'Connected');
  await screenshot(page, 'health-form-rejected');

  await form.getByLabel('API key').fill(await demoKey());
  await form.getByRole('button', { name: 'Connect' }).click();
  await card.getByTestId('notice').getByText('Connected', { exact: true }).waitFor({ timeout: 15000 });
  assert.equal(await card.getByTestId('status').textContent(), 'Connected');
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('Check connection shows its progress and result; Disconnect asks first and keeps the history', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser);
  await openConsole(page, stack.origin, stack.admin);
  const card = cardFor(page, 'Demo CRM (service account)');
  await card.getByRole('button', { name: 'Connect' }).click();
  const form = card.getByRole('form', { name: 'Connect Demo CRM (service account)' });
  assert.match(await form.textContent(), /Nothing to enter/);
  await form.getByRole('button', { name: 'Connect' }).click();
  await card.getByTestId('notice').waitFor({ timeout: 15000 });
  assert.equal(await card.getByTestId('status').textContent(), 'Connected');

  // Slow the check down so its progress state is visible.
  await context.route('**/check', async (route) => {
    await new Promise((r) => setTimeout(r, 700));
    await route.continue();
  });
  await card.getByRole('button', { name: 'Check connection' }).click();
  await card.getByTestId('progress').getByText('Checking the connection…').waitFor();
  assert.equal(await card.locator('article').getAttribute('aria-busy'), 'true');
  await screenshot(page, 'health-checking');
  await card.getByTestId('notice').getByText('Connection works').waitFor({ timeout: 15000 });
  assert.equal(await focused(page), 'check', 'the focus stays on the button');

  await card.getByRole('button', { name: 'Disconnect' }).click();
  const dialog = card.locator('dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /stored credentials.*are deleted/);
  assert.equal(await focused(page), 'dialog-cancel', 'a destructive dialog starts on Cancel');
  await screenshot(page, 'health-confirm-disconnect');
  await dialog.getByRole('button', { name: 'Disconnect' }).click();
  await card.getByTestId('notice').getByText('Disconnected').waitFor();
  assert.equal(await card.getByTestId('status').textContent(), 'Not connected');
  await card.getByText(/History \(\d+\)/).click();
  assert.match(await card.locator('details.history').textContent(), /Connected → Not connected/);
  await screenshot(page, 'health-disconnected');
  await context.close();
});
