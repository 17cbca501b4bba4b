// Which project the simulated app runs as: `?project=<id>&key=<pk_...>`
// (remembered for the tab, so the add-credits link keeps the same app), or
// the seeded demo project from `GET /v1/demo`.

import { describe } from './errors.js';

const REMEMBERED = 'rcc-demo-app';

/** `{ ok: true, value: { projectId, publishableKey } }` or `{ ok: false, message }`. */
export async function appConfig(params, api) {
  const key = params.get('key');
  const project = params.get('project');
  if (key && project) {
    const value = { projectId: project, publishableKey: key };
    sessionStorage.setItem(REMEMBERED, JSON.stringify(value));
    return { ok: true, value };
  }
  const remembered = readRemembered();
  if (remembered && (!project || remembered.projectId === project)) return { ok: true, value: remembered };
  try {
    const demo = await api.demo();
    return { ok: true, value: { projectId: demo.projectId, publishableKey: demo.publishableKey } };
  } catch (error) {
    return {
      ok: false,
      message: error.code === 'not_found'
        ? 'No demo project here: start the server with --seed-demo, or open this page with ?project=<id>&key=<pk_...>.'
        : describe(error),
    };
  }
}

function readRemembered() {
  try {
    const value = JSON.parse(sessionStorage.getItem(REMEMBERED) ?? 'null');
    return typeof value?.projectId === 'string' && typeof value?.publishableKey === 'string' ? value : null;
  } catch {
    return null;
  }
}
