// Bundled by esbuild for the Chromium runs: the peers and the measuring loop, with our package
// imported from /dist/ at run time (exactly what an app would load).
import { measure, subjects } from './speed.mjs';

globalThis.runSpeed = async (options) => {
  const api = await import('/dist/rork_cloud_credits.js');
  await api.default();
  return measure(subjects(api), options);
};
