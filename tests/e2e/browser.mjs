// Launches Debian's Chromium through playwright-core with the flags this
// sandbox needs (no sandbox as root, no background network traffic).
import { chromium } from '../node_modules/playwright-core/index.mjs';

export function openBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Collects `page`'s console errors (`console: <text>`) and uncaught exceptions
 * (`uncaught: <message>`) from now on, into the array it returns.
 */
export function collectProblems(page) {
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}
