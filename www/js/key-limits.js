// The "Publishable key limits" form of the Cloud Credits panel: what anyone
// holding the project's publishable key (it is in every end user's browser)
// can cost, per key: spend per UTC hour and day, the largest hold, what it
// holds at once, the longest hold and the daily cap per end user; and how far
// the owner's own secret-key usage may take the balance below zero. The
// server enforces all of it (`PATCH /v1/keys/{id}`, `overdraftLimitUsd`).

import { api } from './api.js';
import { h, say } from './dom.js';

const DOLLARS = /^\d{1,5}(\.\d{1,2})?$/;

/** The money fields of a key's limits: wire name, input id, label. */
const MONEY_FIELDS = [
  ['spendPerHourUsd', 'limit-hour', 'Spend per hour (USD)'],
  ['spendPerDayUsd', 'limit-day', 'Spend per day (USD)'],
  ['maxHoldUsd', 'limit-hold', 'Largest single hold (USD)'],
  ['maxHeldUsd', 'limit-held', 'Held at once (USD)'],
];

/** The form; `save(control, slot, request, success)` runs a change and refreshes the dashboard. */
export function keyLimitsForm(dashboard, save) {
  const key = h('select', { id: 'limit-key', name: 'key' });
  const money = MONEY_FIELDS.map(([name, id, label]) => ({
    name, label, input: h('input', { id, name, inputmode: 'decimal', required: true }),
  }));
  const seconds = h('input', { id: 'limit-seconds', name: 'seconds', inputmode: 'numeric', required: true });
  const perUser = h('input', { id: 'limit-user', name: 'user', inputmode: 'decimal', placeholder: 'no cap' });
  const overdraft = h('input', { id: 'limit-overdraft', name: 'overdraft', inputmode: 'decimal', required: true });
  const message = h('p', { class: 'form-message', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Save limits');
  let keys = [];

  const show = () => {
    const limits = keys.find((k) => k.id === key.value)?.limits;
    if (!limits) return;
    for (const field of money) field.input.value = limits[field.name];
    seconds.value = String(limits.maxHoldSeconds);
    perUser.value = limits.endUserPerDayUsd ?? '';
  };
  key.addEventListener('change', show);

  const form = h('form', { class: 'panel-form', id: 'key-limits', 'aria-labelledby': 'limits-title', novalidate: true },
    h('h3', { id: 'limits-title' }, 'Publishable key limits'),
    h('p', { class: 'small muted' },
      'The publishable key is in every visitor\'s browser. Whoever holds it can spend at most this much, and never below a zero balance. Periods are UTC hours and days.'),
    h('label', { for: 'limit-key' }, 'Key'), key,
    money.flatMap(({ input, label }) => [h('label', { for: input.id }, label), input]),
    h('label', { for: 'limit-seconds' }, 'Longest hold (seconds, 1 to 3600)'), seconds,
    h('label', { for: 'limit-user' }, 'Per end user per day (USD, empty: no cap)'), perUser,
    h('label', { for: 'limit-overdraft' }, 'Your server\'s usage may go below zero by (USD)'), overdraft,
    submit, message);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const bad = money.find(({ input }) => !DOLLARS.test(input.value.trim()));
    if (bad || !DOLLARS.test(overdraft.value.trim()) || (perUser.value.trim() && !DOLLARS.test(perUser.value.trim()))) {
      say(message, 'Enter amounts in dollars and cents, like 5 or 2.50.');
      (bad?.input ?? overdraft).focus();
      return;
    }
    const lifetime = Number(seconds.value.trim());
    if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 3600) {
      say(message, 'The longest hold is 1 to 3600 seconds.');
      seconds.focus();
      return;
    }
    const limits = Object.fromEntries(money.map(({ name, input }) => [name, input.value.trim()]));
    limits.maxHoldSeconds = lifetime;
    if (perUser.value.trim()) limits.endUserPerDayUsd = perUser.value.trim();
    const project = dashboard.project;
    await save(submit, message, async () => {
      await api.keyLimits(key.value, limits);
      await api.settings(project.id, { overdraftLimitUsd: overdraft.value.trim() });
    }, 'Limits saved.');
  });

  return {
    element: form,
    load(project) {
      keys = project.publishableKeys;
      const selected = key.value;
      key.replaceChildren(...keys.map((k) => h('option', { value: k.id }, k.prefix)));
      if (keys.some((k) => k.id === selected)) key.value = selected;
      form.hidden = keys.length === 0;
      show();
      overdraft.value = project.overdraftLimitUsd;
      say(message, '');
    },
  };
}
