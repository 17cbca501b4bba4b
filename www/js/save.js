// Running one change of the owner's dashboard: its control busy, its outcome
// said in its form, the account read again after it.

import { describe } from './errors.js';
import { say } from './dom.js';

/**
 * Runs `request` with `control` disabled, then refreshes the account; reports
 * the outcome in `slot`. Resolves with the error, or `null` on success.
 */
export async function save(control, slot, request, dashboard, success = 'Saved.') {
  control.disabled = true;
  control.setAttribute('aria-busy', 'true');
  say(slot, '');
  try {
    await request();
    await dashboard.refresh();
    say(slot, success, 'ok');
    return null;
  } catch (error) {
    say(slot, describe(error));
    return error;
  } finally {
    control.disabled = false;
    control.removeAttribute('aria-busy');
  }
}
