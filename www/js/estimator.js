// The cost estimator: pick a model from the catalog (searchable), type token
// counts (or units, for image/video/audio/embedding and other unit-billed
// entries) and see the exact estimate, with its lines, update as you type.
// Everything runs in the SDK, offline.

import { estimateCost, formatUsd } from 'rork-cloud-credits';
import { h, fill } from './dom.js';

const UNIT_LABELS = {
  image: 'Images',
  second: 'Seconds',
  character: 'Characters',
  token: 'Tokens',
  query: 'Search queries',
  invocation: 'Invocations',
};

const LINE_LABELS = {
  input: 'Input tokens',
  cachedInput: 'Cached input tokens',
  cacheWrite: 'Cache-write tokens',
  output: 'Output tokens',
  units: 'Units',
};

/** Builds the estimator into `#estimator-body` for the catalog `models` (from `listModels()`). */
export function setUpEstimator(models) {
  const root = document.getElementById('estimator-body');
  const search = h('input', { id: 'model-search', type: 'search', autocomplete: 'off', placeholder: 'gpt, claude, image…', 'aria-controls': 'model-select' });
  const select = h('select', { id: 'model-select', size: 6 });
  const matches = h('p', { class: 'small muted', 'aria-live': 'polite' });
  const field = (id, label, value) => h('label', { for: id }, label,
    h('input', { id, type: 'number', min: 0, step: 1, inputmode: 'numeric', value }));
  const tokenFields = h('fieldset', { class: 'counts' }, h('legend', {}, 'Tokens'),
    field('est-input', 'Input tokens (whole prompt)', '1000'),
    field('est-cached', 'Cached input tokens', '0'),
    field('est-output', 'Output tokens', '500'));
  const unitLabel = h('span', {}, 'Units');
  const unitFields = h('fieldset', { class: 'counts' }, h('legend', {}, 'Units'),
    h('label', { for: 'est-units' }, unitLabel, h('input', { id: 'est-units', type: 'number', min: 0, step: 1, inputmode: 'numeric', value: '1' })));
  const result = h('div', { class: 'estimate', id: 'estimate', 'aria-live': 'polite', 'aria-atomic': 'true' });

  fill(root, h('div', { class: 'estimator' },
    h('div', { class: 'picker' },
      h('label', { for: 'model-search' }, 'Search models'), search,
      h('label', { for: 'model-select' }, 'Model'), select, matches),
    h('div', { class: 'inputs' }, tokenFields, unitFields),
    result));

  const byId = new Map(models.map((m) => [m.id, m]));
  const list = (query) => {
    const q = query.trim().toLowerCase();
    const found = models.filter((m) => !q || [m.id, m.name, m.provider, m.kind, ...m.aliases].some((s) => s.toLowerCase().includes(q)));
    const current = select.value;
    fill(select, found.map((m) => h('option', { value: m.id }, `${m.name} · ${m.provider} · ${m.kind}`)));
    select.value = found.some((m) => m.id === current) ? current : (found[0]?.id ?? '');
    matches.textContent = found.length === models.length ? `${models.length} models` : `${found.length} of ${models.length} models match`;
  };

  const update = () => {
    const model = byId.get(select.value);
    if (!model) {
      fill(result, h('p', { class: 'muted' }, 'No model matches the search.'));
      return;
    }
    const byUnit = model.unit !== null;
    tokenFields.hidden = byUnit;
    unitFields.hidden = !byUnit;
    unitLabel.textContent = UNIT_LABELS[model.unit] ?? 'Units';
    const count = (id) => document.getElementById(id).valueAsNumber;
    const request = byUnit
      ? { model: model.id, units: count('est-units') }
      : { model: model.id, inputTokens: count('est-input'), cachedInputTokens: count('est-cached'), outputTokens: count('est-output') };
    try {
      render(result, estimateCost(request));
    } catch (error) {
      fill(result, h('p', { class: 'form-message', 'data-kind': 'error', role: 'alert', 'data-testid': 'estimate-error' }, error.message));
    }
  };

  search.addEventListener('input', () => {
    list(search.value);
    update();
  });
  select.addEventListener('change', update);
  root.addEventListener('input', (event) => {
    if (event.target.type === 'number') update();
  });
  list('');
  select.value = byId.has('gpt-4o') ? 'gpt-4o' : select.value;
  update();
}

function render(result, estimate) {
  fill(result,
    h('p', { class: 'estimate-total' },
      h('span', { 'data-testid': 'estimate-total' }, estimate.total), ' USD',
      h('span', { class: 'muted' }, ` ≈ ${formatUsd(estimate.total)}`)),
    h('p', { class: 'small muted' }, `${estimate.model} · price list ${estimate.catalogVersion} · exact, rounded only in the ≈ figure`),
    h('table', { class: 'data lines' },
      h('caption', {}, 'Line breakdown'),
      h('thead', {}, h('tr', {}, ['Line', 'Quantity', 'Unit price (USD)', 'Cost (USD)'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, estimate.lines.length
        ? estimate.lines.map((line) => h('tr', { dataset: { line: line.kind } },
          h('td', {}, LINE_LABELS[line.kind] ?? line.kind),
          h('td', { class: 'num' }, String(line.quantity)),
          h('td', { class: 'num' }, line.unitPrice),
          h('td', { class: 'num' }, line.cost)))
        : h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'Nothing used: $0.')))));
}
