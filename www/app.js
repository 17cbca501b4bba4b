// The demo page: uses the npm package exactly as an app would.
import init, { catalogVersion, listModels } from 'rork-cloud-credits';

const status = document.getElementById('status');
try {
  await init();
  status.textContent = `SDK ready: ${listModels().length} models, price list ${catalogVersion()}.`;
  status.dataset.state = 'ready';
} catch (error) {
  status.textContent = `The SDK could not load: ${error.message}`;
  status.dataset.state = 'error';
}
