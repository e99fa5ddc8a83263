// "New app" from the connector catalog in real Chromium, against the edge in
// workerd: the catalog is its own asset, fetched only when the picker opens;
// search by name and title (keyboard too) and the empty state; a chosen
// provider prefills the app form, and Create saves its connector and the app;
// a provider the org already has keeps the org's connector; a refused PUT and
// a missing catalog are explained; the connector editor starts from an entry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, launchBrowser, newPage, openConsole, screenshot, focused, realErrors,
} from './fixtures/browser_harness.mjs';
import { BUILD_ID, FILES } from '../../build/web/assets.mjs';

const ORG = 'catalog-org';
const CATALOG_PATH = `/assets/${BUILD_ID}/web/catalog.json`;
// The bundle's own catalog: what the console must offer.
const { entries } = JSON.parse(FILES['web/catalog.json'].text);
const byName = (name) => entries.find((e) => e.name === name);
// An OAuth provider to create an app with, another one saved behind the
// console's back, and a third for the editor.
const CHOSEN = byName('github') ?? entries.find((e) => e.type === 'oauth2');
const [OTHER, THIRD] = entries.filter((e) => e.name !== CHOSEN?.name);
const CLIENT_SECRET = 'catalog-test-client-secret-7f3a';

let stack;
let browser;
let admin; // {page, context, errors}
const catalogRequests = [];

before(async () => {
  assert.ok(CHOSEN && OTHER && THIRD, 'the catalog has an OAuth provider and at least two other entries');
  stack = await startStack({ org: ORG });
  await stack.seedDemo({ only: ['demo_oauth'] });
  browser = await launchBrowser();
  admin = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  admin.context.on('request', (request) => {
    if (new URL(request.url()).pathname.endsWith('/catalog.json')) catalogRequests.push(request.url());
  });
  await openConsole(admin.page, stack.origin, stack.admin, 'apps');
  await apps().getByRole('button', { name: 'New app' }).waitFor();
});

after(async () => {
  await browser?.close();
  await stack?.dispose();
});

const apps = (page = admin.page) => page.locator('connauth-apps');
const picker = (page = admin.page) => page.locator('[data-testid="catalog-picker"][open]');
const appForm = (page = admin.page) => page.locator('connauth-apps dialog[open]:not([data-testid="catalog-picker"])');
const row = (name) => apps().locator('li.app-row').filter({ has: admin.page.getByRole('heading', { name, exact: true }) });
const listed = async (page = admin.page) => picker(page).locator('li.catalog-entry h3').allTextContents();
const appsOfOrg = async () => (await stack.call('GET', '/api/apps', { token: stack.admin })).data.apps;

async function openPicker(page = admin.page) {
  await apps(page).getByRole('button', { name: 'New app' }).click();
  await picker(page).waitFor();
}

test('the catalog is one asset of the build, served as JSON and fetched only when New app opens', async () => {
  assert.deepEqual(catalogRequests, [], 'opening the console does not fetch the catalog');
  const immutable = await stack.call('GET', CATALOG_PATH);
  assert.equal(immutable.status, 200);
  assert.equal(immutable.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(immutable.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(immutable.headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual(immutable.data.entries.map((e) => e.name), entries.map((e) => e.name));
  const stable = await stack.call('GET', '/assets/web/catalog.json');
  assert.equal(stable.headers.get('cache-control'), 'public, no-cache');
  // Nothing of the catalog is in the modules the console loads first.
  const first = await stack.call('GET', `/assets/${BUILD_ID}/web/lib/catalog.mjs`);
  assert.doesNotMatch(first.text, new RegExp(CHOSEN.definition.authorization.token_url.replace(/[.?*+^$[\]\\(){}|-]/g, '\\$&')));

  await openPicker();
  await picker().locator('li.catalog-entry').first().waitFor();
  assert.deepEqual(catalogRequests.map((u) => new URL(u).pathname), [CATALOG_PATH]);
});

test('search by name or title, from the keyboard; no match says so', async () => {
  const { page } = admin;
  const search = picker().getByLabel('Search providers');
  assert.equal(await focused(page), 'catalog-search', 'the search box has the focus once the catalog is there');
  assert.equal((await listed()).length, entries.length, 'every provider before a search');
  await screenshot(page, 'catalog-new-app');

  await search.pressSequentially('zzq-nothing');
  await picker().getByTestId('catalog-empty').waitFor();
  assert.match(await picker().getByTestId('catalog-empty').textContent(), /No provider matches "zzq-nothing"/);
  assert.equal(await picker().locator('#catalog-count').textContent(), 'No provider matches "zzq-nothing"');
  assert.equal(await picker().getByRole('button', { name: 'Start from blank' }).isVisible(), true);
  await screenshot(page, 'catalog-search-empty');

  // The title, in any case, finds the provider; its name does too.
  await search.fill(CHOSEN.title.toUpperCase());
  await picker().locator(`li[data-entry="${CHOSEN.name}"]`).waitFor();
  let titles = await listed();
  assert.ok(titles.length >= 1 && titles.length < entries.length || entries.length === 1, titles.join(', '));
  assert.equal(titles[0], CHOSEN.title, 'a title that starts with the query comes first');
  await search.fill(CHOSEN.name);
  titles = await listed();
  assert.ok(titles.includes(CHOSEN.title));
  for (const title of titles) {
    const entry = entries.find((e) => e.title === title);
    assert.ok(`${entry.name} ${entry.title}`.toLowerCase().includes(CHOSEN.name), `${title} matches "${CHOSEN.name}"`);
  }
  const item = picker().locator(`li[data-entry="${CHOSEN.name}"]`);
  assert.equal(await item.getByTestId('auth-type').textContent(), 'OAuth 2.0');
  if (CHOSEN.documentation) {
    const link = item.getByRole('link', { name: /documentation/ });
    assert.equal(await link.getAttribute('href'), new URL(CHOSEN.documentation).href);
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  }
  await screenshot(page, 'catalog-search');

  // Down moves to the first Choose button, Up back to the search box.
  await search.press('ArrowDown');
  assert.equal(await focused(page), `choose-${titles.length ? entries.find((e) => e.title === titles[0]).name : ''}`);
  await page.keyboard.press('ArrowUp');
  assert.equal(await focused(page), 'catalog-search');
});

test('choosing a provider prefills the form; Create saves its connector and the app', { timeout: 60000 }, async () => {
  const { page } = admin;
  // Enter chooses the first match.
  await picker().getByLabel('Search providers').fill(CHOSEN.title);
  await picker().getByLabel('Search providers').press('Enter');
  await picker().waitFor({ state: 'detached' });
  const form = appForm();
  await form.waitFor();
  assert.equal(await form.getByLabel(/^Name/).inputValue(), CHOSEN.title);
  assert.equal(await form.getByLabel(/^Connector/).inputValue(), CHOSEN.name);
  assert.match(await form.getByLabel(/^Connector/).locator('option:checked').textContent(), /from the catalog/);
  assert.equal(await form.getByLabel(/^Scopes/).inputValue(), CHOSEN.scopes.join(' '));
  assert.notEqual(await form.getByLabel(/^Approval prompt/).inputValue(), '');
  const note = form.getByTestId('catalog-note');
  assert.match(await note.textContent(), new RegExp(`is added to your organisation's connectors`));
  assert.ok((await note.textContent()).includes(`${stack.origin}/oauth/callback`), 'the redirect URI to register');
  assert.equal(await note.getByTestId('catalog-description').textContent(), CHOSEN.description, 'what to set up, in the entry\'s words');
  assert.equal(await focused(page), 'app-client_id', 'what is left to enter has the focus');
  // The entry's fields are the app settings offered.
  for (const field of CHOSEN.fields) await form.locator(`[data-setting="${field.name}"]`).waitFor();

  await form.getByLabel(/^Client ID/).fill('catalog-client');
  await form.getByLabel(/^Client secret/).fill(CLIENT_SECRET);
  await screenshot(page, 'catalog-app-form');
  await form.getByRole('button', { name: 'Create app' }).click();
  await form.waitFor({ state: 'detached' });
  await row(CHOSEN.title).waitFor();
  assert.match(await apps().getByTestId('notice').textContent(), new RegExp(`with the catalog's connector ${CHOSEN.name}`));
  assert.match(await row(CHOSEN.title).textContent(), /secret set/);
  assert.doesNotMatch(await apps().evaluate((el) => el.shadowRoot.textContent), new RegExp(CLIENT_SECRET));

  const connector = await stack.call('GET', `/api/connectors/${CHOSEN.name}`, { token: stack.admin });
  assert.equal(connector.status, 200, connector.text);
  assert.equal(connector.data.current, 1);
  assert.deepEqual(connector.data.definition, CHOSEN.definition, 'the catalog\'s definition as it is');
  const app = (await appsOfOrg()).find((a) => a.name === CHOSEN.title);
  assert.equal(app.connector, CHOSEN.name);
  assert.equal(app.client_id, 'catalog-client');
  assert.equal(app.client_secret_set, true);
  assert.deepEqual(app.scopes, CHOSEN.scopes);
  assert.deepEqual(realErrors(admin.errors), []);
});

test('a provider the org already has: its connector is used, not replaced', { timeout: 60000 }, async () => {
  await openPicker();
  await picker().getByLabel('Search providers').fill(CHOSEN.name);
  const item = picker().locator(`li[data-entry="${CHOSEN.name}"]`);
  assert.match(await item.textContent(), /In your connectors · v1/);
  await item.getByRole('button', { name: 'Choose' }).click();
  const form = appForm();
  await form.waitFor();
  assert.match(await form.getByTestId('catalog-note').textContent(), new RegExp(`already has a connector named ${CHOSEN.name} \\(version 1\\): this app uses it`));
  assert.equal(await form.getByLabel(/^Connector/).inputValue(), CHOSEN.name);
  assert.doesNotMatch(await form.getByLabel(/^Connector/).locator('option:checked').textContent(), /from the catalog/);
  await form.getByLabel(/^Name/).fill(`${CHOSEN.title} (second)`);
  await form.getByLabel(/^Client ID/).fill('catalog-client-2');
  await form.getByRole('button', { name: 'Create app' }).click();
  await form.waitFor({ state: 'detached' });
  await row(`${CHOSEN.title} (second)`).waitFor();
  const connector = await stack.call('GET', `/api/connectors/${CHOSEN.name}`, { token: stack.admin });
  assert.equal(connector.data.current, 1, 'no new version');
});

test('a refused PUT is shown and no app is created', { timeout: 60000 }, async () => {
  // A connect-scope session (SPEC §8) may read apps but not write connectors: the edge refuses the PUT.
  const limited = await newPage(browser);
  const token = await stack.session(ORG, 'ada', 'admin', { scope: 'connect' });
  await openConsole(limited.page, stack.origin, token, 'apps');
  const before = (await appsOfOrg()).length;
  await openPicker(limited.page);
  await picker(limited.page).getByLabel('Search providers').fill(OTHER.name);
  await picker(limited.page).locator(`li[data-entry="${OTHER.name}"]`).getByRole('button', { name: 'Choose' }).click();
  const form = appForm(limited.page);
  await form.waitFor();
  await form.getByLabel(/^Client ID/).fill('never-used');
  await form.getByRole('button', { name: 'Create app' }).click();
  const refused = form.getByTestId('connector-refused');
  await refused.waitFor();
  assert.match(await refused.textContent(), new RegExp(`The connector ${OTHER.name} was not added: .*connect-scope`));
  assert.match(await refused.textContent(), /The app was not created/);
  assert.equal(await form.isVisible(), true, 'the form stays open with what was entered');
  assert.equal(await form.getByLabel(/^Client ID/).inputValue(), 'never-used');
  await screenshot(limited.page, 'catalog-put-refused');
  assert.equal((await appsOfOrg()).length, before);
  assert.equal((await stack.call('GET', `/api/connectors/${OTHER.name}`, { token: stack.admin })).status, 404);
  await limited.context.close();
});

test('a connector saved meanwhile under the same name is used, not replaced', { timeout: 60000 }, async () => {
  // The console listed the org's connectors before this one was saved (another admin, another tab).
  const own = { ...OTHER.definition, title: `${OTHER.title} (our own)` };
  const put = await stack.call('PUT', `/api/connectors/${OTHER.name}`, { token: stack.admin, json: own });
  assert.equal(put.status, 201, put.text);
  await openPicker();
  await picker().getByLabel('Search providers').fill(OTHER.name);
  await picker().locator(`li[data-entry="${OTHER.name}"]`).getByRole('button', { name: 'Choose' }).click();
  const form = appForm();
  await form.waitFor();
  await form.getByLabel(/^Client ID/).fill('catalog-client-3');
  await form.getByRole('button', { name: 'Create app' }).click();
  await form.waitFor({ state: 'detached' });
  await row(OTHER.title).waitFor();
  const connector = await stack.call('GET', `/api/connectors/${OTHER.name}`, { token: stack.admin });
  assert.equal(connector.data.current, 1);
  assert.deepEqual(connector.data.definition, own, 'the org\'s own definition stays');
  assert.equal((await appsOfOrg()).find((a) => a.name === OTHER.title).connector, OTHER.name);
});

test('a missing catalog is explained; Retry loads it; Start from blank stays available', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser);
  // The edge's real answer for an asset it does not have.
  await page.route('**/web/catalog.json', (route) => route.continue({ url: `${stack.origin}/assets/web/no-such-catalog.json` }));
  await openConsole(page, stack.origin, stack.admin, 'apps');
  await openPicker(page);
  const error = picker(page).getByTestId('catalog-error');
  await error.waitFor();
  assert.match(await error.textContent(), /Could not load the connector catalog.*HTTP 404/s);
  assert.equal(await picker(page).getByLabel('Search providers').isDisabled(), true);
  await screenshot(page, 'catalog-missing');

  await page.unroute('**/web/catalog.json');
  await picker(page).getByRole('button', { name: 'Retry' }).click();
  await picker(page).locator('li.catalog-entry').first().waitFor();

  await picker(page).getByRole('button', { name: 'Start from blank' }).click();
  const form = appForm(page);
  await form.waitFor();
  assert.equal(await form.getByLabel(/^Name/).inputValue(), '');
  assert.equal(await form.getByLabel(/^Connector/).inputValue(), '');
  assert.equal(await form.getByTestId('catalog-note').count(), 0);
  await context.close();
});

test('the connector editor starts from a catalog entry', { timeout: 60000 }, async () => {
  const { page } = admin;
  await page.evaluate(() => { location.hash = '#/connectors'; });
  const editor = page.locator('connauth-connectors');
  const textarea = editor.locator('textarea#definition');
  await textarea.waitFor();

  await editor.getByRole('button', { name: 'Start from catalog' }).click();
  const dialog = page.locator('connauth-connectors [data-testid="catalog-picker"][open]');
  await dialog.getByLabel('Search providers').fill(THIRD.title);
  await dialog.locator(`li[data-entry="${THIRD.name}"]`).getByRole('button', { name: 'Choose' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(JSON.parse(await textarea.inputValue()), THIRD.definition);
  await editor.getByRole('heading', { name: `New connector · ${THIRD.title} from the catalog` }).waitFor();
  await editor.locator('#validation-status').getByText(`connector "${THIRD.name}"`).waitFor();
  assert.match(await editor.getByTestId('notice').textContent(), /not saved yet/);
  assert.equal(await focused(page), 'definition');
  await screenshot(page, 'connectors-from-catalog');
  await editor.getByRole('button', { name: 'Create connector' }).click();
  await editor.getByTestId('notice').getByText(`Saved ${THIRD.name} as version 1.`).waitFor();
  const saved = await stack.call('GET', `/api/connectors/${THIRD.name}`, { token: stack.admin });
  assert.deepEqual(saved.data.definition, THIRD.definition);

  // An entry the org has: loaded over its own, which it already equals.
  await editor.getByRole('button', { name: 'Start from catalog' }).click();
  await dialog.getByLabel('Search providers').fill(CHOSEN.name);
  await dialog.locator(`li[data-entry="${CHOSEN.name}"]`).getByRole('button', { name: 'Choose' }).click();
  await editor.getByTestId('notice').getByText(`is the catalog's ${CHOSEN.title} connector already`).waitFor();
  await editor.getByRole('heading', { name: CHOSEN.name, exact: true }).waitFor();
  assert.equal(await editor.getByRole('button', { name: 'Save as new version' }).isEnabled(), false, 'nothing to save');
  assert.deepEqual(realErrors(admin.errors), []);
});
