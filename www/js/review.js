// "If a charge looks wrong": recent Cloud Credits activity of the selected
// project; pick a charge (or enter a time), and the page asks the server to
// classify it as build or cloud activity, gathers the project link, the
// approximate time and the action, and files a support report.

import { formatUsd } from 'rork-cloud-credits';
import { api } from './api.js';
import { describe } from './errors.js';
import { h, fill, loading, localTime, say, table } from './dom.js';
import { buildKindLabel } from './build-credits.js';

const KIND_LABELS = {
  grant: 'Free credit', top_up: 'Top-up', auto_top_up: 'Auto top-up', hold: 'Reserved',
  release: 'Released', usage: 'Usage', adjustment: 'Adjustment',
};

const VERDICT = {
  build: 'This was build activity (inside the editor): it was paid from build credits, not Cloud Credits.',
  cloud: 'This was cloud usage (your running app): it was paid from Cloud Credits.',
  unknown: 'Nothing was recorded around that time.',
};

/** Keeps `#review-body` in step with `dashboard`. */
export function setUpReview(dashboard) {
  const root = document.getElementById('review-body');
  const activity = h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Recent activity' });
  const charge = h('select', { id: 'review-charge' });
  const link = h('input', { id: 'review-link', type: 'url', required: true });
  const time = h('input', { id: 'review-time', type: 'datetime-local', required: true });
  const action = h('textarea', { id: 'review-action', rows: 2, required: true, placeholder: 'What were you or your app doing?' });
  const submit = h('button', { type: 'submit' }, 'File a support report');
  const message = h('p', { class: 'form-message', role: 'alert' });
  const result = h('div', { class: 'review-result', 'data-testid': 'review-result', 'aria-live': 'polite' });
  let entries = [];
  let generation = 0;

  const form = h('form', { class: 'review-form', novalidate: true },
    h('p', { class: 'small' }, 'First check whether it was build activity (inside the editor) or cloud usage (your running app). Pick the charge, or enter about when it happened; we gather the project link, the time and the action for support.'),
    h('label', { for: 'review-charge' }, 'Charge from recent activity'), charge,
    h('label', { for: 'review-time' }, 'Approximate time (your local time)'), time,
    h('label', { for: 'review-link' }, 'Project link'), link,
    h('label', { for: 'review-action' }, 'What happened'), action,
    submit, message);

  charge.addEventListener('change', () => {
    const entry = entries.find((e) => e.id === charge.value);
    if (!entry) return;
    time.value = toLocalInput(entry.createdAt);
    action.value = `${KIND_LABELS[entry.kind] ?? entry.kind} of ${entry.amountUsd} USD: ${entry.memo}`;
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const at = new Date(time.value);
    if (!time.value || Number.isNaN(at.getTime())) {
      say(message, 'Enter about when the charge happened.');
      time.focus();
      return;
    }
    if (!action.value.trim()) {
      say(message, 'Describe what you or your app were doing.');
      action.focus();
      return;
    }
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    say(message, '');
    try {
      const review = await api.chargeReview({
        projectLink: link.value.trim(),
        approximateTime: at.toISOString(),
        action: action.value.trim(),
      });
      showReview(result, review, link.value.trim());
    } catch (error) {
      say(message, describe(error));
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  const load = async (projectChanged) => {
    const project = dashboard.project;
    const mine = ++generation;
    if (!project) {
      fill(root, h('p', { class: 'muted' }, 'Sign in to review charges.'));
      return;
    }
    if (!root.contains(form)) {
      fill(root, h('h3', {}, 'Recent activity'), activity, form, result);
    }
    if (projectChanged) {
      link.value = `${location.origin}/?project=${project.id}`;
      fill(result);
      say(message, '');
    }
    if (!entries.length) fill(activity, loading('recent activity'));
    try {
      const page = await api.ledger(project.id, 20);
      if (mine !== generation) return;
      entries = page.entries;
      fill(activity, activityTable(entries));
      const picked = charge.value;
      fill(charge, h('option', { value: '' }, '— none: I will enter a time —'),
        entries.map((e) => h('option', { value: e.id }, `${localTime(e.createdAt)} · ${KIND_LABELS[e.kind] ?? e.kind} · ${e.amountUsd} USD`)));
      charge.value = entries.some((e) => e.id === picked) ? picked : '';
    } catch (error) {
      if (mine === generation) fill(activity, h('p', { class: 'notice error', role: 'alert' }, describe(error)));
    }
  };

  let timer = null;
  dashboard.addEventListener('change', (event) => {
    if (event.detail.projectChanged) entries = [];
    clearTimeout(timer);
    const changed = event.detail.projectChanged;
    timer = setTimeout(() => load(changed), changed ? 0 : 300);
  });
}

function activityTable(entries) {
  if (!entries.length) return h('p', { class: 'muted' }, 'No activity yet.');
  return table({
    caption: 'Recent Cloud Credits activity, newest first',
    columns: ['When', 'What', 'Amount (USD)', 'Balance after', 'Details'],
    rows: entries.map((e) => [localTime(e.createdAt), KIND_LABELS[e.kind] ?? e.kind, e.amountUsd, formatUsd(e.balanceAfterUsd), e.memo]),
  });
}

function showReview(result, review, projectLink) {
  fill(result,
    h('div', { class: 'notice', dataset: { classification: review.classification } },
      h('p', {}, h('strong', {}, 'Support report filed: '), h('code', { 'data-testid': 'review-id' }, review.id)),
      h('p', { 'data-testid': 'review-verdict' }, VERDICT[review.classification] ?? review.classification),
      review.classification === 'build' && review.buildActivity.length
        ? h('p', {}, h('a', { href: '#build-credits', onclick: (event) => showBuildActivity(event, review.buildActivity) },
          `See ${review.buildActivity.length === 1 ? 'this entry' : `these ${review.buildActivity.length} entries`} in Build Credits`))
        : null,
      h('p', { class: 'small' }, review.reason)),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Project link'), h('dd', {}, projectLink),
      h('dt', {}, 'Approximate time'), h('dd', {}, `${localTime(review.approximateTime)} (±${review.windowMinutes} min searched)`),
      h('dt', {}, 'Action'), h('dd', {}, review.action)),
    review.usageEvents.length ? table({
      caption: 'Cloud usage around that time',
      columns: ['When', 'Model', 'Feature', 'Cost (USD)'],
      rows: review.usageEvents.map((u) => [localTime(u.occurredAt), u.model, u.feature ?? '', u.costUsd]),
    }) : null,
    review.buildActivity.length ? table({
      caption: 'Build activity around that time (build credits)',
      columns: ['When', 'Kind', 'What', 'Credits'],
      rows: review.buildActivity.map((b) => [localTime(b.occurredAt), buildKindLabel(b.kind), b.description, String(b.credits)]),
    }) : null);
}

/** Asks the Billing tabs to show `activity` in the Build Credits tab (app.js listens). */
function showBuildActivity(event, activity) {
  event.preventDefault();
  document.dispatchEvent(new CustomEvent('show-build-activity', { detail: { ids: activity.map((b) => b.id) } }));
}

/** An RFC 3339 time as the value of a `datetime-local` input, in local time. */
function toLocalInput(iso) {
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
