// The consent popup in real Chromium against the real services: the edge
// worker (workerd), the demo OAuth provider (oidc-provider) and the demo API.
// The popup's decisions come from the engine's state machine
// (wasm/core/consent_flow.cpp); these tests check what a user sees.
//
// Needs the edge's OAuth flows (POST /api/apps/{id}/connect answering
// {authorization_url, state} and GET /oauth/callback posting
// {type: 'connauth:oauth', state, ok, error}).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, launchBrowser, newPage, openConsole, screenshot, consentInPopup, cardFor, recordConsent,
  consentLog, focused, realErrors, watchAuthorizationState,
} from './fixtures/browser_harness.mjs';
import { loadConnector } from '../../demo/catalog.mjs';

const ORG = 'consent-org';
let stack;
let browser;
let apps;

before(async () => {
  stack = await startStack({ org: ORG });
  apps = await stack.seedDemo();
  // A connector that asks for the popup without an opener (SPEC §2.2 noopener).
  const noopener = { ...loadConnector('demo_oauth'), name: 'demo_noopener', title: 'Demo (noopener)' };
  noopener.authorization = { ...noopener.authorization, noopener: true };
  assert.equal((await stack.call('PUT', '/api/connectors/demo_noopener', { token: stack.admin, json: noopener })).status, 201);
  const app = await stack.call('POST', '/api/apps', { token: stack.admin,
    json: { ...apps.demo_oauth, id: undefined, name: 'Demo Isolated', connector: 'demo_noopener', client_secret: 'demo-secret',
      client_id: 'demo-client', client_secret_set: undefined, secret_settings: undefined, created_at: undefined, updated_at: undefined } });
  assert.equal(app.status, 201, app.text);
  apps.demo_noopener = app.data;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.dispose();
});

const user = (name) => stack.session(ORG, name, 'member');

/** Opens the console as `name`, clicks Connect on `app` and Continue; answers the popup. */
async function startConnect(page, card) {
  await card.getByRole('button', { name: /^(Connect|Reconnect)$/ }).click();
  await card.getByTestId('prompt').waitFor();
  const popup = page.waitForEvent('popup');
  await card.getByRole('button', { name: 'Continue' }).click();
  return popup;
}

const connectedNotice = (card) => card.getByTestId('notice').getByText(/^Connected as /);

// Waits for the connected notice. On a timeout the error carries what the
// consent flow did (event, channel, phase and effect types; no state or
// token), so that a failure seen once in CI says where the flow stopped.
async function waitConnected(page, card, timeout = 15000) {
  try {
    await connectedNotice(card).waitFor({ timeout });
  } catch (error) {
    const log = await consentLog(page).catch(() => []);
    const lines = log.map((e) => `${e.event}${e.channel ? ` (${e.channel})` : ''} -> ${e.phase}: ${(e.effects ?? [])
      .map((f) => (f.reason ? `${f.type}:${f.reason}` : f.type)).join(', ')}`);
    error.message += `\nthe consent flow's log:\n  ${lines.join('\n  ') || '(empty)'}`;
    throw error;
  }
}

// The reason the card settles on. A popup that closes itself right after
// posting its result can be seen closed a moment before the message is
// handled (the state machine keeps listening after closed_by_user), so wait
// for the expected reason before reading what is shown.
async function failureReason(card, expected) {
  const failure = card.getByTestId('consent-failure');
  await failure.waitFor({ timeout: 15000 });
  await card.locator(`[data-testid="consent-failure"][data-reason="${expected}"]`)
    .waitFor({ timeout: 15000 })
    .catch(() => {}); // the assertion below reports what was shown instead
  return failure.getAttribute('data-reason');
}

test('connects through the provider popup, shows the health view, and the proxy works', { timeout: 90000 }, async () => {
  const token = await user('bob');
  const { page, errors, context } = await newPage(browser);
  await openConsole(page, stack.origin, token);
  await recordConsent(page);
  const card = cardFor(page, 'Demo CRM');
  assert.equal(await card.getByTestId('status').textContent(), 'Not connected');

  // The app's approval prompt comes first, before any window opens.
  await card.getByRole('button', { name: 'Connect' }).click();
  assert.match(await card.getByTestId('prompt').textContent(), /read and add contacts/);
  assert.equal(context.pages().length, 1);
  assert.equal(await focused(page), 'continue', 'the prompt takes the focus');
  await screenshot(page, 'consent-1-prompt');

  const popupPromise = page.waitForEvent('popup');
  await card.getByRole('button', { name: 'Continue' }).click();
  const popup = await popupPromise;
  await card.getByTestId('progress').waitFor();
  await popup.waitForURL(/\/interaction\//);
  await screenshot(page, 'consent-2-waiting');
  await screenshot(popup, 'consent-2-provider-login');

  const closed = popup.waitForEvent('close', { timeout: 15000 });
  await consentInPopup(popup, { login: 'bob' });
  await closed; // the callback page closes the popup
  await connectedNotice(card).waitFor({ timeout: 15000 });
  assert.equal(await card.getByTestId('status').textContent(), 'Connected');
  await card.getByText('Access expires').waitFor();
  await card.getByText(/History \(1\)/).click();
  await screenshot(page, 'consent-3-connected');

  const phases = (await consentLog(page)).map((e) => e.phase);
  for (const phase of ['prompting', 'awaiting_consent', 'exchanging', 'connected']) assert.ok(phases.includes(phase), `${phase} in ${phases}`);

  // The connection works: a proxied call reaches the demo API with bob's token.
  const proxied = await stack.call('GET', `/proxy/${apps.demo_oauth.id}/me`, { token });
  assert.equal(proxied.status, 200, proxied.text);
  assert.equal(proxied.data.id, 'bob');
  assert.deepEqual(realErrors(errors), []);
  await context.close();
});

test('access denied at the provider is its own failure, explained', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser);
  await openConsole(page, stack.origin, await user('dora'));
  const card = cardFor(page, 'Demo CRM');
  // By keyboard: Tab to Connect, Enter; the focus lands on Continue; Enter.
  // locator.press focuses the button and presses in one step, so a re-render
  // of the card between the two (its data arriving) cannot drop the focus.
  // Unlike click, press does not wait for the button to be enabled (Playwright
  // "Auto-waiting": press has no actionability checks), and Connect stays
  // disabled until the engine and the connection are loaded: a trial click
  // waits for that without clicking.
  const connect = card.getByRole('button', { name: 'Connect' });
  await connect.click({ trial: true });
  await connect.press('Enter');
  await card.getByTestId('prompt').waitFor();
  assert.equal(await focused(page), 'continue');
  const popupPromise = page.waitForEvent('popup');
  await page.keyboard.press('Enter');
  const popup = await popupPromise;
  await consentInPopup(popup, { login: 'dora', deny: true });
  assert.equal(await failureReason(card, 'access_denied'), 'access_denied');
  await card.getByRole('heading', { name: 'Access denied' }).waitFor();
  assert.match(await card.getByTestId('consent-failure').textContent(), /denied/);
  assert.equal(await focused(page), 'retry', 'Try again takes the focus');
  assert.equal(await card.getByTestId('status').textContent(), 'Not connected');
  await screenshot(page, 'consent-access-denied');
  await context.close();
});

test('a popup closed by the user says so and offers to try again', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser);
  await openConsole(page, stack.origin, await user('erin'));
  const card = cardFor(page, 'Demo CRM');
  const popup = await startConnect(page, card);
  await popup.waitForURL(/\/interaction\//);
  await popup.close();
  assert.equal(await failureReason(card, 'closed_by_user'), 'closed_by_user');
  await card.getByRole('heading', { name: 'Sign-in window closed' }).waitFor();
  await screenshot(page, 'consent-closed-by-user');

  // Try again opens a new popup at once (the prompt was already accepted).
  const again = page.waitForEvent('popup');
  await card.getByRole('button', { name: 'Try again' }).click();
  const second = await again;
  await consentInPopup(second, { login: 'erin' });
  await connectedNotice(card).waitFor({ timeout: 15000 });
  await context.close();
});

test('a blocked popup explains itself and the sign-in link continues the flow', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser);
  // A popup blocker: window.open answers null.
  await context.addInitScript(() => { window.open = () => null; });
  await openConsole(page, stack.origin, await user('fred'));
  const card = cardFor(page, 'Demo CRM');
  await card.getByRole('button', { name: 'Connect' }).click();
  await card.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await failureReason(card, 'popup_blocked'), 'popup_blocked');
  const link = card.getByRole('link', { name: 'Continue to sign-in' });
  await link.waitFor();
  assert.match(await link.getAttribute('href'), /^http:\/\/127\.0\.0\.1:\d+\/auth\?/);
  assert.equal(await focused(page), 'continue-link');
  await screenshot(page, 'consent-popup-blocked');

  const popupPromise = page.waitForEvent('popup');
  await link.click();
  const popup = await popupPromise;
  await consentInPopup(popup, { login: 'fred' });
  await connectedNotice(card).waitFor({ timeout: 15000 });
  assert.equal(await card.getByTestId('status').textContent(), 'Connected');
  await context.close();
});

test('messages from a foreign origin or with a wrong state are ignored', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser);
  const states = watchAuthorizationState(context, stack.provider.issuer);
  await openConsole(page, stack.origin, await user('gina'));
  await recordConsent(page);
  const card = cardFor(page, 'Demo CRM');
  const popup = await startConnect(page, card);
  await popup.waitForURL(/\/interaction\//);
  assert.equal(states.length, 1);
  const pending = states[0];

  // The right state, but from the provider's origin (not the edge's).
  await popup.evaluate((state) => window.opener.postMessage({ type: 'connauth:oauth', state, ok: true }, '*'), pending);
  // The edge's origin, but a state that is not the pending one.
  await page.evaluate(() => window.postMessage({ type: 'connauth:oauth', state: 'forged-state', ok: true }, window.location.origin));
  await page.waitForTimeout(500);
  const reasons = (await consentLog(page)).flatMap((e) => e.effects.filter((f) => f.type === 'ignored').map((f) => f.reason));
  assert.ok(reasons.includes('foreign_origin'), reasons.join());
  assert.ok(reasons.includes('wrong_state'), reasons.join());
  assert.match(await card.getByTestId('progress').textContent(), /Waiting for you to finish signing in/);
  assert.equal(await card.getByTestId('status').textContent(), 'Not connected');
  await screenshot(page, 'consent-forged-messages-ignored');

  // The real answer still completes the flow.
  await consentInPopup(popup, { login: 'gina' });
  await waitConnected(page, card);
  await context.close();
});

test('a second click while the popup is open focuses it instead of opening another', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser);
  await openConsole(page, stack.origin, await user('hank'));
  await recordConsent(page);
  const card = cardFor(page, 'Demo CRM');
  const popup = await startConnect(page, card);
  await popup.waitForURL(/\/interaction\//);
  await card.getByRole('button', { name: 'Show sign-in window' }).click();
  await page.waitForTimeout(300);
  assert.equal(context.pages().length, 2, 'still one popup');
  const effects = (await consentLog(page)).flatMap((e) => e.effects.map((f) => f.type));
  assert.ok(effects.includes('focus_popup'), effects.join());
  await screenshot(page, 'consent-second-click');
  await popup.close();
  assert.equal(await failureReason(card, 'closed_by_user'), 'closed_by_user');
  await context.close();
});

test('COOP on the provider severs the opener: the result arrives by BroadcastChannel', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser);
  // The provider's pages send Cross-Origin-Opener-Policy: same-origin, so the
  // popup loses its opener (and looks closed to the console).
  await context.route(`${stack.provider.issuer}/**`, async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    await route.fulfill({ response, headers: { ...response.headers(), 'cross-origin-opener-policy': 'same-origin' } });
  });
  await openConsole(page, stack.origin, await user('ivy'));
  await recordConsent(page);
  const card = cardFor(page, 'Demo CRM');
  const popup = await startConnect(page, card);
  await popup.waitForURL(/\/interaction\//);
  assert.equal(await popup.evaluate(() => window.opener), null, 'COOP cut the opener');
  await consentInPopup(popup, { login: 'ivy' });
  await waitConnected(page, card, 20000);
  const log = await consentLog(page);
  assert.ok(log.some((e) => e.event === 'message' && e.channel === 'broadcast' && e.phase === 'exchanging'),
    JSON.stringify(log.map((e) => [e.event, e.channel, e.phase])));
  await screenshot(page, 'consent-coop-broadcast');
  await context.close();
});

test('a noopener connector opens the provider without an opener and still connects', { timeout: 60000 }, async () => {
  const { page, context } = await newPage(browser);
  await openConsole(page, stack.origin, await user('jack'));
  await recordConsent(page);
  const card = cardFor(page, 'Demo Isolated');
  const popup = await startConnect(page, card);
  await popup.waitForURL(/\/interaction\//);
  assert.equal(await popup.evaluate(() => window.opener), null, 'the provider page has no opener');
  const navigate = (await consentLog(page)).flatMap((e) => e.effects).find((f) => f.type === 'navigate_popup');
  assert.equal(navigate.noopener, true);
  await consentInPopup(popup, { login: 'jack' });
  await connectedNotice(card).waitFor({ timeout: 20000 });
  const log = await consentLog(page);
  assert.ok(log.some((e) => e.event === 'message' && e.channel === 'broadcast'), 'answered by BroadcastChannel');
  await context.close();
});

test('a revoked grant shows authorization_revoked with its action, and Reconnect recovers', { timeout: 90000 }, async () => {
  const token = await user('kate');
  const { page, context } = await newPage(browser);
  await openConsole(page, stack.origin, token);
  const card = cardFor(page, 'Demo CRM');
  const popup = await startConnect(page, card);
  await consentInPopup(popup, { login: 'kate' });
  await connectedNotice(card).waitFor({ timeout: 15000 });
  assert.equal((await stack.call('GET', `/proxy/${apps.demo_oauth.id}/me`, { token })).status, 200);

  // Kate revokes the app at the provider: the token and the refresh token die.
  assert.ok(stack.provider.revokeGrant('kate') >= 1);
  const refused = await stack.call('GET', `/proxy/${apps.demo_oauth.id}/me`, { token });
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.data.lost.cause, 'authorization_revoked');

  await page.reload();
  await page.locator('connauth-console main').waitFor();
  const lostCard = cardFor(page, 'Demo CRM');
  await lostCard.getByTestId('diagnosis').waitFor();
  assert.equal(await lostCard.getByTestId('status').textContent(), 'Connection lost');
  assert.equal(await lostCard.getByTestId('cause').textContent(), 'authorization_revoked');
  assert.match(await lostCard.getByTestId('diagnosis').textContent(), /What to do:/);
  await lostCard.getByText(/History \(2\)/).click();
  await screenshot(page, 'consent-revoked-lost');

  const again = await startConnect(page, lostCard);
  await consentInPopup(again, { login: 'kate' });
  await connectedNotice(lostCard).waitFor({ timeout: 15000 });
  assert.equal(await lostCard.getByTestId('status').textContent(), 'Connected');
  assert.equal((await stack.call('GET', `/proxy/${apps.demo_oauth.id}/me`, { token })).status, 200);
  await screenshot(page, 'consent-revoked-recovered');
  await context.close();
});
