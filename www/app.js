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
  setUpUsage(dashboard);
  setUpReview(dashboard);
  document.addEventListener('app-activity', () => {
    if (dashboard.account) dashboard.refresh().catch(() => {});
  });
  followAddCreditsLinks(dashboard);
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

/** `#add-credits` (the add-credits link of notifications) opens the Add funds form. */
function followAddCreditsLinks(dashboard) {
  const go = () => {
    if (location.hash !== '#add-credits' || !dashboard.account) return;
    const form = document.getElementById('add-credits');
    form.scrollIntoView({ block: 'center' });
    form.querySelector('input')?.focus();
  };
  window.addEventListener('hashchange', go);
  dashboard.addEventListener('change', go, { once: true });
}
