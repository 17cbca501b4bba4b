// The cost estimator and the "Available AI models" table. The page's
// estimate must be exactly what the server computes for the same usage (the
// server's hold for it carries its own estimate), and the table must show
// the server's price list: per-1M token prices, a dash for unit-billed models.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  appCall, assertNoConsoleErrors, base, newPage, newProject, screenshot, startBrowser, visit,
} from './harness.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(() => browser?.close());

/** The server's estimate of `usage`: a hold for it, released at once. */
async function serverEstimate(context, app, usage) {
  const hold = await appCall(context, app.key, 'POST', `/projects/${app.id}/holds`, { usage });
  assert.equal(hold.status, 201, JSON.stringify(hold.body));
  const released = await appCall(context, app.key, 'POST', `/holds/${hold.body.id}/release`);
  assert.equal(released.status, 200);
  return hold.body.estimate;
}

test('search a model, type tokens, see the exact estimate the server will charge', async () => {
  const { context, page, problems } = await newPage(browser);
  const app = await newProject(context, 'Estimates');
  await visit(page);

  const search = page.getByLabel('Search models');
  await search.fill('sonnet');
  const options = await page.locator('#model-select option').evaluateAll((list) => list.map((o) => o.value));
  assert.ok(options.length >= 1 && options.every((id) => id.includes('sonnet')), options.join());
  await page.locator('#model-select').selectOption('claude-sonnet-4-6');
  await page.getByLabel('Input tokens (whole prompt)').fill('123457');
  await page.getByLabel('Cached input tokens').fill('20000');
  await page.getByLabel('Output tokens').fill('4321');

  const usage = { model: 'claude-sonnet-4-6', inputTokens: 123457, cachedInputTokens: 20000, outputTokens: 4321 };
  const expected = await serverEstimate(context, app, usage);
  await page.getByTestId('estimate-total').filter({ hasText: new RegExp(`^${expected.total.replace('.', '\\.')}$`) }).waitFor();
  const lines = await page.locator('#estimate tbody tr').evaluateAll((rows) => rows.map((r) => ({
    kind: r.dataset.line, cells: [...r.cells].map((c) => c.textContent),
  })));
  assert.deepEqual(
    lines.map((l) => [l.kind, ...l.cells.slice(1)]),
    expected.lines.map((l) => [l.kind, String(l.quantity), l.unitPrice, l.cost]),
  );
  assert.match(await page.locator('#estimate').textContent(), new RegExp(expected.catalogVersion.replace('.', '\\.')));

  // Live: one more output token changes the total at once.
  await page.getByLabel('Output tokens').fill('4322');
  const next = await serverEstimate(context, app, { ...usage, outputTokens: 4322 });
  assert.notEqual(next.total, expected.total);
  await page.getByTestId('estimate-total').filter({ hasText: new RegExp(`^${next.total.replace('.', '\\.')}$`) }).waitFor();

  // A unit-billed model takes units instead of tokens.
  await search.fill('gpt-image-1.5');
  await page.locator('#model-select').selectOption('gpt-image-1.5');
  assert.equal(await page.getByLabel('Input tokens (whole prompt)').isVisible(), false);
  await page.getByLabel('Images').fill('3');
  const images = await serverEstimate(context, app, { model: 'gpt-image-1.5', units: 3 });
  await page.getByTestId('estimate-total').filter({ hasText: new RegExp(`^${images.total.replace('.', '\\.')}$`) }).waitFor();
  assert.equal(await page.locator('#estimate tbody tr[data-line="units"] td').nth(1).textContent(), '3');

  // Bad input: a friendly message naming the field, no estimate.
  await page.getByLabel('Images').fill('');
  await page.getByTestId('estimate-error').filter({ hasText: /units/ }).waitFor();
  await screenshot(page, 'desktop-estimator');
  assertNoConsoleErrors(problems);
  await context.close();
});

test('the models table shows the price list with dashes for unit-billed models, sortable', async () => {
  const { context, page, problems } = await newPage(browser);
  await visit(page);
  const catalog = await (await context.request.get(`${base}/v1/models`)).json();
  const entries = catalog.entries;
  const table = page.locator('#models-table table');
  const rows = table.locator('tbody tr');
  assert.equal(await rows.count(), entries.length);

  const cells = async (id) => table.locator(`tbody tr[data-model="${id}"] td`).allTextContents();
  const text = entries.find((e) => e.kind === 'text' && e.inputPer1M !== null);
  const [, , , input, , output] = await cells(text.id);
  assert.equal(input, `$${text.inputPer1M}`);
  assert.equal(output, `$${text.outputPer1M}`);
  for (const kind of ['image', 'video', 'speech', 'embedding']) {
    const entry = entries.find((e) => e.kind === kind);
    const row = await cells(entry.id);
    assert.deepEqual(row.slice(3, 6), ['—', '—', '—'], `${entry.id} token prices are dashes`);
    assert.equal(row[6], `$${entry.pricePerUnit} / ${entry.unit}`);
  }

  // Sort by output price, from the keyboard: Enter on the column's button.
  const sortButton = table.locator('button[data-sort="outputPer1M"]');
  await sortButton.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#models-table th[aria-sort="ascending"] button').getAttribute('data-sort'), 'outputPer1M');
  const tokenModels = entries.filter((e) => e.outputPer1M !== null);
  const cheapest = tokenModels.reduce((a, b) => (Number(b.outputPer1M) < Number(a.outputPer1M) ? b : a));
  const dearest = tokenModels.reduce((a, b) => (Number(b.outputPer1M) > Number(a.outputPer1M) ? b : a));
  assert.equal(await rows.nth(0).locator('td').nth(5).textContent(), `$${cheapest.outputPer1M}`);
  assert.equal(await rows.last().locator('td').nth(5).textContent(), '—', 'dashes sort last');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#models-table th[aria-sort="descending"] button').getAttribute('data-sort'), 'outputPer1M');
  assert.equal(await rows.nth(0).locator('td').nth(5).textContent(), `$${dearest.outputPer1M}`);
  assert.equal(await rows.last().locator('td').nth(5).textContent(), '—', 'dashes sort last');
  // The full order matches the exact order of the prices.
  const shown = (await table.locator('tbody tr td:nth-child(6)').allTextContents()).filter((t) => t !== '—').map((t) => t.slice(1));
  const sorted = tokenModels.map((e) => e.outputPer1M).sort((a, b) => Number(b) - Number(a));
  assert.deepEqual(shown, sorted);
  assertNoConsoleErrors(problems);
  await context.close();
});
