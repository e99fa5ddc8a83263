// The app form for a connector whose token requests are signed with the
// app's private key (client_auth private_key_jwt, SPEC §10): the console
// shows `private_key` (the engine's signing_keys) as a write-only secret
// setting although the connector declares no such field, and the stored key
// never comes back to the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, exportPKCS8 } from 'jose';
import { loadConnector } from '../../demo/catalog.mjs';
import { startStack, launchBrowser, newPage, openConsole, realErrors } from './fixtures/browser_harness.mjs';

const ORG = 'jwt-org';
let stack;
let browser;

before(async () => {
  stack = await startStack({ org: ORG });
  const oauth = loadConnector('demo_oauth');
  const put = await stack.call('PUT', '/api/connectors/demo_jwt', { token: stack.admin,
    json: { ...oauth, name: 'demo_jwt', authorization: { ...oauth.authorization, client_auth: 'private_key_jwt' } } });
  assert.equal(put.status, 201, put.text);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.dispose();
});

test('private_key is a write-only secret setting in the app form', { timeout: 60000 }, async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const pem = await exportPKCS8(privateKey);
  const body = pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
  const { page, context, errors } = await newPage(browser, { recordBodies: true });
  await openConsole(page, stack.origin, stack.admin, 'apps');
  const apps = page.locator('connauth-apps');
  await apps.getByRole('button', { name: 'New app' }).click();
  await apps.getByRole('button', { name: 'Start from blank' }).click(); // not a catalog provider (catalog.test.mjs)
  const dialog = page.locator('connauth-apps dialog[open]');
  await dialog.waitFor();
  await dialog.getByLabel(/^Name/).fill('Signed CRM');
  await dialog.getByLabel(/^Approval prompt/).fill('Allow connauth to read your CRM contacts.');
  await dialog.getByLabel(/^Connector/).selectOption('demo_jwt');
  const key = dialog.getByLabel(/^private_key/);
  await key.waitFor();
  assert.equal(await key.getAttribute('type'), 'password');
  await dialog.getByLabel(/^Client ID/).fill('jwt-ec');
  await dialog.getByLabel(/^Provider URL/).fill(stack.provider.issuer);
  await dialog.getByLabel(/^API URL/).fill(stack.api.url);
  await key.fill(pem); // an input keeps one line: the PEM's line breaks are dropped, which PEM allows
  await dialog.getByRole('button', { name: 'Create app' }).click();
  await dialog.waitFor({ state: 'detached' });

  const listed = await stack.call('GET', '/api/apps', { token: stack.admin });
  const app = listed.data.apps.find((a) => a.name === 'Signed CRM');
  assert.deepEqual(app.secret_settings, ['private_key']);
  assert.equal(app.settings.private_key, undefined);
  assert.ok(!listed.text.includes(body.slice(0, 40)));

  await apps.locator('li.app-row').filter({ hasText: 'Signed CRM' }).getByRole('button', { name: 'Edit' }).click();
  await dialog.waitFor();
  assert.equal(await dialog.getByLabel(/^private_key/).inputValue(), '', 'a stored key is never shown');
  assert.ok(!(await page.content()).includes(body.slice(0, 40)));
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});
