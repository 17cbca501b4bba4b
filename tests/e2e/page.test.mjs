// The demo page as a whole: it loads the package through the import map,
// signs the owner in with the prefilled demo account, shows both balances in
// the account menu, works from the keyboard and at phone width, and logs no
// console errors. Screenshots go to tests/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, apiCall, assertNoConsoleErrors, assertNoSidewaysScroll, newPage, screenshot, signIn, startBrowser, visit,
} from './harness.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(() => browser?.close());

test('signs in, shows both balances in the account menu, no console errors', async () => {
  const { context, page, problems } = await newPage(browser);
  const credentials = [];
  page.on('request', (request) => credentials.push(request.headers().authorization ?? ''));
  await visit(page);
  assert.match(await page.locator('#status').textContent(), /SDK ready: \d+ models, price list \S+ \(the server's\)/);
  const form = page.locator('#sign-in');
  assert.equal(await form.locator('input[name="email"]').inputValue(), 'demo@example.com');
  await screenshot(page, 'desktop-signed-out');
  await signIn(page);

  const account = await apiCall(context, 'GET', '/account');
  assert.equal(account.status, 200);
  const demo = (await apiCall(context, 'GET', '/demo')).body;
  const recipe = account.body.projects.find((p) => p.id === demo.projectId);
  // The dashboard starts on the app's project and shows its exact balance.
  assert.equal(await page.locator('#project-select').inputValue(), demo.projectId);
  assert.equal(await page.getByTestId('balance-exact').textContent(),
    `Exactly ${recipe.balance.balanceUsd} USD · available ${recipe.balance.availableUsd} USD`);

  const avatar = page.getByRole('button', { name: 'Account menu' });
  await avatar.click();
  const menu = page.locator('#account-menu');
  await menu.waitFor();
  assert.equal(await avatar.getAttribute('aria-expanded'), 'true');
  const { subscription, usage } = account.body.buildCredits;
  const build = menu.locator('[data-balance="build"]');
  const cloud = menu.locator('[data-balance="cloud"]');
  assert.equal(BigInt(await build.getByTestId('build-credits').textContent()), BigInt(subscription) + BigInt(usage));
  assert.match(await build.textContent(), new RegExp(`${subscription} subscription credits · ${usage} usage credits · ${account.body.plan} plan`));
  assert.match(await build.textContent(), /Build credits pay for building your app/);
  assert.match(await cloud.textContent(), /Cloud Credits \(USD\) pay for the AI and cloud features your app uses while it runs/);
  assert.match(await cloud.getByTestId('cloud-credits').textContent(), /^\$\d[\d,]*\.\d\d$/);
  assert.match(await cloud.textContent(), new RegExp(recipe.name));
  for (const name of ['Upgrade subscription', 'Buy Cloud Credits', 'Open Billing', 'Sign out']) {
    assert.ok(await menu.getByText(name).isVisible(), name);
  }
  await screenshot(page, 'desktop-account-menu');

  // Keyboard: Escape closes the menu and gives focus back to the avatar.
  await page.keyboard.press('Escape');
  assert.equal(await menu.isHidden(), true);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'account-button');

  await page.locator('#usage [data-group="day"] table').waitFor();
  await screenshot(page, 'desktop-dashboard');
  // Two roles: the dashboard rides on the session cookie, the app on its publishable key; no secret key anywhere.
  assert.ok(credentials.some((c) => c.startsWith('Bearer pk_')), 'the app used its publishable key');
  assert.deepEqual(credentials.filter((c) => c && !c.startsWith('Bearer pk_')), []);
  assert.doesNotMatch(await page.content(), /sk_[0-9a-f]/);
  assertNoConsoleErrors(problems);
  await context.close();
});

test('works at phone width without sideways scrolling', async () => {
  const { context, page, problems } = await newPage(browser, PHONE);
  await visit(page);
  await signIn(page);
  await page.locator('#usage [data-group="day"] table').waitFor();
  await assertNoSidewaysScroll(page);
  await screenshot(page, 'phone-dashboard');
  await page.getByRole('button', { name: 'Account menu' }).click();
  await screenshot(page, 'phone-account-menu');
  assertNoConsoleErrors(problems);
  await context.close();
});

test('is usable from the keyboard alone: sign in, run the app, sign out', async () => {
  const { context, page, problems } = await newPage(browser);
  await visit(page);
  // The skip link is the first stop; from there Tab reaches the sign-in button.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await tabUntil(page, (el) => el.tagName === 'BUTTON' && el.textContent === 'Sign in');
  await page.keyboard.press('Enter');
  await page.locator('#dashboard:not([hidden])').waitFor();
  // The app's Chat button is reachable and works with Enter.
  await tabUntil(page, (el) => el.id === 'chat-button');
  await page.keyboard.press('Enter');
  await page.getByTestId('app-log').getByText(/Chat reply: reserved/).waitFor();
  // The account menu opens with Enter, and Sign out is inside it.
  await page.locator('#account-button').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.closest('#account-menu') !== null), true);
  await tabUntil(page, (el) => el.textContent === 'Sign out');
  await page.keyboard.press('Enter');
  await page.locator('#sign-in:not([hidden])').waitFor();
  assert.equal((await apiCall(context, 'GET', '/account')).status, 401, 'signing out ends the session on the server');
  // After sign-out, the server refusing the old session is expected (a 401 in the console).
  assertNoConsoleErrors(problems, [/status of 401/]);
  await context.close();
});

/** Presses Tab until `matches(document.activeElement)` (at most 200 times). */
async function tabUntil(page, matches) {
  const source = `(${matches.toString()})(document.activeElement)`;
  for (let i = 0; i < 200; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((code) => Boolean(document.activeElement && eval(code)), source)) return;
  }
  assert.fail(`no focusable element matched ${matches}`);
}
