// The simulated app: only the project's publishable key, the SDK's
// CloudCredits client; guard → settle around each AI call, reportUsage for
// tools, the balance dropping, the low / out-of-credits notification with
// its add-credits link, and the friendly error states (bad key, server
// unreachable, out of credits).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiCall, appCall, appPath, assertNoConsoleErrors, nanos, newPage, newProject, screenshot, signIn, startBrowser, visit,
} from './harness.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(() => browser?.close());

const exactShown = async (page) => (await page.getByTestId('app-balance-exact').textContent()).match(/exactly (-?[\d.]+) USD/)[1];

test('chat and image: guard → settle, usage reported, balance drops, low notification appears', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Chat app', { settings: { lowBalanceThresholdUsd: '0.98' } });
  await visit(page, appPath(app));
  await page.getByTestId('app-balance-exact').waitFor();
  const start = await exactShown(page);
  assert.equal(nanos(start), 1_000_000_000n);
  assert.equal(await page.getByTestId('app-notice').isHidden(), true);

  await page.getByRole('button', { name: 'Chat', exact: true }).click();
  const log = page.getByTestId('app-log');
  await log.getByText(/Web search: reported, 1 sent, 0 pending/).waitFor();
  const [chatLine] = await log.getByText(/Chat reply:/).allTextContents();
  const [, reserved, charged] = chatLine.match(/reserved ([\d.]+) USD, charged ([\d.]+) USD \(gpt-4o-mini\)/);
  assert.ok(nanos(charged) > 0n && nanos(charged) <= nanos(reserved), chatLine);

  // What the server recorded: the settled chat (with its hold) and the web search, exactly once each.
  const ledger = (await apiCall(context, 'GET', `/projects/${app.id}/ledger`)).body.entries;
  const usage = ledger.filter((e) => e.kind === 'usage');
  assert.equal(usage.length, 2, JSON.stringify(ledger));
  const chat = usage.find((e) => e.holdId);
  assert.ok(chat, 'the chat usage settled its hold');
  assert.equal(nanos(chat.amountUsd), -nanos(charged));
  assert.equal(nanos(usage.find((e) => !e.holdId).amountUsd), -5_000_000n, 'one web search query at $0.005');
  const afterChat = (await appCall(context, app.key, 'GET', `/projects/${app.id}/balance`)).body.balanceUsd;
  assert.equal(nanos(afterChat), nanos(start) - nanos(charged) - 5_000_000n);
  await page.getByTestId('app-balance-exact').filter({ hasText: `exactly ${afterChat} USD` }).waitFor();

  // An image ($0.034) takes the balance below the $0.98 threshold: the project notification appears.
  await page.getByRole('button', { name: 'Image', exact: true }).click();
  await log.getByText(/Image: reserved 0\.034 USD, charged 0\.034 USD/).waitFor();
  const notice = page.getByTestId('app-notice');
  await notice.waitFor();
  assert.equal(await notice.getAttribute('data-kind'), 'low');
  const notifications = (await appCall(context, app.key, 'GET', `/projects/${app.id}/notifications`)).body.notifications;
  const low = notifications.find((n) => n.kind === 'low');
  assert.ok(low, JSON.stringify(notifications));
  // The notice carries the server's wording (it may first show the page's own, while the hold is in flight).
  await notice.filter({ hasText: low.message }).waitFor();
  const link = notice.getByRole('link', { name: 'Add credits' });
  assert.equal(await link.getAttribute('href'), low.addCreditsUrl);
  assert.match(low.addCreditsUrl, new RegExp(`\\?project=${app.id}#add-credits$`));
  const afterImage = (await appCall(context, app.key, 'GET', `/projects/${app.id}/balance`)).body;
  assert.equal(nanos(afterImage.balanceUsd), nanos(afterChat) - 34_000_000n);
  assert.equal(afterImage.status, 'low');
  await screenshot(page, 'desktop-app-low');
  assertNoConsoleErrors(problems);
  await context.close();
});

test('out of credits: the call is refused, nothing is charged, the add-credits link leads to Add funds', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Empty app');
  // 10 s of video ($1.00) spends the whole $1 balance (a publishable key never spends below zero).
  const spent = await appCall(context, app.key, 'POST', '/usage', {
    events: [{ id: crypto.randomUUID(), model: 'sora-2', units: 10, feature: 'video' }],
  });
  assert.equal(spent.body.results[0].status, 'accepted');
  await visit(page, appPath(app));
  const notice = page.getByTestId('app-notice');
  await notice.waitFor();
  assert.equal(await notice.getAttribute('data-kind'), 'empty');
  const empty = (await appCall(context, app.key, 'GET', `/projects/${app.id}/notifications`)).body.notifications.find((n) => n.kind === 'empty');
  assert.ok(empty);
  await notice.filter({ hasText: empty.message }).waitFor();
  const before = (await appCall(context, app.key, 'GET', `/projects/${app.id}/balance`)).body.balanceUsd;
  assert.equal(nanos(before), 0n);

  await page.getByRole('button', { name: 'Chat', exact: true }).click();
  const problem = page.getByTestId('app-error');
  await problem.filter({ hasText: /Out of Cloud Credits/ }).waitFor();
  assert.equal(await problem.getAttribute('data-code'), 'insufficient_credits');
  assert.equal((await appCall(context, app.key, 'GET', `/projects/${app.id}/balance`)).body.balanceUsd, before, 'nothing charged');
  await screenshot(page, 'desktop-app-empty');

  // The add-credits link opens the owner's Add funds form for this project.
  await notice.getByRole('link', { name: 'Add credits' }).click();
  await page.waitForURL(/#add-credits$/);
  await page.locator('#status[data-state="ready"]').waitFor();
  await signIn(page);
  assert.equal(await page.locator('#project-select').inputValue(), app.id);
  await page.getByLabel('Amount (USD)').fill('20');
  await page.getByRole('button', { name: 'Add funds' }).click();
  await page.getByText(/Added \$20\.00/).waitFor();
  const after = (await appCall(context, app.key, 'GET', `/projects/${app.id}/balance`)).body;
  assert.equal(nanos(after.balanceUsd), nanos(before) + 20_000_000_000n);
  // The app (still the same project and key after the link) sees the funds and the notice goes away.
  await page.getByTestId('app-balance-exact').filter({ hasText: `exactly ${after.balanceUsd} USD` }).waitFor();
  await notice.waitFor({ state: 'hidden' });
  // The refused hold is a real 402 from the server, which Chromium logs.
  assertNoConsoleErrors(problems, [/status of 402/]);
  await context.close();
});

test('friendly errors: a wrong publishable key, and the server out of reach', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Errors');
  await visit(page, appPath({ id: app.id, key: 'pk_0000_not_a_real_key' }));
  const problem = page.getByTestId('app-error');
  await problem.waitFor();
  assert.equal(await problem.getAttribute('data-code'), 'unauthorized');
  assert.match(await problem.textContent(), /publishable key/);
  assert.ok(await page.getByText('Balance unavailable.').isVisible());
  await context.close();
  // The refused key is a real 401 from the server, which Chromium logs; nothing else may be.
  assertNoConsoleErrors(problems, [/status of 401/]);

  const second = await newPage(browser);
  await visit(second.page, appPath(app));
  await second.page.getByTestId('app-balance-exact').waitFor();
  const before = (await appCall(second.context, app.key, 'GET', `/projects/${app.id}/balance`)).body.balanceUsd;
  await second.context.setOffline(true);
  await second.page.getByRole('button', { name: 'Image', exact: true }).click();
  const offline = second.page.getByTestId('app-error');
  await offline.filter({ hasText: /Can't reach the Cloud Credits server/ }).waitFor();
  assert.equal(await offline.getAttribute('data-code'), 'network');
  await screenshot(second.page, 'desktop-app-offline');
  await second.context.setOffline(false);
  assert.equal((await appCall(second.context, app.key, 'GET', `/projects/${app.id}/balance`)).body.balanceUsd, before);
  // Back online, the app works again.
  await second.page.getByRole('button', { name: 'Image', exact: true }).click();
  await second.page.getByTestId('app-log').getByText(/Image: reserved 0\.034 USD, charged 0\.034 USD/).waitFor();
  assertNoConsoleErrors(second.problems, [/ERR_INTERNET_DISCONNECTED/]);
  await second.context.close();
});
