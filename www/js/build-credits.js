// The Build Credits tab of Billing: what building the app in the editor has
// left to spend (whole credits, never USD), subscription versus usage
// credits, the plan with its renewal and an upgrade link, packs of usage
// credits to top up as you go, and the last 30 days of build activity.
// Account-wide: build credits belong to the account, not to a project.

import { formatUsd } from 'rork-cloud-credits';
import { api } from './api.js';
import { describe } from './errors.js';
import { h, fill, loading, localTime, say, table } from './dom.js';
import { PaymentKeys } from './ids.js';
import { paymentSelect } from './payment.js';
import { save } from './save.js';

/** What each kind of build activity is, in the seed's words. */
const BUILD_KIND_LABELS = {
  chat: 'Agent chat messages',
  build: 'Builds and previews',
  asset: 'Asset generation',
  publish: 'Publishing',
};

/** The label of a build activity kind (the kind itself for one this page does not know). */
export const buildKindLabel = (kind) => BUILD_KIND_LABELS[kind] ?? kind;

/** Recent entries shown at first; "Show older activity" and highlighting read up to `ALL`. */
const FIRST = 20;
/** The most `GET /v1/build-credits` returns (`limit` 1–200). */
const ALL = 200;

/**
 * Builds the tab into `#build-credits` and keeps it in step with `dashboard`.
 * Returns `{ highlight(ids) }`: marks those activity rows (from a charge
 * review), reading older activity when they are not shown yet.
 */
export function setUpBuildCredits(dashboard) {
  const root = document.getElementById('build-credits');
  const view = build(dashboard);
  let limit = FIRST;
  let highlighted = new Set();
  let generation = 0;

  const load = async () => {
    const mine = ++generation;
    if (!dashboard.account) {
      view.reset();
      return;
    }
    if (!root.contains(view.element)) fill(root, view.element);
    try {
      const summary = await api.buildCredits(limit);
      if (mine === generation) view.show(summary, dashboard.account, highlighted, limit);
    } catch (error) {
      if (mine === generation) view.failed(error);
    }
  };

  view.onShowOlder(() => {
    limit = ALL;
    return load();
  });

  // An account change (sign-in, a purchase, the app's activity) reads the summary again, at most every 300 ms.
  let timer = null;
  dashboard.addEventListener('change', () => {
    clearTimeout(timer);
    timer = setTimeout(load, root.contains(view.element) ? 300 : 0);
  });

  return {
    async highlight(ids) {
      highlighted = new Set(ids);
      if (ids.some((id) => !view.shows(id))) limit = ALL;
      clearTimeout(timer);
      await load();
      view.focusHighlighted();
    },
  };
}

function build(dashboard) {
  const remaining = h('p', { class: 'balance-usd', 'data-testid': 'build-remaining' });
  const split = h('p', { class: 'small', 'data-testid': 'build-split' });
  const plan = h('p', { 'data-testid': 'build-plan' });
  const upgrade = h('a', { class: 'button-link', target: '_blank', rel: 'noopener' }, 'Upgrade plan');
  const renewal = h('p', { class: 'small muted', 'data-testid': 'build-renewal' });
  const problem = h('p', { class: 'notice error', role: 'alert', hidden: true });
  const packs = packsForm(dashboard);
  const kinds = h('div', { class: 'table-wrap' });
  const recent = h('div', { class: 'table-wrap build-activity', tabindex: 0, role: 'region', 'aria-label': 'Recent build activity' });
  const older = h('button', { type: 'button', class: 'link', hidden: true }, 'Show older activity');
  const found = h('p', { class: 'small', role: 'status' });
  let shown = new Set();

  const element = h('div', {},
    h('p', { class: 'role-note' }, 'Build credits pay for building your app in the editor: agent chat, builds and previews, assets, publishing. They belong to your account (all projects) and are separate from Cloud Credits.'),
    problem,
    h('div', { class: 'panel-grid' },
      h('div', { class: 'panel-balance' },
        h('h3', {}, 'Remaining build credits'),
        remaining, split, plan, upgrade, renewal),
      packs.element),
    h('h3', {}, 'Spent in the last 30 days'), kinds,
    h('h3', {}, 'Recent build activity'), found, recent, older);

  return {
    element,
    onShowOlder(handler) {
      older.addEventListener('click', handler);
    },
    shows: (id) => shown.has(id),
    reset() {
      shown = new Set();
      fill(recent, loading('build activity'));
    },
    failed(error) {
      problem.hidden = false;
      problem.textContent = describe(error);
    },
    show(summary, account, highlighted, limit) {
      problem.hidden = true;
      remaining.textContent = `${summary.remaining} credits`;
      split.textContent = `${summary.subscription} subscription credits · ${summary.usage} usage credits`;
      fill(plan, h('strong', {}, `${summary.plan.name} plan`),
        ` · ${summary.plan.monthlyCredits} credits a month · ${formatUsd(summary.plan.priceUsd)} a month`);
      upgrade.href = summary.upgradeUrl;
      renewal.textContent = `Renews ${localTime(summary.renewsAt)} (period began ${localTime(summary.periodStart)}). `
        + 'Unused subscription credits expire at renewal; usage credits never expire.';
      packs.show(summary.packs);
      fill(kinds, table({
        caption: 'Build credits by kind of activity, last 30 days',
        columns: ['Activity', 'Credits', 'Times'],
        rows: summary.byKind.map((k) => [buildKindLabel(k.kind), String(k.credits), String(k.count)]),
      }));
      shown = new Set(summary.recent.map((a) => a.id));
      fill(recent, activityTable(summary.recent, account, highlighted));
      older.hidden = summary.recent.length < limit;
      const marked = summary.recent.filter((a) => highlighted.has(a.id)).length;
      found.textContent = highlighted.size
        ? `${marked} of ${highlighted.size} entries from your charge review are highlighted below.`
        : '';
    },
    focusHighlighted() {
      const row = recent.querySelector('tr.highlight');
      row?.scrollIntoView({ block: 'center' });
      row?.focus();
    },
  };
}

function activityTable(activity, account, highlighted) {
  if (!activity.length) return h('p', { class: 'muted' }, 'No build activity in the last 30 days.');
  const projectName = (id) => account.projects.find((p) => p.id === id)?.name ?? id;
  return table({
    caption: 'Build activity of the last 30 days, newest first',
    columns: ['When', 'Project', 'Activity', 'Details', 'Credits', 'Paid from'],
    rows: activity.map((a) => [
      localTime(a.occurredAt), projectName(a.projectId), buildKindLabel(a.kind),
      a.description, String(a.credits), paidFrom(a),
    ]),
    rowAttributes: (index) => {
      const a = activity[index];
      const marked = highlighted.has(a.id);
      return { id: `build-activity-${a.id}`, class: marked ? 'highlight' : null, tabindex: marked ? -1 : null };
    },
  });
}

/** Which balance paid: "12 subscription", "3 usage" or "10 subscription + 2 usage". */
function paidFrom({ subscriptionCredits, usageCredits }) {
  return [[subscriptionCredits, 'subscription'], [usageCredits, 'usage']]
    .filter(([credits]) => credits > 0)
    .map(([credits, bucket]) => `${credits} ${bucket}`)
    .join(' + ');
}

/** "Top up as you go": a pack of usage credits, paid through the same provider as Cloud Credits top-ups. */
function packsForm(dashboard) {
  const choices = h('div', { class: 'pack-choices', role: 'radiogroup', 'aria-labelledby': 'packs-title' });
  const method = paymentSelect('method', 'pack-method');
  const submit = h('button', { type: 'submit' }, 'Buy credits');
  const message = h('p', { class: 'form-message', role: 'alert' });
  const keys = new PaymentKeys();
  let packs = [];

  const form = h('form', { class: 'panel-form', id: 'buy-build-credits', 'aria-labelledby': 'packs-title', novalidate: true },
    h('h3', { id: 'packs-title' }, 'Top up as you go'),
    h('p', { class: 'small muted' }, 'Usage credits are spent after your subscription credits and never expire.'),
    choices,
    h('label', { for: 'pack-method' }, 'Pay with'), method,
    submit, message);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = packs.find((p) => p.id === form.elements.pack?.value);
    if (!chosen) {
      say(message, 'Choose a pack of credits.');
      return;
    }
    const key = keys.keyFor(`${chosen.id} ${method.value}`);
    const error = await save(submit, message, () => api.buyBuildPack(chosen.id, method.value, key), dashboard,
      `Added ${chosen.credits} usage credits for ${formatUsd(chosen.priceUsd)}.`);
    keys.settle(error);
  });

  return {
    element: form,
    show(list) {
      const picked = form.elements.pack?.value ?? list[0]?.id;
      packs = list;
      fill(choices, list.map((p) => h('label', { class: 'check pack' },
        h('input', { type: 'radio', name: 'pack', value: p.id, checked: p.id === picked }),
        `${p.credits} credits · ${formatUsd(p.priceUsd)}`)));
    },
  };
}
