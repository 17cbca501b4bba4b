// The "Available AI models" table: prices per 1M tokens (a dash for
// unit-billed models), sortable by any column, exactly (prices are compared
// as decimal strings, never as floats).

import { h, fill } from './dom.js';
import { compareDecimal } from './money.js';

const DASH = '—';

const COLUMNS = [
  { key: 'name', label: 'Model', text: (m) => m.name, compare: (a, b) => a.name.localeCompare(b.name) },
  { key: 'provider', label: 'Provider', text: (m) => m.provider, compare: (a, b) => a.provider.localeCompare(b.provider) },
  { key: 'kind', label: 'Type', text: (m) => m.kind, compare: (a, b) => a.kind.localeCompare(b.kind) },
  price('inputPer1M', 'Input / 1M tokens'),
  price('cachedInputPer1M', 'Cached input / 1M'),
  price('outputPer1M', 'Output / 1M tokens'),
  {
    key: 'pricePerUnit', label: 'Other pricing', numeric: true,
    text: (m) => (m.pricePerUnit === null ? DASH : `$${m.pricePerUnit} / ${m.unit}`),
    compare: (a, b) => compareDecimal(a.pricePerUnit, b.pricePerUnit),
  },
];

function price(key, label) {
  return {
    key, label, numeric: true,
    text: (m) => (m[key] === null ? DASH : `$${m[key]}`),
    compare: (a, b) => compareDecimal(a[key], b[key]),
  };
}

/** Builds the sortable table into `#models-table`. */
export function setUpModelsTable(models) {
  const root = document.getElementById('models-table');
  let sort = { key: null, direction: 'ascending' };

  const draw = () => {
    const column = COLUMNS.find((c) => c.key === sort.key);
    const rows = column
      ? [...models].sort((a, b) => {
        // Dashes stay last in both directions.
        const dashA = column.numeric && a[column.key] === null;
        const dashB = column.numeric && b[column.key] === null;
        if (dashA !== dashB) return dashA ? 1 : -1;
        const order = column.compare(a, b);
        return sort.direction === 'ascending' ? order : -order;
      })
      : models;
    fill(root, h('table', { class: 'data models' },
      h('caption', { class: 'sr-only' }, 'Available AI models, sortable by each column'),
      h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', {
        scope: 'col', 'aria-sort': c.key === sort.key ? sort.direction : 'none', class: c.numeric ? 'num' : null,
      }, h('button', {
        type: 'button', class: 'sort', dataset: { sort: c.key },
        onclick: () => {
          sort = { key: c.key, direction: sort.key === c.key && sort.direction === 'ascending' ? 'descending' : 'ascending' };
          draw();
          root.querySelector(`button[data-sort="${c.key}"]`).focus();
        },
      }, c.label, h('span', { class: 'arrow', 'aria-hidden': 'true' }, c.key !== sort.key ? '↕' : sort.direction === 'ascending' ? '▲' : '▼')))))),
      h('tbody', {}, rows.map((m) => h('tr', { dataset: { model: m.id } },
        COLUMNS.map((c) => h('td', { class: c.numeric ? 'num' : null }, c.text(m))))))));
  };
  draw();
}
