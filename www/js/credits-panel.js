// The Cloud Credits panel of the billing dashboard: USD balance and status,
// Add funds ($5 to $200, checked as the user types and enforced by the
// server), the "Use Cloud Credits" toggle, the low-balance email alert and
// auto top-up, and what the publishable key may spend (key-limits.js).

import { formatUsd } from 'rork-cloud-credits';
import { api } from './api.js';
import { h, fill, say } from './dom.js';
import { checkTopUp } from './money.js';
import { statusLabel, statusKey } from './status.js';
import { PaymentKeys } from './ids.js';
import { keyLimitsForm } from './key-limits.js';
import { paymentSelect } from './payment.js';
import { save as saveChange } from './save.js';

/** Builds the panel into `#credits-panel` and keeps it in step with `dashboard`. */
export function setUpCreditsPanel(dashboard) {
  const root = document.getElementById('credits-panel');
  const view = build(dashboard);
  fill(root, view.element);
  dashboard.addEventListener('change', (event) => {
    const project = dashboard.project;
    root.hidden = project === null;
    if (project) view.update(project, event.detail.projectChanged);
  });
}

function build(dashboard) {
  const balance = h('p', { class: 'balance-usd', 'data-testid': 'balance' });
  const exact = h('p', { class: 'small muted', 'data-testid': 'balance-exact' });
  const badge = h('span', { class: 'badge', 'data-testid': 'status' });
  const held = h('p', { class: 'small' });
  const legacy = h('p', { class: 'notice', 'data-testid': 'legacy-note', role: 'note' });

  const toggle = h('button', { type: 'button', role: 'switch', class: 'switch', id: 'use-cloud', 'aria-describedby': 'use-cloud-help' },
    h('span', { class: 'knob', 'aria-hidden': 'true' }));
  const toggleMessage = h('p', { class: 'form-message', role: 'alert' });
  toggle.addEventListener('click', async () => {
    const project = dashboard.project;
    const turnOn = toggle.getAttribute('aria-checked') !== 'true';
    await save(toggle, toggleMessage, () => api.settings(project.id, { useCloudCredits: turnOn }), dashboard,
      turnOn && !project.freeGrantReceived ? 'Cloud Credits are on. You received the one-time free $1.00.' : '');
  });

  const addFunds = addFundsForm(dashboard);
  const alerts = alertForm(dashboard);
  const autoTopUp = autoTopUpForm(dashboard);
  const limits = keyLimitsForm(dashboard, (control, slot, request, success) =>
    save(control, slot, request, dashboard, success));

  const element = h('div', { class: 'panel-grid' },
    h('div', { class: 'panel-balance' },
      h('h3', {}, 'Cloud Credits ', badge),
      balance, exact, held, legacy,
      h('div', { class: 'toggle-row' },
        h('label', { for: 'use-cloud' }, 'Use Cloud Credits'), toggle),
      h('p', { id: 'use-cloud-help', class: 'small muted' },
        'On: the app may use Rork AI Cloud and spends this balance. Off: legacy features only.'),
      toggleMessage),
    addFunds.element, alerts.element, autoTopUp.element, limits.element);

  return {
    element,
    update(project, projectChanged) {
      const b = project.balance;
      balance.textContent = formatUsd(b.balanceUsd);
      exact.textContent = `Exactly ${b.balanceUsd} USD · available ${b.availableUsd} USD`;
      badge.textContent = statusLabel(b);
      badge.dataset.status = statusKey(b);
      held.textContent = /^0(\.0+)?$/.test(b.heldUsd) ? '' : `${formatUsd(b.heldUsd)} reserved by AI calls in progress.`;
      toggle.setAttribute('aria-checked', String(b.useCloudCredits));
      legacy.hidden = b.useCloudCredits;
      legacy.textContent = 'Use Cloud Credits is off: the app stays on legacy features only, and its AI calls are refused.';
      if (projectChanged) {
        say(toggleMessage, '');
        addFunds.reset();
        alerts.load(project);
        autoTopUp.load(project);
        limits.load(project);
      }
    },
  };
}

/**
 * `saveChange` for a change to Cloud Credits: once it is made, the running
 * app reads its own balance again (it learns nothing else from the dashboard).
 */
function save(control, slot, request, dashboard, success) {
  return saveChange(control, slot, async () => {
    await request();
    document.dispatchEvent(new CustomEvent('billing-changed'));
  }, dashboard, success);
}

function addFundsForm(dashboard) {
  const amount = h('input', {
    id: 'topup-amount', name: 'amount', inputmode: 'decimal', autocomplete: 'off',
    'aria-describedby': 'topup-rule topup-check', placeholder: '25.00', required: true,
  });
  const check = h('p', { id: 'topup-check', class: 'field-check', 'aria-live': 'polite' });
  const message = h('p', { class: 'form-message', role: 'alert' });
  const method = paymentSelect('method', 'topup-method');
  const submit = h('button', { type: 'submit' }, 'Add funds');
  const keys = new PaymentKeys();

  const validate = () => {
    const result = checkTopUp(amount.value);
    amount.setAttribute('aria-invalid', String(!result.ok && amount.value !== ''));
    check.textContent = amount.value === '' ? '' : result.ok ? `You will add $${result.amount}.` : result.message;
    check.dataset.kind = result.ok ? 'ok' : 'error';
    return result;
  };
  amount.addEventListener('input', validate);

  const presets = h('div', { class: 'presets', role: 'group', 'aria-label': 'Common amounts' },
    ['5', '20', '50', '200'].map((value) => h('button', {
      type: 'button', class: 'chip', onclick: () => {
        amount.value = `${value}.00`;
        validate();
      },
    }, `$${value}`)));

  const form = h('form', { class: 'panel-form', id: 'add-credits', 'aria-labelledby': 'add-funds-title', novalidate: true },
    h('h3', { id: 'add-funds-title' }, 'Add funds'),
    h('p', { id: 'topup-rule', class: 'small muted' }, 'From $5 to $200 at a time, in dollars and cents.'),
    h('label', { for: 'topup-amount' }, 'Amount (USD)'),
    h('div', { class: 'money-input' }, h('span', { 'aria-hidden': 'true' }, '$'), amount),
    check, presets,
    h('label', { for: 'topup-method' }, 'Payment method'),
    method,
    submit, message);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = validate();
    if (!result.ok) {
      check.textContent = result.message;
      amount.focus();
      return;
    }
    const project = dashboard.project;
    const key = keys.keyFor(`${project.id} ${result.amount} ${method.value}`);
    const error = await save(submit, message,
      () => api.topUp(project.id, result.amount, method.value, key), dashboard,
      `Added $${result.amount} to ${project.name}.`);
    keys.settle(error);
    if (!error) {
      amount.value = '';
      validate();
    }
  });

  return {
    element: form,
    reset() {
      amount.value = '';
      validate();
      say(message, '');
    },
  };
}

function alertForm(dashboard) {
  const threshold = h('input', { id: 'alert-threshold', name: 'threshold', inputmode: 'decimal', required: true });
  const email = h('input', { id: 'alert-email', name: 'email', type: 'email', autocomplete: 'email', placeholder: 'you@example.com' });
  const message = h('p', { class: 'form-message', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Save alert');
  const form = h('form', { class: 'panel-form', 'aria-labelledby': 'alert-title', novalidate: true },
    h('h3', { id: 'alert-title' }, 'Low-balance email alert'),
    h('p', { class: 'small muted' }, 'One email each time the balance falls below the threshold. Leave the email empty to turn alerts off.'),
    h('label', { for: 'alert-threshold' }, 'Alert below (USD)'),
    h('div', { class: 'money-input' }, h('span', { 'aria-hidden': 'true' }, '$'), threshold),
    h('label', { for: 'alert-email' }, 'Email'), email,
    submit, message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = threshold.value.trim().replace(/^\$/, '');
    if (!/^\d{1,5}(\.\d{1,6})?$/.test(value)) {
      say(message, 'Enter the threshold in dollars, like 2 or 2.50.');
      threshold.focus();
      return;
    }
    await save(submit, message, () => api.settings(dashboard.project.id, {
      lowBalanceThresholdUsd: value, alertEmail: email.value.trim(),
    }), dashboard, email.value.trim() ? `Alert saved: email ${email.value.trim()} below $${value}.` : 'Saved: email alerts are off.');
  });
  return {
    element: form,
    load(project) {
      threshold.value = project.balance.lowBalanceThresholdUsd;
      email.value = project.alertEmail ?? '';
      say(message, '');
    },
  };
}

function autoTopUpForm(dashboard) {
  const enabled = h('input', { id: 'auto-enabled', name: 'enabled', type: 'checkbox' });
  const threshold = h('input', { id: 'auto-threshold', name: 'threshold', inputmode: 'decimal' });
  const amount = h('input', { id: 'auto-amount', name: 'amount', inputmode: 'decimal', 'aria-describedby': 'auto-check' });
  const cap = h('input', { id: 'auto-cap', name: 'cap', inputmode: 'decimal' });
  const method = paymentSelect('method', 'auto-method');
  const check = h('p', { id: 'auto-check', class: 'field-check', 'aria-live': 'polite' });
  const message = h('p', { class: 'form-message', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Save auto top-up');
  amount.addEventListener('input', () => {
    const result = checkTopUp(amount.value);
    check.textContent = result.ok ? '' : result.message;
    amount.setAttribute('aria-invalid', String(!result.ok));
  });
  const form = h('form', { class: 'panel-form', 'aria-labelledby': 'auto-title', novalidate: true },
    h('h3', { id: 'auto-title' }, 'Auto top-up'),
    h('p', { class: 'small muted' }, 'Refill automatically when the balance runs low, once each time it falls below the threshold.'),
    h('label', { class: 'check' }, enabled, ' Turn on auto top-up'),
    h('label', { for: 'auto-threshold' }, 'When the balance falls below (USD)'), threshold,
    h('label', { for: 'auto-amount' }, 'Add (USD, $5 to $200)'), amount, check,
    h('label', { for: 'auto-cap' }, 'At most per day (USD)'), cap,
    h('label', { for: 'auto-method' }, 'Payment method'), method,
    submit, message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const refill = checkTopUp(amount.value);
    const decimal = /^\d{1,5}(\.\d{1,2})?$/;
    if (!refill.ok) {
      say(message, refill.message);
      amount.focus();
      return;
    }
    if (!decimal.test(threshold.value.trim()) || !decimal.test(cap.value.trim())) {
      say(message, 'Enter the threshold and the daily cap in dollars, like 2 or 100.');
      return;
    }
    await save(submit, message, () => api.settings(dashboard.project.id, {
      autoTopUp: {
        enabled: enabled.checked,
        thresholdUsd: threshold.value.trim(),
        amountUsd: refill.amount,
        dailyCapUsd: cap.value.trim(),
        paymentMethod: method.value,
      },
    }), dashboard, enabled.checked ? 'Auto top-up is on.' : 'Auto top-up is off.');
  });
  return {
    element: form,
    load(project) {
      const auto = project.balance.autoTopUp;
      enabled.checked = auto.enabled;
      threshold.value = auto.thresholdUsd;
      amount.value = auto.amountUsd;
      cap.value = auto.dailyCapUsd;
      method.value = auto.paymentMethod;
      check.textContent = '';
      say(message, '');
    },
  };
}
