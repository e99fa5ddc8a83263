// The admin's Webhooks view (SPEC §9) in real Chromium against real workerd
// and a real receiver on loopback: an invalid URL is reported at its field;
// a new webhook's secret is shown once (and is the one that signs what the
// receiver gets), copied, then gone from the page; deliveries are listed;
// delete asks first; a member gets neither the tab nor the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  startStack, launchBrowser, newPage, openConsole, screenshot, realErrors,
} from './fixtures/browser_harness.mjs';
import { serve } from '../../demo/http-server.mjs';

const ORG = 'hooks-org';
let stack;
let browser;
let receiver;
let app;
const received = []; // {headers, body}

before(async () => {
  // CONNAUTH_DEV: what scripts/dev sets; it lets a webhook be a loopback http URL (SPEC §9).
  stack = await startStack({ org: ORG, bindings: { CONNAUTH_DEV: '1' } });
  app = (await stack.seedDemo({ only: ['demo_client_credentials'] })).demo_client_credentials;
  receiver = await serve((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await receiver?.stop();
  await stack?.dispose();
});

const hooks = (page) => page.locator('connauth-webhooks');

/** Everything a page shows, input values included, through shadow roots. */
function pageText(page) {
  return page.evaluate(() => {
    const parts = [];
    const walk = (root) => root.querySelectorAll('*').forEach((el) => {
      if (el.shadowRoot) walk(el.shadowRoot);
      if ('value' in el && typeof el.value === 'string') parts.push(el.value);
    });
    walk(document);
    const text = (root) => [...root.querySelectorAll('*')].map((el) => (el.shadowRoot ? text(el.shadowRoot) : '')).join(' ') + root.textContent;
    return parts.join(' ') + text(document);
  });
}

/** Standard Webhooks: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the secret's bytes>. */
function signatureOk(secret, headers, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = crypto.createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
  return String(headers['webhook-signature']).split(' ').some((s) => s === `v1,${expected}`);
}

test('add a webhook: field error, the secret once (and it signs the deliveries), deliveries, delete', { timeout: 90000 }, async () => {
  const { page, errors, context } = await newPage(browser);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.origin });
  await openConsole(page, stack.origin, stack.admin, 'webhooks');
  await hooks(page).getByRole('heading', { name: 'Webhooks (0)' }).waitFor();

  // Not https (and not loopback): the edge refuses it, the form says so at the URL.
  const url = hooks(page).getByLabel('Endpoint URL');
  await url.fill('http://hooks.example.com/connauth');
  await hooks(page).getByRole('button', { name: 'Add webhook' }).click();
  await hooks(page).locator('#webhook-url[aria-invalid="true"]').waitFor();
  assert.match(await hooks(page).locator('#webhook-url-err').textContent(), /https/);
  assert.equal(await url.inputValue(), 'http://hooks.example.com/connauth', 'what was typed stays');
  await screenshot(page, 'webhooks-url-error');

  await url.fill(`${receiver.url}/hooks/connauth`);
  await hooks(page).getByLabel('app.updated').check();
  await hooks(page).getByRole('button', { name: 'Add webhook' }).click();
  const shown = hooks(page).getByTestId('secret');
  await shown.waitFor();
  const secret = await shown.getByLabel('Signing secret').inputValue();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/);
  await shown.getByRole('button', { name: 'Copy' }).click();
  await shown.getByRole('button', { name: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  await screenshot(page, 'webhooks-secret-once');
  const row = hooks(page).locator('li[data-webhook]');
  assert.match(await row.textContent(), /hooks\/connauth.*app\.updated/s);

  await shown.getByRole('button', { name: 'I have stored it' }).click();
  await shown.waitFor({ state: 'detached' });
  await page.evaluate(() => navigator.clipboard.writeText(''));
  assert.ok(!(await pageText(page)).includes(secret), 'the secret is gone from the page');
  const listed = await stack.call('GET', '/api/webhooks', { token: stack.admin });
  assert.ok(!listed.text.includes(secret), 'and the API never answers it again');

  // An admin change: the receiver gets it, signed with the secret the page showed.
  const patched = await stack.call('PATCH', `/api/apps/${app.id}`, { token: stack.admin, json: { description: 'Contacts, service account' } });
  assert.equal(patched.status, 200, patched.text);
  const deadline = Date.now() + 30000;
  while (!received.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.equal(received.length, 1, 'one delivery');
  assert.equal(JSON.parse(received[0].body).type, 'app.updated');
  assert.ok(signatureOk(secret, received[0].headers, received[0].body), 'signed with the secret shown once');

  await row.getByRole('button', { name: 'Deliveries' }).click();
  const delivery = row.locator('tr[data-delivery]');
  await delivery.first().waitFor();
  assert.match(await delivery.first().textContent(), /app\.updated/);
  assert.match(await delivery.first().textContent(), new RegExp(received[0].headers['webhook-id']));
  await screenshot(page, 'webhooks-deliveries');

  await row.getByRole('button', { name: /^Delete webhook/ }).click();
  const dialog = hooks(page).locator('dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /no longer sent/);
  await dialog.getByRole('button', { name: 'Delete webhook' }).click();
  await hooks(page).getByTestId('notice').getByText(/deleted/).waitFor();
  assert.equal(await row.count(), 0);
  assert.deepEqual((await stack.call('GET', '/api/webhooks', { token: stack.admin })).data.webhooks, []);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('a member gets no Webhooks or Audit tab, and the API refuses them', async () => {
  const member = await stack.session(ORG, 'mia', 'member');
  const { page, context } = await newPage(browser);
  await openConsole(page, stack.origin, member, 'webhooks');
  assert.deepEqual((await page.locator('connauth-console nav.tabs a').allTextContents()).map((t) => t.trim()), ['Connections']);
  await page.locator('connauth-console connauth-connections').waitFor();
  assert.equal(await page.locator('connauth-console connauth-webhooks').count(), 0);
  for (const path of ['/api/webhooks', '/api/audit']) assert.equal((await stack.call('GET', path, { token: member })).status, 403, path);
  assert.equal((await stack.call('POST', '/api/webhooks', { token: member, json: { url: 'https://example.com/h' } })).status, 403);
  await context.close();
});
