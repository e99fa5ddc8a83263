// The org admin's apps (SPEC §5) in real Chromium: create with field-level
// errors, edit, and what disable, enable, reset and delete do as seen by a
// member in another browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, launchBrowser, newPage, openConsole, screenshot, cardFor, focused, realErrors,
} from './fixtures/browser_harness.mjs';

const ORG = 'admin-org';
let stack;
let browser;
let admin; // {page, context} of the admin's console
let member; // {page, context} of a member's console
let memberToken;

before(async () => {
  stack = await startStack({ org: ORG });
  await stack.seedDemo({ only: ['demo_oauth', 'demo_client_credentials'] });
  browser = await launchBrowser();
  admin = await newPage(browser);
  member = await newPage(browser);
  memberToken = await stack.session(ORG, 'mia', 'member');
  await openConsole(admin.page, stack.origin, stack.admin, 'apps');
  await openConsole(member.page, stack.origin, memberToken);
});

after(async () => {
  await browser?.close();
  await stack?.dispose();
});

const apps = () => admin.page.locator('connauth-apps');
const row = (name) => apps().locator('li.app-row').filter({ has: admin.page.getByRole('heading', { name, exact: true }) });

async function memberView() {
  await member.page.reload();
  await member.page.locator('connauth-console main').waitFor();
  await member.page.locator('connauth-connections').waitFor();
  await member.page.waitForFunction(() => {
    const list = document.querySelector('connauth-console').shadowRoot.querySelector('connauth-connections');
    return list && !list.shadowRoot.querySelector('[aria-busy="true"]');
  });
}

async function confirm(page, buttonName, expectText) {
  const dialog = page.locator('connauth-apps dialog[open]');
  await dialog.waitFor();
  if (expectText) assert.match(await dialog.textContent(), expectText);
  await dialog.getByRole('button', { name: buttonName }).click();
  await dialog.waitFor({ state: 'detached' });
}

test('the member sees no admin views', async () => {
  const tabs = await member.page.locator('connauth-console nav.tabs a').allTextContents();
  assert.deepEqual(tabs.map((t) => t.trim()), ['Connections']);
  await member.page.evaluate(() => { location.hash = '#/apps'; });
  await member.page.locator('connauth-console connauth-connections').waitFor();
  assert.equal(await member.page.locator('connauth-console connauth-apps').count(), 0);
});

test('create an app: field-level errors first, then the member can connect it', { timeout: 60000 }, async () => {
  const { page } = admin;
  await apps().getByRole('button', { name: 'New app' }).click();
  await apps().getByRole('button', { name: 'Start from blank' }).click(); // not a catalog provider (catalog.test.mjs)
  const dialog = page.locator('connauth-apps dialog[open]');
  await dialog.waitFor();
  assert.equal(await focused(page), 'app-name');

  // Nothing filled in: the edge's problems appear under their fields.
  await dialog.getByLabel(/^Name/).fill('');
  await dialog.getByRole('button', { name: 'Create app' }).click();
  await dialog.locator('.field-error:not([hidden])').first().waitFor();
  assert.equal(await dialog.getByLabel(/^Name/).getAttribute('aria-invalid'), 'true');
  assert.equal(await dialog.getByLabel(/^Approval prompt/).getAttribute('aria-invalid'), 'true');
  assert.equal(await dialog.getByLabel(/^Connector/).getAttribute('aria-invalid'), 'true');
  assert.match(await dialog.textContent(), /is required/);
  assert.equal(await focused(page), 'app-name', 'the first field in error takes the focus');
  await screenshot(page, 'admin-app-form-errors');

  await dialog.getByLabel(/^Name/).fill('Team CRM');
  await dialog.getByLabel(/^Description/).fill('Contacts of the sales team');
  await dialog.getByLabel(/^Approval prompt/).fill('Allow connauth to read your CRM contacts for the weekly report.');
  await dialog.getByLabel(/^Connector/).selectOption('demo_oauth');
  await dialog.getByLabel(/^Provider URL/).waitFor();
  await dialog.getByLabel(/^Client ID/).fill('demo-client');
  await dialog.getByLabel(/^Client secret/).fill('demo-secret');
  await dialog.getByLabel(/^Scopes/).fill('openid offline_access contacts:read');
  await dialog.getByLabel(/^Provider URL/).fill(stack.provider.issuer);
  await dialog.getByLabel(/^API URL/).fill(stack.api.url);
  // A bad egress entry is reported at its line.
  await dialog.getByLabel(/^Allowed hosts/).fill('https://bad.example/path');
  await dialog.getByRole('button', { name: 'Create app' }).click();
  await dialog.getByLabel(/^Allowed hosts/).and(page.locator('[aria-invalid="true"]')).waitFor();
  assert.match(await dialog.textContent(), /no scheme or path/);
  await dialog.getByLabel(/^Allowed hosts/).fill('');
  await screenshot(page, 'admin-app-form-filled');
  await dialog.getByRole('button', { name: 'Create app' }).click();
  await dialog.waitFor({ state: 'detached' });

  await row('Team CRM').waitFor();
  assert.match(await row('Team CRM').textContent(), /secret set/);
  assert.doesNotMatch(await apps().evaluate((el) => el.shadowRoot.textContent), /demo-secret/);
  await screenshot(page, 'admin-apps-created');

  await memberView();
  const card = cardFor(member.page, 'Team CRM');
  await card.waitFor();
  assert.equal(await card.getByTestId('status').textContent(), 'Not connected');
  // The card reads its app's connect form (GET /api/apps/{id}) before Connect is enabled.
  await card.locator('article[aria-busy="false"]').waitFor();
  assert.equal(await card.getByRole('button', { name: 'Connect' }).isEnabled(), true);
});

test('edit keeps the write-only secret unless it is replaced', { timeout: 60000 }, async () => {
  const { page } = admin;
  await row('Team CRM').getByRole('button', { name: 'Edit' }).click();
  const dialog = page.locator('connauth-apps dialog[open]');
  await dialog.waitFor();
  const secret = dialog.getByLabel(/^Client secret/);
  assert.equal(await secret.inputValue(), '', 'a stored secret is never shown');
  assert.match(await secret.getAttribute('placeholder'), /stored/);
  await dialog.getByLabel(/^Description/).fill('Contacts of the whole company');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await dialog.waitFor({ state: 'detached' });
  await row('Team CRM').getByText(/whole company/).waitFor();
  assert.match(await row('Team CRM').textContent(), /secret set/);
});

test('operations settings: blank is the default; a value is stored and shown again', { timeout: 60000 }, async () => {
  const { page } = admin;
  const edit = async () => {
    await row('Team CRM').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.locator('connauth-apps dialog[open]');
    await dialog.waitFor();
    return dialog;
  };
  const save = async (dialog) => {
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
  };
  const stored = async () => {
    const list = await stack.call('GET', '/api/apps', { token: stack.admin });
    const app = list.data.apps.find((a) => a.name === 'Team CRM');
    return [app.lost_after_failures, app.backoff_base_seconds, app.backoff_cap_seconds, app.keepalive_seconds];
  };
  let dialog = await edit();
  const lost = dialog.getByLabel(/^Lost after failures/);
  assert.equal(await lost.inputValue(), '');
  assert.equal(await lost.getAttribute('placeholder'), 'default 12');
  await lost.fill('3');
  await dialog.getByLabel(/^Keep-alive/).fill('0');
  await save(dialog);
  assert.deepEqual(await stored(), [3, 2, 900, 0]);
  dialog = await edit();
  assert.equal(await dialog.getByLabel(/^Lost after failures/).inputValue(), '3');
  assert.equal(await dialog.getByLabel(/^Keep-alive/).inputValue(), '0');
  await dialog.getByLabel(/^Lost after failures/).fill('');
  await dialog.getByLabel(/^Keep-alive/).fill('5');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await dialog.locator('#app-keepalive_seconds-err').waitFor();
  assert.match(await dialog.locator('#app-keepalive_seconds-err').textContent(), /0 \(off\) or an integer from 10/);
  await dialog.getByLabel(/^Keep-alive/).fill('');
  await save(dialog);
  assert.deepEqual(await stored(), [12, 2, 900, 86400]);
});

test('disable: the member sees it disabled and cannot connect; enable brings it back', { timeout: 60000 }, async () => {
  await row('Team CRM').getByRole('button', { name: 'Disable' }).click();
  await screenshot(admin.page, 'admin-confirm-disable');
  await confirm(admin.page, 'Disable app', /stored tokens.*cannot be used/s);
  await row('Team CRM').getByText('Disabled', { exact: true }).waitFor();

  await memberView();
  const card = cardFor(member.page, 'Team CRM');
  assert.equal(await card.getByTestId('status').textContent(), 'Disabled by admin');
  assert.equal(await card.getByRole('button', { name: /Connect/ }).count(), 0);
  await screenshot(member.page, 'member-app-disabled');

  await row('Team CRM').getByRole('button', { name: 'Enable' }).click();
  await confirm(admin.page, 'Enable app');
  await row('Team CRM').getByText('Enabled', { exact: true }).waitFor();
  await memberView();
  assert.equal(await cardFor(member.page, 'Team CRM').getByTestId('status').textContent(), 'Not connected');
});

test('reset: every user\'s tokens go, the member must connect again', { timeout: 60000 }, async () => {
  // The member connects the service-account app (client credentials: nothing to enter).
  const listed = await stack.call('GET', '/api/apps', { token: memberToken });
  const service = listed.data.apps.find((a) => a.name === 'Demo CRM (service account)');
  const connected = await stack.call('POST', `/api/apps/${service.id}/connect`, { token: memberToken, json: { fields: {} } });
  assert.equal(connected.status, 200, connected.text);
  await memberView();
  const card = cardFor(member.page, 'Demo CRM (service account)');
  assert.equal(await card.getByTestId('status').textContent(), 'Connected');

  await row('Demo CRM (service account)').getByRole('button', { name: 'Reset' }).click();
  await confirm(admin.page, 'Reset all connections', /Every user's tokens.*deleted.*configuration stays/s);
  await apps().getByTestId('notice').getByText(/reset: every user must connect again/).waitFor();

  await memberView();
  assert.equal(await cardFor(member.page, 'Demo CRM (service account)').getByTestId('status').textContent(), 'Not connected');
  await screenshot(member.page, 'member-after-reset');
});

test('delete asks for the app\'s name, then the app is gone for everyone', { timeout: 60000 }, async () => {
  const { page } = admin;
  await row('Team CRM').getByRole('button', { name: 'Delete Team CRM' }).click();
  const dialog = page.locator('connauth-apps dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /client secret and every user's tokens are deleted/);
  assert.match(await dialog.textContent(), /cannot be undone/);
  const del = dialog.getByRole('button', { name: 'Delete app' });
  assert.equal(await del.isEnabled(), false, 'disabled until the name is typed');
  await dialog.getByLabel(/Type Team CRM to confirm/).fill('Team CRM');
  await screenshot(page, 'admin-confirm-delete');
  await del.click();
  await dialog.waitFor({ state: 'detached' });
  await apps().getByTestId('notice').getByText(/Team CRM deleted/).waitFor();
  assert.equal(await row('Team CRM').count(), 0);

  await memberView();
  assert.equal(await cardFor(member.page, 'Team CRM').count(), 0);
  await screenshot(member.page, 'member-after-delete');
  assert.deepEqual(realErrors(admin.errors), []);
  assert.deepEqual(realErrors(member.errors), []);
});
