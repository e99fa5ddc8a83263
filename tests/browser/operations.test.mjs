// The admin's operations views (SPEC §9) in real Chromium against real
// workerd. Health: connections made lost and degraded for real (a revoked
// API key, a provider outage) come first with their cause and action;
// filters by status, app and user; paging; the link to the app; empty and
// error states; a member gets neither the tab nor the API. Audit: newest
// first, field names without values, paging.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, launchBrowser, newPage, openConsole, screenshot, realErrors, focused,
} from './fixtures/browser_harness.mjs';
import { basicAuthorization } from '../../demo/client-auth.mjs';
import { DEMO_BASIC_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../demo/provider-config.mjs';

const ORG = 'ops-org';
let stack;
let browser;
let keysApp;
let serviceApp;

// An api_key connector for the demo API: the key is a bearer token.
const apiKeyConnector = {
  name: 'demo_api_key',
  title: 'Demo API (key)',
  connection: {
    fields: [{ name: 'api_key', label: 'API key', secret: true }, { name: 'api_url', label: 'API URL' }],
    base_uri: '{{connection.api_url}}/api/',
  },
  authorization: { type: 'api_key', apply: [{ headers: { Authorization: 'Bearer {{connection.api_key}}' } }] },
  test: { method: 'GET', url: 'me' },
};

/** A real key for the demo API: a client-credentials access token of the demo provider. */
async function demoKey() {
  const res = await fetch(`${stack.provider.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuthorization(DEMO_BASIC_CLIENT_ID, DEMO_CLIENT_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=contacts:read',
  });
  return (await res.json()).access_token;
}

/** Revokes a key at the provider (RFC 7009): the demo API refuses it from then on. */
async function revoke(token) {
  const res = await fetch(stack.provider.endpoints.revocation, {
    method: 'POST',
    headers: { authorization: basicAuthorization(DEMO_BASIC_CLIENT_ID, DEMO_CLIENT_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(token)}`,
  });
  assert.equal(res.status, 200);
}

async function connectKey(user, key) {
  const token = await stack.session(ORG, user, 'member');
  const res = await stack.call('POST', `/api/apps/${keysApp.id}/connect`, { token, json: { fields: { api_key: key } } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.data.status, 'connected');
  return token;
}

before(async () => {
  stack = await startStack({ org: ORG });
  serviceApp = (await stack.seedDemo({ only: ['demo_client_credentials'] })).demo_client_credentials;
  assert.equal((await stack.call('PUT', '/api/connectors/demo_api_key', { token: stack.admin, json: apiKeyConnector })).status, 201);
  const created = await stack.call('POST', '/api/apps', { token: stack.admin, json: {
    name: 'Demo Keys', prompt: 'Paste a key so connauth can read your contacts.', connector: 'demo_api_key',
    settings: { api_url: stack.api.url },
  } });
  assert.equal(created.status, 201, created.text);
  keysApp = created.data;

  // carol: a working service-account connection.
  const carol = await stack.session(ORG, 'carol', 'member');
  assert.equal((await stack.call('POST', `/api/apps/${serviceApp.id}/connect`, { token: carol, json: { fields: {} } })).status, 200);

  // alice: her key is revoked; Check connection finds it rejected → lost.
  const aliceKey = await demoKey();
  const alice = await connectKey('alice', aliceKey);
  await revoke(aliceKey);
  const aliceCheck = await stack.call('POST', `/api/apps/${keysApp.id}/check`, { token: alice });
  assert.equal(aliceCheck.data.status, 'lost', aliceCheck.text);

  // bob: the provider is down, so the demo API cannot vouch for his key (503) → degraded.
  // It stays down: the edge retries a degraded connection by itself and
  // would find it recovered (SPEC §4).
  const bob = await connectKey('bob', await demoKey());
  await stack.provider.stop();
  const bobCheck = await stack.call('POST', `/api/apps/${keysApp.id}/check`, { token: bob });
  assert.equal(bobCheck.data.status, 'degraded', bobCheck.text);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.dispose();
});

const health = (page) => page.locator('connauth-health');
const rows = (page) => health(page).locator('tbody tr');

/** Waits for the list to settle: no loading state, then answers [{status, app, user}] in order. */
async function shown(page) {
  await page.waitForFunction(() => {
    const el = document.querySelector('connauth-console')?.shadowRoot.querySelector('connauth-health');
    return el && el.shadowRoot.querySelector('table, [data-testid="empty"], [data-testid="error"]') && !el.shadowRoot.querySelector('[aria-busy="true"]');
  });
  return rows(page).evaluateAll((trs) => trs.map((tr) => ({ status: tr.dataset.status, app: tr.dataset.app, user: tr.dataset.user })));
}

test('the admin sees lost and degraded connections first, each with its cause and what to do', { timeout: 60000 }, async () => {
  const { page, errors, context } = await newPage(browser);
  await openConsole(page, stack.origin, stack.admin);
  const tabs = await page.locator('connauth-console nav.tabs a').allTextContents();
  assert.ok(tabs.map((t) => t.trim()).includes('Health'), tabs.join());
  await page.locator('connauth-console nav.tabs a', { hasText: 'Health' }).click();
  const list = await shown(page);
  assert.deepEqual(list.map((r) => `${r.status}:${r.user}`), ['lost:alice', 'degraded:bob', 'connected:carol']);

  const lost = rows(page).nth(0);
  assert.equal(await lost.getByTestId('status').textContent(), 'Connection lost');
  assert.equal(await lost.locator('[data-cause]').getAttribute('data-cause'), 'credentials_rejected');
  assert.match(await lost.getByTestId('problem').textContent(), /Credentials rejected.*key or password was revoked.*What to do: Enter new credentials/s);
  assert.match(await lost.textContent(), /Demo Keys/);

  const degraded = rows(page).nth(1);
  assert.equal(await degraded.getByTestId('status').textContent(), 'Degraded');
  assert.equal(await degraded.locator('[data-cause]').getAttribute('data-cause'), 'provider_unavailable');
  assert.match(await degraded.getByTestId('problem').textContent(), /What to do: /);

  const healthy = rows(page).nth(2);
  assert.equal(await healthy.getByTestId('status').textContent(), 'Connected');
  assert.equal(await healthy.getByTestId('problem').count(), 0);
  assert.doesNotMatch(await healthy.locator('td').nth(5).textContent(), /never/, 'a working connection has a last success');

  assert.match(await health(page).getByTestId('summary').textContent(), /3 connections/);
  await screenshot(page, 'health-org-connections');
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('filters: status, app and user; the user link and the app link', { timeout: 60000 }, async () => {
  const { page, errors, context } = await newPage(browser);
  await openConsole(page, stack.origin, stack.admin, 'health');
  await shown(page);

  await health(page).getByLabel('Status').selectOption('degraded');
  assert.deepEqual((await shown(page)).map((r) => r.user), ['bob']);
  await health(page).getByLabel('Status').selectOption('');
  await health(page).getByLabel('App').selectOption({ label: 'Demo CRM (service account)' });
  assert.deepEqual((await shown(page)).map((r) => r.user), ['carol']);

  // Nothing matches: the empty state says so and clears the filters.
  await health(page).getByLabel('Status').selectOption('lost');
  assert.deepEqual(await shown(page), []);
  assert.match(await health(page).getByTestId('empty').textContent(), /No connections match these filters/);
  await health(page).getByRole('button', { name: 'Clear filters' }).click();
  assert.equal((await shown(page)).length, 3);

  // A user's name filters to that user; typing one does the same.
  await rows(page).filter({ hasText: 'bob' }).getByRole('button', { name: 'bob' }).click();
  assert.deepEqual((await shown(page)).map((r) => r.user), ['bob']);
  assert.equal(await health(page).getByLabel('User').inputValue(), 'bob');
  await health(page).getByLabel('User').fill('alice');
  await health(page).getByLabel('User').press('Enter');
  assert.deepEqual((await shown(page)).map((r) => `${r.status}:${r.user}`), ['lost:alice']);
  await screenshot(page, 'health-filtered-user');
  await health(page).getByRole('button', { name: 'Clear filters' }).click();
  await shown(page);

  // The app's name leads to the app in the Apps view.
  await rows(page).nth(0).getByRole('link', { name: 'Demo Keys' }).click();
  const selected = page.locator('connauth-apps li.app-row[aria-current="true"]');
  await selected.waitFor();
  assert.equal(await selected.getAttribute('data-app'), keysApp.id);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('paging: one row a page, still lost first, then "Show more" to the end', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser);
  await openConsole(page, stack.origin, stack.admin, 'health');
  await shown(page);
  await health(page).evaluate((el) => { el.setAttribute('page-size', '1'); el.load(); });
  assert.deepEqual((await shown(page)).map((r) => r.user), ['alice']);
  const more = health(page).getByRole('button', { name: 'Show more' });
  await more.click();
  assert.deepEqual((await shown(page)).map((r) => r.user), ['alice', 'bob']);
  await more.click();
  assert.deepEqual((await shown(page)).map((r) => r.user), ['alice', 'bob', 'carol']);
  // Whatever pages remain (statuses with nothing in them) are read on the next
  // press, and then there is no more: the focus goes to a row, not to the page.
  if (await more.count()) {
    await more.focus();
    await page.keyboard.press('Enter');
  }
  assert.deepEqual((await shown(page)).map((r) => r.user), ['alice', 'bob', 'carol']);
  assert.equal(await more.count(), 0);
  assert.match(await focused(page), /^user-.*-carol$/);
  await context.close();
});

test('an unreachable service shows an error with Try again', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser);
  await openConsole(page, stack.origin, stack.admin);
  await context.route('**/api/connections?*', (route) => route.abort('connectionrefused'));
  await page.evaluate(() => { location.hash = '#/health'; });
  await shown(page);
  const error = health(page).getByTestId('error');
  assert.match(await error.textContent(), /Could not load the connections.*could not be reached/s);
  await context.unroute('**/api/connections?*');
  await error.getByRole('button', { name: 'Try again' }).click();
  assert.equal((await shown(page)).length, 3);
  await context.close();
});

test('a member gets no Health tab, and the API refuses them', { timeout: 60000 }, async () => {
  const member = await stack.session(ORG, 'alice', 'member');
  const { page, context } = await newPage(browser);
  await openConsole(page, stack.origin, member, 'health');
  const tabs = await page.locator('connauth-console nav.tabs a').allTextContents();
  assert.deepEqual(tabs.map((t) => t.trim()), ['Connections']);
  await page.locator('connauth-console connauth-connections').waitFor();
  assert.equal(await page.locator('connauth-console connauth-health').count(), 0);
  const answer = await stack.call('GET', '/api/connections', { token: member });
  assert.equal(answer.status, 403);
  await context.close();
});

test('the audit log: newest first, which fields changed and never their values, paging', { timeout: 60000 }, async () => {
  const changed = await stack.call('PATCH', `/api/apps/${keysApp.id}`, { token: stack.admin, json: { description: 'Keys for the contacts API', client_secret: 'audit-must-not-show-this' } });
  assert.equal(changed.status, 200, changed.text);
  const { page, errors, context } = await newPage(browser);
  await openConsole(page, stack.origin, stack.admin, 'audit');
  const audit = page.locator('connauth-audit');
  const entries = audit.locator('tbody tr');
  await entries.first().waitFor();
  const actions = await entries.evaluateAll((trs) => trs.map((tr) => tr.dataset.action));
  assert.equal(actions[0], 'app.updated', actions.join());
  assert.ok(actions.indexOf('app.created') > 0 && actions.includes('connector.updated'), actions.join());
  const newest = entries.first();
  assert.match(await newest.textContent(), /ada.*app.updated.*Demo Keys/s);
  assert.deepEqual((await newest.locator('.chip').allTextContents()).sort(), ['client_secret', 'description']);
  assert.doesNotMatch(await audit.evaluate((el) => el.shadowRoot.textContent), /audit-must-not-show-this/);
  await screenshot(page, 'audit-log');

  // One entry a page: "Show more" walks the same entries in the same order.
  await audit.evaluate((el) => { el.setAttribute('page-size', '1'); el.load(); });
  const more = audit.getByRole('button', { name: 'Show more' });
  for (let n = 1; n < actions.length; n++) {
    await more.click();
    await entries.nth(n).waitFor();
  }
  await page.waitForFunction(() => !document.querySelector('connauth-console').shadowRoot.querySelector('connauth-audit').shadowRoot.querySelector('[aria-busy]'));
  assert.deepEqual(await entries.evaluateAll((trs) => trs.map((tr) => tr.dataset.action)), actions);
  assert.equal(await more.count(), 0);
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});
