// Signing in to the billing dashboard (prefilled for the demo account) and
// the project picker.

import { describe } from './errors.js';
import { h, fill, say } from './dom.js';

/** Wires the sign-in form and the project picker to `dashboard`. */
export function setUpSession(dashboard) {
  const form = document.getElementById('sign-in');
  const board = document.getElementById('dashboard');
  const picker = document.getElementById('project-select');
  const message = form.querySelector('[data-for="sign-in"]');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    say(message, '');
    form.setAttribute('aria-busy', 'true');
    try {
      await dashboard.signIn(form.email.value, form.password.value);
    } catch (error) {
      say(message, error.code === 'unauthorized' ? 'That email and password do not match an account.' : describe(error));
    } finally {
      button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  picker.addEventListener('change', () => dashboard.select(picker.value));

  dashboard.addEventListener('change', () => {
    const signedIn = dashboard.account !== null;
    document.getElementById('billing-loading').hidden = true;
    form.hidden = signedIn;
    board.hidden = !signedIn;
    if (!signedIn) return;
    fill(picker, dashboard.account.projects.map((p) =>
      h('option', { value: p.id, selected: p.id === dashboard.projectId }, p.name)));
  });
}

/** Loads the account if an earlier visit signed in; otherwise shows the sign-in form. */
export async function resumeSession(dashboard, onError) {
  if (!dashboard.probablySignedIn) {
    dashboard.setAccount(null);
    return;
  }
  try {
    await dashboard.refresh();
  } catch (error) {
    dashboard.setAccount(null);
    if (error.code !== 'unauthorized') onError(error);
  }
}
