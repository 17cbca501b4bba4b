// The Build Credits tab of Billing on the real page: WAI-ARIA tabs from the
// keyboard, the seeded account's build credits (remaining, subscription vs
// usage, plan, renewal, by kind, recent activity) exactly as the server has
// them, buying a pack (credited once when its answer is lost and retried,
// nothing on a declined card), and a charge review's "build activity"
// verdict leading to the entries it found.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, apiCall, assertNoConsoleErrors, assertNoSidewaysScroll, localInputValue, newPage, screenshot, signIn, startBrowser, visit,
} from './harness.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(() => browser?.close());

/** The summary as the server has it now, with every recent entry. */
async function summary(context) {
  const { status, body } = await apiCall(context, 'GET', '/build-credits?limit=200');
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

test('the Billing tabs work from the keyboard and the Build Credits tab shows what the server has', async () => {
  const { context, page, problems } = await newPage(browser);
  await visit(page);
  await signIn(page);
  const buildTab = page.getByRole('tab', { name: 'Build Credits' });
  const cloudTab = page.getByRole('tab', { name: 'Cloud Credits' });
  const buildPanel = page.getByRole('tabpanel', { name: 'Build Credits' });
  const cloudPanel = page.getByRole('tabpanel', { name: 'Cloud Credits' });

  // Cloud Credits is selected first; one tab stop, arrows and Home/End move and select.
  assert.equal(await cloudTab.getAttribute('aria-selected'), 'true');
  assert.equal(await buildTab.getAttribute('tabindex'), '-1');
  assert.ok(await cloudPanel.isVisible());
  assert.equal(await buildPanel.count(), 0, 'the hidden panel is out of the accessibility tree');
  await cloudTab.focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await buildTab.getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-build');
  assert.ok(await buildPanel.isVisible());
  assert.ok(await page.locator('#cloud-credits').isHidden());
  await page.keyboard.press('End');
  assert.equal(await cloudTab.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Home');
  assert.equal(await buildTab.getAttribute('aria-selected'), 'true');
  // Tab leaves the tab list for the selected panel.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'build-credits');

  const server = await summary(context);
  const remaining = page.getByTestId('build-remaining');
  await remaining.filter({ hasText: `${server.remaining} credits` }).waitFor();
  assert.equal(server.remaining, server.subscription + server.usage);
  assert.ok(server.usage >= 200, 'the seed bought a 200-credit pack');
  assert.equal(await page.getByTestId('build-split').textContent(),
    `${server.subscription} subscription credits · ${server.usage} usage credits`);
  assert.equal(await page.getByTestId('build-plan').textContent(), 'Pro plan · 500 credits a month · $25.00 a month');
  assert.equal(await buildPanel.getByRole('link', { name: 'Upgrade plan' }).getAttribute('href'), server.upgradeUrl);
  assert.match(await page.getByTestId('build-renewal').textContent(),
    /^Renews .+\. Unused subscription credits expire at renewal; usage credits never expire\.$/);

  // By kind: the seed's 25 days of editor work, every kind.
  const kindRows = buildPanel.locator('table', { hasText: 'by kind of activity' }).locator('tbody tr');
  assert.deepEqual(await kindRows.evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent))), [
    ['Agent chat messages', ...counts(server, 'chat')],
    ['Builds and previews', ...counts(server, 'build')],
    ['Asset generation', ...counts(server, 'asset')],
    ['Publishing', ...counts(server, 'publish')],
  ]);
  assert.ok(server.byKind.every((k) => k.count > 0), 'the seed has every kind of build activity');

  // Recent activity: the newest 20, each row the server's entry, then the older ones on request.
  const rows = page.locator('#build-credits tr[id^="build-activity-"]');
  assert.equal(await rows.count(), 20);
  for (const entry of server.recent.slice(0, 20)) {
    const cells = await page.locator(`#build-activity-${entry.id} td`).allTextContents();
    assert.equal(cells[3], entry.description);
    assert.equal(cells[4], String(entry.credits));
    assert.match(cells[5], entry.usageCredits ? /usage/ : new RegExp(`^${entry.subscriptionCredits} subscription$`));
  }
  assert.ok(server.recent.length > 20, 'the seed has more than one page of build activity');
  await screenshot(page, 'desktop-build-credits');
  await buildPanel.getByRole('button', { name: 'Show older activity' }).click();
  await page.locator(`#build-activity-${server.recent.at(-1).id}`).waitFor();
  assert.equal(await rows.count(), server.recent.length);

  // `#add-credits` (the notifications' and the menu's link) brings back the Cloud Credits tab.
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('link', { name: 'Buy Cloud Credits' }).click();
  await page.locator('#add-credits').waitFor();
  assert.equal(await cloudTab.getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'topup-amount');
  assertNoConsoleErrors(problems);
  await context.close();
});

/** The by-kind cells the page should show for `kind`: credits and times. */
function counts(server, kind) {
  const total = server.byKind.find((k) => k.kind === kind);
  return [String(total.credits), String(total.count)];
}

test('a pack of usage credits: credited once when its answer is lost and retried, nothing when declined', async () => {
  const { context, page, problems } = await newPage(browser);
  await visit(page);
  await signIn(page);
  // Opened with `#build-credits` (as a link would), the page selects the Build Credits tab.
  await visit(page, '/?opened=link#build-credits');
  await page.locator('#build-credits:not([hidden])').waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Build Credits' }).getAttribute('aria-selected'), 'true');
  const start = await summary(context);
  await page.getByTestId('build-remaining').filter({ hasText: `${start.remaining} credits` }).waitFor();
  const form = page.locator('#buy-build-credits');
  const message = form.locator('.form-message');
  // Every purchase's key is recorded; the first reaches the server but its answer is lost.
  const keys = [];
  let loseAnswer = true;
  await page.route('**/v1/build-credits/packs', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (!loseAnswer) return route.continue();
    loseAnswer = false;
    await route.fetch();
    return route.abort('connectionreset');
  });
  await form.getByLabel('50 credits · $10.00').check();
  await form.getByRole('button', { name: 'Buy credits' }).click();
  await message.filter({ hasText: "Can't reach the Cloud Credits server" }).waitFor();
  assert.equal((await summary(context)).usage, start.usage + 50, 'the server did buy the pack');

  // Trying again sends the same key: the server answers with the first purchase, charging nothing more.
  await form.getByRole('button', { name: 'Buy credits' }).click();
  await message.filter({ hasText: 'Added 50 usage credits for $10.00.' }).waitFor();
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1]);
  assert.match(keys[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const once = await summary(context);
  assert.equal(once.usage, start.usage + 50, 'credited once');
  await page.getByTestId('build-remaining').filter({ hasText: `${once.remaining} credits` }).waitFor();
  assert.match(await page.getByTestId('build-split').textContent(), new RegExp(`${once.usage} usage credits`));
  // The account menu reads the same balance.
  assert.equal(await page.getByTestId('build-credits').textContent(), String(once.remaining));

  // A declined card: a friendly message, a new key (an answered purchase is over), nothing credited.
  await form.getByLabel('Pay with').selectOption('pm_test_decline');
  await form.getByRole('button', { name: 'Buy credits' }).click();
  await message.filter({ hasText: /declined/ }).waitFor();
  assert.equal(keys.length, 3);
  assert.notEqual(keys[2], keys[0]);
  assert.equal((await summary(context)).usage, once.usage);
  await screenshot(page, 'desktop-build-pack-declined');
  assertNoConsoleErrors(problems, [/status of 402/, /net::ERR_CONNECTION_RESET/]);
  await context.close();
});

test('a charge review\'s "build activity" verdict leads to the entries it found', async () => {
  const { context, page, problems } = await newPage(browser);
  await visit(page);
  await signIn(page);
  const server = await summary(context);
  // The oldest seeded entry is beyond the tab's first 20 rows: the link reads older activity to show it.
  const oldest = server.recent.at(-1);
  assert.ok(server.recent.indexOf(oldest) >= 20);
  const typed = await localInputValue(page, oldest.occurredAt);
  await page.locator('#project-select').selectOption(oldest.projectId);
  await page.getByLabel('Approximate time (your local time)').fill(typed);
  await page.getByLabel('What happened').fill('Credits dropped while I was building');
  const answer = page.waitForResponse((response) => response.url().endsWith('/v1/support/charge-reviews'));
  await page.getByRole('button', { name: 'File a support report' }).click();
  const review = await (await answer).json();
  assert.equal(review.classification, 'build');
  assert.ok(review.buildActivity.some((b) => b.id === oldest.id), 'the review found the oldest entry');

  const result = page.getByTestId('review-result');
  assert.match(await result.getByTestId('review-verdict').textContent(), /build activity \(inside the editor\)/);
  const link = result.getByRole('link', { name: /in Build Credits$/ });
  await link.click();
  assert.equal(await page.getByRole('tab', { name: 'Build Credits' }).getAttribute('aria-selected'), 'true');
  for (const { id } of review.buildActivity) {
    const row = page.locator(`#build-activity-${id}`);
    await row.waitFor();
    assert.equal(await row.getAttribute('class'), 'highlight', id);
  }
  assert.equal(await page.locator('#build-credits tr.highlight').count(), review.buildActivity.length);
  await page.waitForFunction((id) => document.activeElement?.id === `build-activity-${id}`, review.buildActivity[0].id);
  assert.ok(await page.locator(`#build-activity-${review.buildActivity[0].id}`).isVisible());
  const n = review.buildActivity.length;
  assert.equal(await page.locator('#build-credits [role="status"]').last().textContent(),
    `${n} of ${n} entries from your charge review are highlighted below.`);
  await screenshot(page, 'desktop-build-review-link');
  assertNoConsoleErrors(problems);
  await context.close();
});

test('the Build Credits tab works at phone width without sideways scrolling', async () => {
  const { context, page, problems } = await newPage(browser, PHONE);
  await visit(page);
  await signIn(page);
  await page.getByRole('tab', { name: 'Build Credits' }).click();
  const server = await summary(context);
  await page.getByTestId('build-remaining').filter({ hasText: `${server.remaining} credits` }).waitFor();
  await page.locator('#build-credits tr[id^="build-activity-"]').first().waitFor();
  await assertNoSidewaysScroll(page);
  // The pack choices and the buy button are reachable and legible.
  assert.ok(await page.getByRole('button', { name: 'Buy credits' }).isVisible());
  await screenshot(page, 'phone-build-credits');
  assertNoConsoleErrors(problems);
  await context.close();
});
