// The Cloud Credits panel of the owner's dashboard: Add funds (the $5–$200
// rule checked as the user types, and enforced by the server), a declined
// payment, the "Use Cloud Credits" toggle (legacy features only when off,
// the one-time free $1.00 when first on), the low-balance alert and auto
// top-up settings. Each test uses its own project.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiCall, appCall, appPath, assertNoConsoleErrors, nanos, newPage, newProject, project, screenshot, signIn, startBrowser, visit,
} from './harness.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(() => browser?.close());

test('Add funds: checked as you type, enforced by the server, credited exactly once', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Top-ups');
  await visit(page, appPath(app));
  await signIn(page);
  assert.equal(await page.locator('#project-select').inputValue(), app.id);
  const before = (await project(context, app.id)).balance.balanceUsd;

  const amount = page.getByLabel('Amount (USD)');
  const check = page.locator('#topup-check');
  const cases = [
    ['4', /minimum top-up is \$5\.00/],
    ['4.99', /minimum top-up is \$5\.00/],
    ['200.01', /maximum top-up is \$200\.00/],
    ['12.345', /at most cents/],
    ['twelve', /plain amount in dollars/],
  ];
  for (const [typed, message] of cases) {
    await amount.fill('');
    await amount.pressSequentially(typed);
    assert.match(await check.textContent(), message, typed);
    assert.equal(await amount.getAttribute('aria-invalid'), 'true', typed);
  }
  // Submitting an invalid amount sends nothing.
  await page.getByRole('button', { name: 'Add funds' }).click();
  assert.equal((await project(context, app.id)).balance.balanceUsd, before);

  // The server enforces the same rule on its own: nothing is credited.
  for (const amountUsd of ['4.99', '200.01', '10.001', '-5']) {
    const refused = await apiCall(context, 'POST', `/projects/${app.id}/topups`, { amountUsd });
    assert.equal(refused.status, 400, amountUsd);
    assert.equal(refused.body.error.code, 'invalid_input', amountUsd);
  }
  assert.equal((await project(context, app.id)).balance.balanceUsd, before);

  await amount.fill('');
  await amount.pressSequentially('12.5');
  assert.equal(await check.textContent(), 'You will add $12.50.');
  assert.equal(await amount.getAttribute('aria-invalid'), 'false');
  await page.getByRole('button', { name: 'Add funds' }).click();
  await page.getByText(/Added \$12\.50 to Top-ups/).waitFor();

  const after = (await project(context, app.id)).balance.balanceUsd;
  assert.equal(nanos(after) - nanos(before), 12_500_000_000n);
  assert.equal(await page.getByTestId('balance-exact').textContent(), `Exactly ${after} USD · available ${after} USD`);
  const ledger = (await apiCall(context, 'GET', `/projects/${app.id}/ledger`)).body.entries;
  const topUps = ledger.filter((e) => e.kind === 'top_up');
  assert.equal(topUps.length, 1);
  assert.equal(nanos(topUps[0].amountUsd), 12_500_000_000n);
  // The running app sees the new balance too.
  await page.getByTestId('app-balance-exact').filter({ hasText: after }).waitFor();

  // A declined card: a friendly message, and the balance does not move.
  await amount.fill('5');
  await page.getByLabel('Payment method').first().selectOption('pm_test_decline');
  await page.getByRole('button', { name: 'Add funds' }).click();
  await page.locator('#add-credits .form-message').filter({ hasText: /declined/ }).waitFor();
  assert.equal((await project(context, app.id)).balance.balanceUsd, after);
  await screenshot(page, 'desktop-add-funds-declined');
  assertNoConsoleErrors(problems, [/status of 402/]);
  await context.close();
});

test('Use Cloud Credits: first turn-on grants the free $1.00 once; off means legacy features only', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Toggle', { cloud: false });
  await visit(page, appPath(app));
  await signIn(page);
  const toggle = page.getByRole('switch', { name: 'Use Cloud Credits' });
  assert.equal(await toggle.getAttribute('aria-checked'), 'false');
  assert.ok(await page.getByTestId('legacy-note').isVisible());
  assert.match(await page.getByTestId('app-notice').textContent(), /legacy features only/);

  await toggle.click();
  await page.getByText('Cloud Credits are on. You received the one-time free $1.00.').waitFor();
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  let server = await project(context, app.id);
  assert.equal(server.balance.useCloudCredits, true);
  assert.equal(nanos(server.balance.balanceUsd), 1_000_000_000n);
  assert.equal(server.freeGrantReceived, true);
  await page.getByTestId('app-notice').waitFor({ state: 'hidden' });

  // Off: the app's AI calls are refused with cloud_disabled and nothing is charged.
  await toggle.click();
  await page.getByTestId('legacy-note').waitFor();
  assert.equal((await project(context, app.id)).balance.useCloudCredits, false);
  const ledgerBefore = (await apiCall(context, 'GET', `/projects/${app.id}/ledger`)).body.entries.length;
  await page.getByRole('button', { name: 'Chat', exact: true }).click();
  const problem = page.getByTestId('app-error');
  await problem.filter({ hasText: /legacy features only/ }).waitFor();
  assert.equal(await problem.getAttribute('data-code'), 'cloud_disabled');
  assert.equal((await apiCall(context, 'GET', `/projects/${app.id}/ledger`)).body.entries.length, ledgerBefore);
  await screenshot(page, 'desktop-cloud-off');

  // On again: no second free grant.
  await toggle.click();
  await page.getByTestId('legacy-note').waitFor({ state: 'hidden' });
  server = await project(context, app.id);
  assert.equal(server.balance.useCloudCredits, true);
  assert.equal(nanos(server.balance.balanceUsd), 1_000_000_000n);
  assert.equal((await apiCall(context, 'GET', `/projects/${app.id}/ledger`)).body.entries.filter((e) => e.kind === 'grant').length, 1);
  // The refused AI call is a real 403 from the server, which Chromium logs.
  assertNoConsoleErrors(problems, [/status of 403/]);
  await context.close();
});

test('low-balance email alert and auto top-up settings are saved on the server', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Alerts');
  await visit(page, appPath(app));
  await signIn(page);

  await page.getByLabel('Alert below (USD)').fill('3.5');
  await page.locator('#alert-email').fill('ops@example.com');
  await page.getByRole('button', { name: 'Save alert' }).click();
  await page.getByText('Alert saved: email ops@example.com below $3.5.').waitFor();
  let server = await project(context, app.id);
  assert.equal(nanos(server.balance.lowBalanceThresholdUsd), 3_500_000_000n);
  assert.equal(server.alertEmail, 'ops@example.com');
  // The $1.00 balance is now below the threshold: the panel says so.
  await page.getByTestId('status').filter({ hasText: 'Low' }).waitFor();

  await page.getByLabel('Turn on auto top-up').check();
  await page.getByLabel('When the balance falls below (USD)').fill('2');
  const refill = page.getByLabel('Add (USD, $5 to $200)');
  await refill.fill('');
  await refill.pressSequentially('4');
  assert.match(await page.locator('#auto-check').textContent(), /minimum top-up is \$5\.00/);
  await refill.fill('25');
  await page.getByLabel('At most per day (USD)').fill('75');
  await page.getByRole('button', { name: 'Save auto top-up' }).click();
  await page.getByText('Auto top-up is on.').waitFor();
  server = await project(context, app.id);
  const auto = server.balance.autoTopUp;
  assert.equal(auto.enabled, true);
  assert.equal(nanos(auto.thresholdUsd), 2_000_000_000n);
  assert.equal(nanos(auto.amountUsd), 25_000_000_000n);
  assert.equal(nanos(auto.dailyCapUsd), 75_000_000_000n);
  assert.equal(auto.paymentMethod, 'pm_test_ok');
  assertNoConsoleErrors(problems);
  await context.close();
});

test('publishable key limits: shown, saved on the server, and enforced on the app\'s key', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Limits');
  await visit(page, appPath(app));
  await signIn(page);
  const form = page.locator('#key-limits');
  await form.getByRole('heading', { name: 'Publishable key limits' }).waitFor();
  // The defaults every key starts with.
  assert.equal(await page.getByLabel('Spend per hour (USD)').inputValue(), '10.00');
  assert.equal(await page.getByLabel('Longest hold (seconds, 1 to 3600)').inputValue(), '600');

  await page.getByLabel('Spend per hour (USD)').fill('0.50');
  await page.getByLabel('Largest single hold (USD)').fill('abc');
  await form.getByRole('button', { name: 'Save limits' }).click();
  await form.getByText(/Enter amounts in dollars and cents/).waitFor();
  await page.getByLabel('Largest single hold (USD)').fill('0.25');
  await page.getByLabel('Per end user per day (USD, empty: no cap)').fill('0.10');
  await page.getByLabel('Your server\'s usage may go below zero by (USD)').fill('2');
  await form.getByRole('button', { name: 'Save limits' }).click();
  await form.getByText('Limits saved.').waitFor();

  const server = await project(context, app.id);
  const limits = server.publishableKeys[0].limits;
  assert.equal(nanos(limits.spendPerHourUsd), 500_000_000n);
  assert.equal(nanos(limits.maxHoldUsd), 250_000_000n);
  assert.equal(nanos(limits.endUserPerDayUsd), 100_000_000n);
  assert.equal(nanos(server.overdraftLimitUsd), 2_000_000_000n);
  // The app's key now meets them.
  const big = await appCall(context, app.key, 'POST', `/projects/${app.id}/holds`, { amountUsd: '0.30' });
  assert.equal(big.status, 402);
  assert.equal(big.body.error.code, 'spend_limit');
  const fits = await appCall(context, app.key, 'POST', `/projects/${app.id}/holds`, { amountUsd: '0.20' });
  assert.equal(fits.status, 201, JSON.stringify(fits.body));
  await screenshot(page, 'desktop-key-limits');
  assertNoConsoleErrors(problems);
  await context.close();
});
