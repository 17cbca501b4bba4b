// The demo page: the Cloud Credits experience end to end. It uses the npm
// package exactly as an app would (`import ... from 'rork-cloud-credits'`,
// mapped to /pkg/dist by the import map) and plays two roles: the owner's
// billing dashboard (session cookie) and the running app (publishable key).

import init, { catalogVersion, listModels, loadCatalog } from 'rork-cloud-credits';
import { api } from './js/api.js';
import { Dashboard } from './js/dashboard.js';
import { describe } from './js/errors.js';
import { setUpSession, resumeSession } from './js/session.js';
import { setUpAccountMenu } from './js/account-menu.js';
import { setUpCreditsPanel } from './js/credits-panel.js';
import { setUpBuildCredits } from './js/build-credits.js';
import { setUpBillingTabs } from './js/tabs.js';
import { setUpEstimator } from './js/estimator.js';
import { setUpModelsTable } from './js/models-table.js';
import { setUpUsage } from './js/usage.js';
import { setUpReview } from './js/review.js';
import { startApp } from './js/app-sim.js';
import { appConfig } from './js/app-config.js';

const status = document.getElementById('status');
const report = (message, state) => {
  status.textContent = message;
  status.dataset.state = state;
};

try {
  await init();
  const source = await usingServerPrices();
  const models = listModels();
  setUpEstimator(models);
  setUpModelsTable(models);

  const params = new URLSearchParams(location.search);
  const config = await appConfig(params, api);
  const dashboard = new Dashboard(params.get('project') ?? (config.ok ? config.value.projectId : null));
  setUpSession(dashboard);
  setUpAccountMenu(dashboard);
  setUpCreditsPanel(dashboard);
  const tabs = setUpBillingTabs();
  const buildCredits = setUpBuildCredits(dashboard);
  setUpUsage(dashboard);
  setUpReview(dashboard);
  document.addEventListener('app-activity', () => {
    if (dashboard.account) dashboard.refresh().catch(() => {});
  });
  // A charge review's "build activity" verdict leads to the entries it found.
  document.addEventListener('show-build-activity', (event) => {
    tabs.select('build-credits', { focus: true });
    buildCredits.highlight(event.detail.ids);
  });
  followBillingLinks(dashboard, tabs);
  await resumeSession(dashboard, (error) => report(describe(error), 'error'));

  report(`SDK ready: ${models.length} models, price list ${catalogVersion()} (${source}).`, 'ready');
  if (config.ok) startApp(config.value);
  else document.getElementById('app-body').textContent = config.message;
} catch (error) {
  report(`The page could not start: ${describe(error)}`, 'error');
}

/** Loads the server's price list into the SDK, so estimates match what it charges. */
async function usingServerPrices() {
  try {
    const response = await fetch('/v1/models');
    if (!response.ok) return 'built in';
    loadCatalog(await response.text());
    return "the server's";
  } catch {
    return 'built in: the server could not be reached';
  }
}

/**
 * `#add-credits` (the add-credits link of notifications and the account menu)
 * opens the Add funds form of the Cloud Credits tab; `#build-credits` opens the
 * Build Credits tab.
 */
function followBillingLinks(dashboard, tabs) {
  const go = () => {
    if (!dashboard.account) return;
    if (location.hash === '#add-credits') {
      tabs.select('cloud-credits');
      const form = document.getElementById('add-credits');
      form.scrollIntoView({ block: 'center' });
      form.querySelector('input')?.focus();
    } else if (location.hash === '#build-credits') {
      tabs.select('build-credits', { focus: true });
      document.getElementById('billing-tabs').scrollIntoView({ block: 'start' });
    }
  };
  window.addEventListener('hashchange', go);
  // The link the page was opened with is followed once the owner is signed in (now or after signing in).
  const whenSignedIn = () => {
    if (!dashboard.account) return;
    dashboard.removeEventListener('change', whenSignedIn);
    go();
  };
  dashboard.addEventListener('change', whenSignedIn);
}
