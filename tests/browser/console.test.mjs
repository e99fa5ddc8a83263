// The standalone console: the session token from the URL fragment (removed
// at once), the paste field, roles, narrow windows, keyboard and labels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, launchBrowser, newPage, openConsole, screenshot, cardFor, focused, realErrors, session,
} from './fixtures/browser_harness.mjs';
import { signJwt } from '../edge/fixtures/edge_harness.mjs';

const ORG = 'console-org';
let stack;
let browser;

before(async () => {
  stack = await startStack({ org: ORG });
  await stack.seedDemo();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.dispose();
});

test('the token in the fragment signs in and leaves the address bar at once', async () => {
  const { page, context, errors } = await newPage(browser);
  const token = await session(ORG, 'nora', 'member');
  await page.goto(`${stack.origin}/#token=${token}`);
  await page.locator('connauth-console main').waitFor();
  assert.equal(page.url(), `${stack.origin}/`);
  assert.doesNotMatch(await page.evaluate(() => `${location.href} ${history.length}`), /token=/);
  await cardFor(page, 'Demo CRM').waitFor();
  // A reload in the same tab keeps the session; a new tab does not have it.
  await page.reload();
  await cardFor(page, 'Demo CRM').waitFor();
  const other = await context.newPage();
  await other.goto(`${stack.origin}/`);
  await other.locator('connauth-console').getByLabel('Session token').waitFor();
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('without a token the console asks for one and explains what is wrong', async () => {
  const { page, context } = await newPage(browser);
  await page.goto(`${stack.origin}/`);
  const shell = page.locator('connauth-console');
  const field = shell.getByLabel('Session token');
  await field.waitFor();
  assert.equal(await field.getAttribute('type'), 'password');
  await screenshot(page, 'console-sign-in');

  await field.fill('not a token');
  await field.press('Enter');
  await shell.getByRole('alert').getByText(/not a session token/).waitFor();

  // Well-formed but signed with another secret: the edge refuses it (401).
  await field.fill(await signJwt({ sub: 'x', org: ORG, role: 'admin', exp: Math.floor(Date.now() / 1000) + 600 }, { secret: 'another-secret-0123456789abcdef0123456789' }));
  await field.press('Enter');
  await shell.getByRole('alert').getByText(/refused your session/).waitFor();
  await screenshot(page, 'console-token-refused');

  await field.fill(await session(ORG, 'ada', 'admin'));
  await shell.getByRole('button', { name: 'Open console' }).click();
  await shell.locator('main').waitFor();
  assert.deepEqual((await shell.locator('nav.tabs a').allTextContents()).map((t) => t.trim()), ['Connections', 'Apps', 'Connectors', 'Health', 'Webhooks', 'Audit']);
  await shell.getByRole('button', { name: 'Sign out' }).click();
  await field.waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await context.close();
});

test('keyboard: skip link, tabs, and every control has a name', async () => {
  const { page, context } = await newPage(browser);
  await openConsole(page, stack.origin, await session(ORG, 'ada', 'admin'));
  await cardFor(page, 'Demo CRM').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a.textContent;
  }), 'Skip to content');
  // Tab through to the Apps tab and open it with Enter.
  for (let i = 0; i < 10 && (await focused(page)) !== 'tab-apps'; i++) await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'tab-apps');
  await page.keyboard.press('Enter');
  await page.locator('connauth-console connauth-apps li.app-row').first().waitFor();

  for (const view of ['connections', 'apps', 'connectors', 'health', 'webhooks', 'audit']) {
    await page.evaluate((v) => { location.hash = `#/${v}`; }, view);
    await page.waitForTimeout(800);
    const unnamed = await page.evaluate(() => {
      const bad = [];
      const walk = (root) => root.querySelectorAll('*').forEach((el) => {
        if (el.shadowRoot) walk(el.shadowRoot);
        const tag = el.tagName.toLowerCase();
        if (['button', 'a'].includes(tag) && !(el.textContent.trim() || el.getAttribute('aria-label'))) bad.push(el.outerHTML.slice(0, 80));
        if (['input', 'select', 'textarea'].includes(tag) && el.type !== 'hidden'
          && !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))) bad.push(el.outerHTML.slice(0, 80));
      });
      walk(document);
      return bad;
    });
    assert.deepEqual(unnamed, [], `${view}: controls without a name`);
  }
  await context.close();
});

test('a narrow window: nothing overflows sideways', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await openConsole(page, stack.origin, await session(ORG, 'ada', 'admin'));
  await cardFor(page, 'Demo CRM').waitFor();
  for (const view of ['connections', 'apps', 'connectors', 'health', 'webhooks', 'audit']) {
    await page.evaluate((v) => { location.hash = `#/${v}`; }, view);
    await page.waitForTimeout(900);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${view} overflows by ${overflow}px`);
    await screenshot(page, `console-narrow-${view}`);
  }
  await context.close();
});
