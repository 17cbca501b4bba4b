// The simulated AI app ("Recipe Chat"): what an app built with Rork does at
// runtime. It knows only its project id and publishable key, and uses the
// SDK's CloudCredits client: each AI call is wrapped in guard → settle, tool
// usage is reported with reportUsage + flush, the balance is shown as it
// drops, and the project notification appears when credits run low or out.

import { CloudCredits, formatUsd } from 'rork-cloud-credits';
import { describe } from './errors.js';
import { h, fill } from './dom.js';
import { statusLabel, statusKey } from './status.js';

const CHAT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-6', 'gemini-2.5-flash'];
const IMAGE_MODEL = 'gpt-image-1.5';
const SEARCH_MODEL = 'web-search';
/** The most output a chat reply may use: what `guard` reserves for. */
const MAX_REPLY_TOKENS = 800;

/**
 * Starts the app for `config` (`{ projectId, publishableKey }`) in `#app-body`.
 * Dispatches `app-activity` on `document` after every call that may have spent
 * credits, and refreshes its balance on `billing-changed`.
 */
export function startApp(config) {
  const root = document.getElementById('app-body');
  let cc;
  try {
    cc = new CloudCredits({ baseUrl: location.origin, projectId: config.projectId, publishableKey: config.publishableKey });
  } catch (error) {
    fill(root, h('p', { class: 'notice error', role: 'alert' }, describe(error)));
    return;
  }

  const balance = h('p', { class: 'app-balance', 'data-testid': 'app-balance', 'aria-live': 'polite' }, 'Reading the balance…');
  const notice = h('div', { class: 'app-notice', 'data-testid': 'app-notice', role: 'alert', hidden: true });
  const problem = h('div', { class: 'notice error', 'data-testid': 'app-error', role: 'alert', hidden: true });
  const prompt = h('textarea', { id: 'chat-prompt', rows: 2 }, 'Suggest a quick dinner with leeks and potatoes.');
  const model = h('select', { id: 'chat-model' }, CHAT_MODELS.map((id) => h('option', { value: id }, id)));
  const chat = h('button', { type: 'button', id: 'chat-button' }, 'Chat');
  const image = h('button', { type: 'button', id: 'image-button' }, 'Image');
  const log = h('ol', { class: 'app-log', 'data-testid': 'app-log', 'aria-live': 'polite', reversed: true });
  const pending = h('p', { class: 'small muted', 'data-testid': 'app-pending' });
  let latest = null;

  fill(root,
    h('p', { class: 'small' }, `Project ${config.projectId} · publishable key ${config.publishableKey.slice(0, 11)}…`),
    balance, notice, problem,
    h('div', { class: 'app-actions' },
      h('label', { for: 'chat-prompt' }, 'Message'), prompt,
      h('label', { for: 'chat-model' }, 'Chat model'), model,
      h('div', { class: 'buttons' }, chat, image)),
    pending,
    h('h3', {}, 'What the app did'), log);

  const showBalance = (b) => {
    latest = b;
    fill(balance,
      h('span', { class: 'big' }, formatUsd(b.availableUsd)), ' available ',
      h('span', { class: 'badge', dataset: { status: statusKey(b) } }, statusLabel(b)),
      h('span', { class: 'small muted', 'data-testid': 'app-balance-exact' }, ` (exactly ${b.balanceUsd} USD)`));
    showNotice(b);
  };

  // The notice follows the balance's state; the server's notification, once raised, gives its wording.
  // (A hold can take the balance low before the usage that raises the notification is recorded.)
  let settledKind = null;
  const stateOf = (b) => (b.useCloudCredits ? b.status : 'off');
  const showNotice = async (b) => {
    const kind = stateOf(b);
    if (kind === settledKind) return;
    if (kind === 'ok') {
      settledKind = kind;
      notice.hidden = true;
      return;
    }
    let message;
    if (kind === 'off') {
      settledKind = kind;
      message = 'Cloud Credits are off for this project: the app runs on legacy features only and AI calls are refused.';
    } else {
      const found = (await cc.notifications().catch(() => [])).find((n) => n.kind === kind);
      if (stateOf(latest) !== kind) return;
      if (found) settledKind = kind;
      message = found?.message ?? (kind === 'empty'
        ? 'Cloud Credits have run out: AI features are paused until credits are added.'
        : `Cloud Credits are running low: ${formatUsd(b.availableUsd)} left.`);
    }
    notice.dataset.kind = kind;
    fill(notice, h('p', {}, message), h('a', { href: b.addCreditsUrl, class: 'button-link' }, 'Add credits'));
    notice.hidden = false;
  };

  const fail = (error) => {
    const link = latest && ['insufficient_credits', 'cloud_disabled'].includes(error.code)
      ? h('a', { href: latest.addCreditsUrl, class: 'button-link' }, error.code === 'cloud_disabled' ? 'Open Billing' : 'Add credits')
      : null;
    fill(problem, h('span', {}, describe(error)), link ? ' ' : null, link);
    problem.dataset.code = error.code ?? '';
    problem.hidden = false;
  };

  const readBalance = () => cc.balance({ refresh: true }).then(() => {
    problem.hidden = true;
  }, (error) => {
    fill(balance, h('span', { class: 'muted' }, 'Balance unavailable. '),
      h('button', { type: 'button', class: 'link', onclick: readBalance }, 'Retry'));
    fail(error);
  });

  const entry = (text) => log.prepend(h('li', {}, text));
  const updatePending = () => {
    const n = cc.pending();
    pending.textContent = n ? `${n} usage event${n === 1 ? '' : 's'} waiting to be sent (kept in this browser until delivered).` : '';
  };

  /** guard → the (simulated) AI call → settle with the actual usage. */
  const guarded = async (button, request, call, label) => {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    problem.hidden = true;
    try {
      const hold = await cc.guard(request);
      const actual = await call();
      const settlement = await hold.settle(actual);
      entry(`${label}: reserved ${hold.amountUsd} USD, charged ${settlement.event.costUsd ?? '0'} USD (${request.model}).`);
      return true;
    } catch (error) {
      entry(`${label}: not made — ${error.code ?? 'error'}.`);
      fail(error);
      return false;
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
      updatePending();
      document.dispatchEvent(new CustomEvent('app-activity'));
    }
  };

  chat.addEventListener('click', async () => {
    const text = prompt.value.trim() || 'Hello';
    const inputTokens = 200 + Math.ceil(text.length / 4);
    const request = { model: model.value, inputTokens, outputTokens: MAX_REPLY_TOKENS };
    const ok = await guarded(chat, request, async () => {
      await pause(250);
      return { ...request, outputTokens: 120 + (text.length % 200), feature: 'chat' };
    }, 'Chat reply');
    if (!ok) return;
    // The reply used a web search as a tool: reported as usage, delivered by flush().
    try {
      cc.reportUsage({ model: SEARCH_MODEL, units: 1, feature: 'chat-search' });
      const sent = await cc.flush();
      entry(`Web search: reported, ${sent.sent} sent, ${sent.pending} pending.`);
    } catch (error) {
      fail(error);
    }
    updatePending();
    readBalance();
  });

  image.addEventListener('click', async () => {
    const request = { model: IMAGE_MODEL, units: 1 };
    if (await guarded(image, request, async () => {
      await pause(250);
      return { ...request, feature: 'recipe-photo' };
    }, 'Image')) readBalance();
  });

  cc.on('balance', showBalance);
  cc.on('error', (error) => {
    if (error.eventId) fail(error);
  });
  document.addEventListener('billing-changed', readBalance);
  window.addEventListener('online', readBalance);
  readBalance();
  updatePending();
}

function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
