// The smallest app page for the browser tests of the CloudCredits client
// (tests/e2e/client.test.mjs): it imports the package as an app would, runs
// one client as `?project=<id>&key=<pk_...>` against this same server (or
// the one at `&server=<url>`), and exposes it as `window.app` for the test
// to drive.

import init, { CloudCredits, estimateCost } from 'rork-cloud-credits';

const status = document.getElementById('status');

try {
  await init();
  const params = new URLSearchParams(location.search);
  const cc = new CloudCredits({
    baseUrl: params.get('server') ?? location.origin,
    projectId: params.get('project') ?? '',
    publishableKey: params.get('key') ?? '',
  });
  /** Every `error` event of the client, as `{ code, message }`. */
  const errors = [];
  cc.on('error', (error) => errors.push({ code: error.code, message: error.message }));
  window.app = {
    cc,
    errors,
    estimateCost,
    /** Reports `count` copies of `request` at once; returns their event ids. */
    report(count, request) {
      return Array.from({ length: count }, () => cc.reportUsage(request));
    },
  };
  status.dataset.state = 'ready';
  status.textContent = 'Ready';
} catch (error) {
  status.dataset.state = 'error';
  status.textContent = `${error.code ?? 'error'}: ${error.message}`;
}
