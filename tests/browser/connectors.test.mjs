// The connector editor in real Chromium: live validation by the engine with
// each problem shown at its JSON pointer, save as a new version, the version
// list with view and restore, and the apply preview.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  startStack, launchBrowser, newPage, openConsole, screenshot, realErrors,
} from './fixtures/browser_harness.mjs';
import { loadConnector } from '../../demo/catalog.mjs';

const ORG = 'connectors-org';
let stack;
let browser;
let page;
let errors;

before(async () => {
  stack = await startStack({ org: ORG });
  await stack.seedDemo({ only: ['demo_oauth'] });
  browser = await launchBrowser();
  ({ page, errors } = await newPage(browser, { viewport: { width: 1360, height: 1000 } }));
  await openConsole(page, stack.origin, stack.admin, 'connectors');
  await editor().locator('textarea#definition').waitFor();
  await editor().locator('#validation-status').getByText('Valid oauth2 connector "demo_oauth"').waitFor();
});

after(async () => {
  await browser?.close();
  await stack?.dispose();
});

const editor = () => page.locator('connauth-connectors');
const textarea = () => editor().locator('textarea#definition');
const problems = () => editor().locator('ul.problems button');
const preview = () => editor().locator('connauth-apply-preview');

async function setDefinition(definition) {
  await textarea().fill(typeof definition === 'string' ? definition : `${JSON.stringify(definition, null, 2)}\n`);
}

test('problems appear live at their JSON pointer, with line and column', { timeout: 60000 }, async () => {
  const broken = loadConnector('demo_oauth');
  broken.authorization.type = 'oauth3';
  broken.authorization.refresh_on = [401, { regex: '(unclosed' }];
  await setDefinition(broken);
  await problems().first().waitFor();
  const items = await problems().allTextContents();
  assert.ok(items.some((t) => t.includes('/authorization/type')), items.join('\n'));
  assert.ok(items.some((t) => t.includes('/authorization/refresh_on/1/regex') && /regex/.test(t)), items.join('\n'));
  assert.match(await editor().locator('#validation-status').textContent(), /problem/);
  assert.equal(await textarea().getAttribute('aria-invalid'), 'true');
  assert.equal(await editor().getByRole('button', { name: 'Save as new version' }).isEnabled(), false);
  assert.ok(await editor().locator('.code pre mark').count() >= 2, 'the ranges are marked in the text');
  assert.ok(await editor().locator('.gutter .bad').count() >= 1, 'the lines are marked in the gutter');

  // The problem's line:column is where the pointer is in the text.
  const typeProblem = problems().filter({ hasText: '/authorization/type' });
  const where = (await typeProblem.locator('.where').textContent()).split(':').map(Number);
  const text = await textarea().inputValue();
  const line = text.split('\n')[where[0] - 1];
  assert.match(line, /"type": "oauth3"/);
  // Clicking it selects that member in the editor.
  await typeProblem.click();
  const selected = await textarea().evaluate((ta) => ta.value.slice(ta.selectionStart, ta.selectionEnd));
  assert.match(selected, /"type": "oauth3"/);
  await screenshot(page, 'connectors-live-problems');

  // A syntax error is shown where the parser stopped.
  await setDefinition(text.replace('"title":', '"title" '));
  await problems().filter({ hasText: 'invalid JSON' }).waitFor();
  const syntax = (await problems().first().locator('.where').textContent()).split(':').map(Number);
  assert.match((await textarea().inputValue()).split('\n')[syntax[0] - 1], /"title" /);
});

test('save makes a new version; view and restore an old one', { timeout: 60000 }, async () => {
  const v2 = loadConnector('demo_oauth');
  v2.title = 'Demo OAuth, version two';
  await setDefinition(v2);
  await editor().getByText('Unsaved changes').waitFor();
  await editor().getByRole('button', { name: 'Save as new version' }).click();
  await editor().getByTestId('notice').getByText('Saved demo_oauth as version 2.').waitFor();
  const versions = editor().locator('ol.versions li');
  assert.equal(await versions.count(), 2);
  assert.match(await versions.first().textContent(), /Version 2.*Current/);
  assert.equal((await stack.call('GET', '/api/connectors/demo_oauth', { token: stack.admin })).data.definition.title, 'Demo OAuth, version two');

  await editor().getByRole('button', { name: 'View version 1' }).click();
  await editor().getByText('Viewing version 1 (read-only).').waitFor();
  assert.equal(await textarea().getAttribute('readonly'), '');
  assert.doesNotMatch(await textarea().inputValue(), /version two/);
  await screenshot(page, 'connectors-view-version');

  await editor().getByRole('button', { name: 'Restore this version' }).click();
  const dialog = editor().locator('dialog[open]');
  assert.match(await dialog.textContent(), /becomes the current one, saved as a new version after 2/);
  await dialog.getByRole('button', { name: 'Restore version 1' }).click();
  await editor().getByTestId('notice').getByText('Version 1 restored as version 3.').waitFor();
  assert.equal(await versions.count(), 3);
  assert.match(await versions.first().textContent(), /Version 3.*Current.*restored from version 1/s);
  const current = await stack.call('GET', '/api/connectors/demo_oauth', { token: stack.admin });
  assert.equal(current.data.version, 3);
  assert.equal(current.data.definition.title, loadConnector('demo_oauth').title);
  await screenshot(page, 'connectors-restored');
});

test('apply preview: signing rules sign the previewed request as the edge would (OAuth 1.0a, SigV4)', { timeout: 60000 }, async () => {
  const catalogEntry = (name) => JSON.parse(readFileSync(new URL(`../../connectors/catalog/${name}.json`, import.meta.url), 'utf8'));
  const p = preview();
  await setDefinition(catalogEntry('trello'));
  await editor().locator('#validation-status').getByText(/Valid api key connector "trello"/).waitFor();
  await p.getByLabel('Verb').selectOption('GET');
  await p.getByLabel('URL').fill('members/me');
  const header = () => p.locator('[data-testid="preview-added"] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.textContent)).find((r) => r[1] === 'Authorization')?.[2] ?? '');
  await page.waitForFunction(() => /oauth_signature=/.test(document.querySelector('connauth-console').shadowRoot
    .querySelector('connauth-connectors').shadowRoot.querySelector('connauth-apply-preview').shadowRoot.textContent));
  assert.match(await header(), /^OAuth .*oauth_signature_method="HMAC-SHA1".*oauth_signature="[^"]+"/);

  await setDefinition(catalogEntry('aws'));
  await editor().locator('#validation-status').getByText(/Valid api key connector "aws"/).waitFor();
  await p.getByLabel('URL').fill('https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15');
  await page.waitForFunction(() => /AWS4-HMAC-SHA256/.test(document.querySelector('connauth-console').shadowRoot
    .querySelector('connauth-connectors').shadowRoot.querySelector('connauth-apply-preview').shadowRoot.textContent));
  assert.match(await header(), /^AWS4-HMAC-SHA256 Credential=.*\/us-east-1\/sts\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}/);
  await setDefinition(loadConnector('demo_oauth'));
  await editor().locator('#validation-status').getByText('Valid oauth2 connector "demo_oauth"').waitFor();
});

test('apply preview: the headers, params and payload the edge would add, with placeholders only', { timeout: 60000 }, async () => {
  const withRules = loadConnector('demo_oauth');
  withRules.authorization.apply = [
    { headers: { Authorization: 'Bearer {{access_token}}' } },
    { params: { client: '{{client_id}}' } },
    { when: { verb: ['POST', 'PUT', 'PATCH'] }, payload: { source: 'connauth' } },
    { when: { url: { prefix: `${stack.api.url}/api/contacts` } }, headers: { 'X-Scope': '{{scopes}}' } },
  ];
  await setDefinition(withRules);
  await editor().locator('#validation-status').getByText('Valid oauth2 connector "demo_oauth"').waitFor();
  const p = preview();
  await p.getByLabel('Settings from app').selectOption({ label: 'Demo CRM' });
  await p.getByLabel('Verb').selectOption('POST');
  await p.getByLabel('URL').fill('contacts?page=2');
  await p.getByLabel(/^Request headers/).fill('Content-Type: application/json');
  await p.getByLabel(/^Body/).fill('{"name": "Ada"}');
  await p.getByTestId('preview-added').waitFor();
  await page.waitForTimeout(300);

  const url = await p.getByTestId('preview-url').textContent();
  assert.equal(url, `POST${stack.api.url}/api/contacts?page=2&client=demo-client`);
  assert.equal(await p.locator('[data-testid="preview-url"] mark').textContent(), 'client=demo-client');
  const rows = await p.locator('[data-testid="preview-added"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const find = (kind, name) => rows.find((r) => r[0].toLowerCase() === kind && r[1] === name);
  assert.match(find('header', 'Authorization')[2], /^Bearer <access_token>added/);
  assert.match(find('header', 'X-Scope')[2], /openid offline_access contacts:read contacts:write/);
  assert.match(find('query param', 'client')[2], /demo-client/);
  assert.match(find('payload', 'source')[2], /"connauth"/);
  await screenshot(page, 'connectors-apply-preview');

  // A GET to another path: no payload, no X-Scope.
  await p.getByLabel('Verb').selectOption('GET');
  await p.getByLabel('URL').fill('me');
  await page.waitForFunction(() => {
    const el = document.querySelector('connauth-console').shadowRoot.querySelector('connauth-connectors').shadowRoot
      .querySelector('connauth-apply-preview').shadowRoot.querySelector('[data-testid="preview-url"]');
    return el && el.textContent.startsWith('GET');
  });
  const getRows = await p.locator('[data-testid="preview-added"] tbody tr').allTextContents();
  assert.ok(!getRows.some((r) => /X-Scope|source/.test(r)), getRows.join('\n'));

  // A template value nobody sets: the preview says the edge would not send it.
  withRules.authorization.apply.push({ headers: { 'X-Tenant': '{{connection.tenant_id}}' } });
  await setDefinition(withRules);
  await p.getByTestId('preview-problems').waitFor();
  assert.match(await p.getByTestId('preview-problems').textContent(), /connection\.tenant_id/);

  // Never a real credential: the page has no client secret to show.
  const html = await page.evaluate(() => {
    const texts = [];
    const walk = (root) => root.querySelectorAll('*').forEach((el) => {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (el.value) texts.push(el.value);
    });
    walk(document);
    return document.documentElement.outerHTML + texts.join('\n');
  });
  assert.doesNotMatch(html, /demo-secret/);
  assert.deepEqual(realErrors(errors), []);
});
