// Cloud Usage (charts and the tables behind them, matching the server's
// summaries exactly) and "If a charge looks wrong" (pick a charge or enter a
// time; the page classifies build vs cloud activity and files a support
// report with the project link, time and action).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiCall, appPath, assertNoConsoleErrors, localInputValue, newPage, newProject, screenshot, signIn, startBrowser, visit,
} from './harness.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(() => browser?.close());

const GROUPS = ['model', 'project', 'day'];

test('usage by model, by project and per day: a chart and the exact table behind each', async () => {
  const { context, page, problems } = await newPage(browser);
  await visit(page);
  await signIn(page);
  // Wait for the newest numbers after any app activity, then compare with the server.
  const panels = page.locator('#usage .usage-panel');
  await page.locator('#usage [data-group="day"] table').waitFor();
  assert.equal(await panels.count(), 3);
  for (const groupBy of GROUPS) {
    const summary = (await apiCall(context, 'GET', `/account/usage?days=30&groupBy=${groupBy}`)).body;
    const panel = page.locator(`#usage [data-group="${groupBy}"]`);
    const rows = await panel.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    assert.deepEqual(rows, summary.groups.map((g) => [
      groupBy === 'day' ? g.key : g.label, g.costUsd, String(g.events), String(g.inputTokens), String(g.outputTokens), String(g.units),
    ]), groupBy);
    if (groupBy === 'day') assert.ok(rows.length >= 30, `one row per day: ${rows.length}`);
    // The chart was drawn: a sized canvas with non-blank pixels.
    const drawn = await panel.locator('canvas').evaluate((canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      return canvas.width > 0 && data.some((v, i) => i % 4 === 3 && v > 0);
    });
    assert.ok(drawn, `${groupBy} chart drawn`);
    assert.equal(await page.getByTestId('usage-total').textContent(), summary.totalCostUsd);
  }
  assert.ok(await page.locator('#usage [data-group="project"] tbody').getByText('Recipe Chat').isVisible());
  await page.locator('#usage').screenshot({ path: 'tests/artifacts/desktop-usage.png' });
  assertNoConsoleErrors(problems);
  await context.close();
});

test('a charge picked from recent activity is cloud usage; a support report is filed', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Review');
  await visit(page, appPath(app));
  await signIn(page);
  await page.getByRole('button', { name: 'Image', exact: true }).click();
  await page.getByTestId('app-log').getByText(/Image: reserved/).waitFor();

  const ledger = (await apiCall(context, 'GET', `/projects/${app.id}/ledger`)).body.entries;
  const charge = ledger.find((e) => e.kind === 'usage');
  assert.ok(charge, JSON.stringify(ledger));
  const select = page.getByLabel('Charge from recent activity');
  await page.locator(`#review-charge option[value="${charge.id}"]`).waitFor({ state: 'attached' });
  await select.selectOption(charge.id);
  assert.match(await page.getByLabel('What happened').inputValue(), /Usage of -0\.034/);
  assert.equal(await page.getByLabel('Project link').inputValue(), `${new URL(page.url()).origin}/?project=${app.id}`);
  await page.getByRole('button', { name: 'File a support report' }).click();

  const result = page.getByTestId('review-result');
  await result.getByTestId('review-id').waitFor();
  assert.match(await result.getByTestId('review-id').textContent(), /^sr_[0-9a-f]{32}$/);
  assert.match(await result.getByTestId('review-verdict').textContent(), /cloud usage \(your running app\).*Cloud Credits/);
  const text = await result.textContent();
  assert.match(text, new RegExp(`/\\?project=${app.id}`));
  assert.match(text, /gpt-image-1\.5/, 'the matching usage event is listed');
  assert.match(text, /Usage of -0\.034/);
  await screenshot(page, 'desktop-charge-review');
  assertNoConsoleErrors(problems);
  await context.close();
});

test('a time entered by hand during editor work is build activity', async () => {
  const { context, page, problems } = await newPage(browser);
  await visit(page);
  await signIn(page);
  const demo = (await apiCall(context, 'GET', '/demo')).body;
  assert.equal(await page.locator('#project-select').inputValue(), demo.projectId);
  // The seeded demo has editor work on Recipe Chat about a day before the server started; ask the
  // server when exactly (a wide review through the API), then enter that time by hand in the page.
  const probe = await apiCall(context, 'POST', '/support/charge-reviews', {
    projectId: demo.projectId,
    approximateTime: new Date(Date.now() - 26 * 3_600_000).toISOString(),
    action: 'test: find the seeded editor work',
    windowMinutes: 360,
  });
  assert.equal(probe.status, 201, JSON.stringify(probe.body));
  const [work] = probe.body.buildActivity;
  assert.ok(work, 'the seed has build activity on the demo project a day ago');
  const typed = await localInputValue(page, work.occurredAt);
  await page.getByLabel('Approximate time (your local time)').fill(typed);
  await page.getByLabel('What happened').fill('Credits dropped while I was chatting with the agent');
  await page.getByRole('button', { name: 'File a support report' }).click();
  const result = page.getByTestId('review-result');
  await result.getByTestId('review-id').waitFor();
  assert.match(await result.getByTestId('review-verdict').textContent(), /build activity \(inside the editor\).*build credits/);
  assert.match(await result.textContent(), /Credits dropped while I was chatting with the agent/);
  assert.match(await result.textContent(), new RegExp(work.description), 'the editor work is listed');

  // Bad input gets a friendly message and files nothing.
  await page.getByLabel('Approximate time (your local time)').fill('');
  await page.getByRole('button', { name: 'File a support report' }).click();
  await page.locator('#review .form-message').filter({ hasText: 'Enter about when the charge happened.' }).waitFor();
  assertNoConsoleErrors(problems);
  await context.close();
});
