// Shared set-up of the demo-page suites: one Chromium per file, a fresh
// browser context (cookies, storage) per test, console-error collection,
// screenshots into tests/artifacts/, and the server's API reached from the
// test with the same session cookie the page signed in with.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { collectProblems, openBrowser } from './browser.mjs';

/** The reference server under test. */
export const base = process.env.CLOUD_CREDITS_URL;

/** Desktop and phone viewports used for screenshots. */
export const DESKTOP = { width: 1280, height: 900 };
/** A common phone width (iPhone 12–15). */
export const PHONE = { width: 390, height: 844 };

/** Starts the browser for a test file. */
export async function startBrowser() {
  assert.ok(base, 'CLOUD_CREDITS_URL must point at a running reference server (cargo xtask test sets it)');
  return openBrowser();
}

/**
 * A page in a fresh context (its own cookies and storage), with every console
 * error and uncaught exception collected in `problems`.
 */
export async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  return { context, page, problems: collectProblems(page) };
}

/** Opens `path` (relative to the server) and waits until the page says the SDK is ready. */
export async function visit(page, path = '/') {
  await page.goto(`${base}${path}`);
  const status = page.locator('#status');
  await page.locator('#status[data-state="ready"], #status[data-state="error"]').waitFor();
  assert.equal(await status.getAttribute('data-state'), 'ready', await status.textContent());
}

/** `/?project=<id>&key=<pk>`: the page with the simulated app running as that project. */
export function appPath({ id, key }) {
  return `/?project=${encodeURIComponent(id)}&key=${encodeURIComponent(key)}`;
}

/** Exact decimal string → BigInt of billionths (for exact comparisons of amounts). */
export function nanos(amount) {
  const match = /^(-?)(\d+)(?:\.(\d{1,9}))?$/.exec(amount);
  assert.ok(match, `not a decimal amount with at most 9 decimals: ${amount}`);
  const value = BigInt(match[2]) * 1_000_000_000n + BigInt((match[3] ?? '').padEnd(9, '0'));
  return match[1] ? -value : value;
}

/** Signs in through the prefilled form (demo@example.com / demo) and waits for the dashboard. */
export async function signIn(page) {
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#dashboard:not([hidden])').waitFor();
  await page.locator('[data-testid="balance"]').filter({ hasText: '$' }).waitFor();
}

/** Calls the API with the context's session cookie (as the dashboard does); returns `{ status, body }`. */
export async function apiCall(context, method, path, data, headers = {}) {
  const response = await context.request.fetch(`${base}/v1${path}`, {
    method,
    data,
    headers: { ...(method === 'GET' ? {} : { 'x-csrf': '1' }), ...headers },
    failOnStatusCode: false,
  });
  const text = await response.text();
  return { status: response.status(), body: text ? JSON.parse(text) : null };
}

/** Calls the API with a publishable key, as the running app does. */
export async function appCall(context, key, method, path, data) {
  const response = await context.request.fetch(`${base}/v1${path}`, {
    method,
    data,
    headers: { authorization: `Bearer ${key}` },
    failOnStatusCode: false,
  });
  return { status: response.status(), body: await response.json() };
}

/**
 * A new project of the demo account (so each test has its own balance),
 * created with the session of `context`: `{ id, key }`. With `cloud: true`
 * it has Cloud Credits on (and the one-time free $1.00).
 */
export async function newProject(context, name, { cloud = true, settings = {} } = {}) {
  const signedIn = await apiCall(context, 'POST', '/session', { email: 'demo@example.com', password: 'demo' });
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  const created = await apiCall(context, 'POST', '/projects', { name: `${name} ${Date.now() % 100000}` });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.project.id;
  if (cloud || Object.keys(settings).length) {
    const patched = await apiCall(context, 'PATCH', `/projects/${id}/settings`, { useCloudCredits: cloud, ...settings });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
  }
  return { id, key: created.body.publishableKey.key };
}

/** The project as the server has it now (session). */
export async function project(context, id) {
  const { status, body } = await apiCall(context, 'GET', `/projects/${id}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

/** Fails when the page is wider than its viewport (sideways scrolling on a phone). */
export async function assertNoSidewaysScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone screen`);
}

/** The RFC 3339 time `iso` as a `datetime-local` input's value in the page's local time. */
export function localInputValue(page, iso) {
  return page.evaluate((iso) => {
    const at = new Date(iso);
    const pad = (n) => String(n).padStart(2, '0');
    return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
  }, iso);
}

/** Saves a full-page screenshot as tests/artifacts/<name>.png. */
export async function screenshot(page, name) {
  mkdirSync('tests/artifacts', { recursive: true });
  await page.screenshot({ path: `tests/artifacts/${name}.png`, fullPage: true });
}

/** Fails when the page logged console errors or threw (`allowed` are regexps of expected ones). */
export function assertNoConsoleErrors(problems, allowed = []) {
  const unexpected = problems.filter((p) => !allowed.some((re) => re.test(p)));
  assert.deepEqual(unexpected, [], 'the page logged errors');
}
