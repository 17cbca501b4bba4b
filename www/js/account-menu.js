// The account menu behind the avatar (top right): both balances side by
// side, Credits (build credits) and Cloud Credits (USD), each explained in
// one line, plus the shortcuts of the real menu.

import { formatUsd } from 'rork-cloud-credits';
import { h, fill } from './dom.js';
import { statusLabel } from './status.js';

/** Wires the avatar button and its menu to `dashboard`. */
export function setUpAccountMenu(dashboard) {
  const button = document.getElementById('account-button');
  const menu = document.getElementById('account-menu');

  const close = ({ focusButton }) => {
    if (menu.hidden) return;
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (focusButton) button.focus();
  };
  const open = () => {
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    menu.querySelector('a, button')?.focus();
  };

  button.addEventListener('click', () => (menu.hidden ? open() : close({ focusButton: false })));
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close({ focusButton: true });
  });
  document.addEventListener('click', (event) => {
    if (!menu.contains(event.target) && event.target !== button) close({ focusButton: false });
  });
  menu.addEventListener('click', (event) => {
    if (event.target.closest('a')) close({ focusButton: false });
  });

  dashboard.addEventListener('change', () => {
    const { account, project } = dashboard;
    button.hidden = account === null;
    if (account === null) {
      close({ focusButton: false });
      return;
    }
    button.textContent = account.email.slice(0, 1).toUpperCase();
    // Re-rendering an open menu keeps keyboard focus on the same control.
    const controls = () => [...menu.querySelectorAll('a, button')];
    const focused = controls().indexOf(document.activeElement);
    fill(menu, render(account, project, () => dashboard.signOut().catch(() => {})));
    if (focused >= 0) controls()[focused]?.focus();
  });
}

function render(account, project, signOut) {
  const { subscription, usage } = account.buildCredits;
  return [
    h('p', { class: 'menu-who' }, h('strong', {}, account.email), h('span', { class: 'muted' }, ` · ${account.plan} plan`)),
    h('div', { class: 'balances' },
      h('div', { class: 'balance-box', 'data-balance': 'build' },
        h('h3', {}, 'Credits'),
        h('p', { class: 'big', 'data-testid': 'build-credits' }, String(subscription + usage)),
        h('p', { class: 'small' }, `${subscription} subscription credits · ${usage} usage credits · ${account.plan} plan`),
        h('p', { class: 'explain' }, 'Build credits pay for building your app in Rork: agent chat, builds, assets, publishing.')),
      h('div', { class: 'balance-box', 'data-balance': 'cloud' },
        h('h3', {}, 'Cloud Credits'),
        project
          ? [
            h('p', { class: 'big', 'data-testid': 'cloud-credits' }, formatUsd(project.balance.balanceUsd)),
            h('p', { class: 'small' }, `${project.name} · ${statusLabel(project.balance)}`),
          ]
          : h('p', { class: 'small' }, 'No project yet'),
        h('p', { class: 'explain' }, 'Cloud Credits (USD) pay for the AI and cloud features your app uses while it runs.'))),
    h('ul', { class: 'menu-links' },
      h('li', {}, h('a', { href: 'https://rork.com/pricing', target: '_blank', rel: 'noopener' }, 'Upgrade subscription')),
      h('li', {}, h('a', { href: '#add-credits' }, 'Buy Cloud Credits')),
      h('li', {}, h('a', { href: '#billing' }, 'Open Billing')),
      h('li', {}, h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'))),
  ];
}
