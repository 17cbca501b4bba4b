// Cloud Usage: where the account's Cloud Credits went in the last 30 days,
// by AI model, by project and per UTC day — a chart (chart.js) and the exact
// table behind each. The charts plot amounts as numbers for drawing only;
// the tables show the server's exact decimal strings.

import { Chart, BarController, BarElement, CategoryScale, LinearScale, Tooltip } from 'chart.js';
import { formatUsd } from 'rork-cloud-credits';
import { api } from './api.js';
import { describe } from './errors.js';
import { h, fill, loading, table } from './dom.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const DAYS = 30;
const VIEWS = [
  { groupBy: 'model', title: 'Spend by AI model', first: 'Model', horizontal: true },
  { groupBy: 'project', title: 'Spend by project', first: 'Project', horizontal: true },
  { groupBy: 'day', title: 'Spend per day', first: 'Day (UTC)', horizontal: false },
];

/** Keeps `#usage-body` in step with `dashboard`, and refreshes after app activity. */
export function setUpUsage(dashboard) {
  const root = document.getElementById('usage-body');
  const charts = [];
  let generation = 0;
  let timer = null;

  const load = async () => {
    const mine = ++generation;
    charts.splice(0).forEach((chart) => chart.destroy());
    if (!dashboard.account) {
      fill(root, h('p', { class: 'muted' }, 'Sign in to see usage.'));
      return;
    }
    if (!root.querySelector('.usage-grid')) fill(root, loading('usage'));
    root.setAttribute('aria-busy', 'true');
    try {
      const summaries = await Promise.all(VIEWS.map((view) => api.accountUsage(view.groupBy, DAYS)));
      if (mine !== generation) return;
      const total = summaries[0];
      fill(root,
        h('p', { class: 'usage-total' }, `${formatUsd(total.totalCostUsd)} spent in the last ${DAYS} days · ${total.totalEvents} events · exactly `,
          h('span', { 'data-testid': 'usage-total' }, total.totalCostUsd), ' USD'),
        h('div', { class: 'usage-grid' }, VIEWS.map((view, i) => panel(view, summaries[i], charts))));
    } catch (error) {
      if (mine !== generation) return;
      fill(root, h('p', { class: 'notice error', role: 'alert' }, describe(error), ' ',
        h('button', { type: 'button', class: 'link', onclick: load }, 'Retry')));
    } finally {
      root.removeAttribute('aria-busy');
    }
  };

  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(load, 300);
  };
  dashboard.addEventListener('change', soon);
  document.addEventListener('app-activity', soon);
}

function panel(view, summary, charts) {
  const id = `usage-${view.groupBy}`;
  const canvas = h('canvas', { role: 'img', 'aria-label': `${view.title}, last ${DAYS} days; the table below has the numbers` });
  const rows = summary.groups.map((g) => [
    view.groupBy === 'day' ? g.key : g.label,
    h('span', { class: 'num' }, g.costUsd),
    String(g.events),
    String(g.inputTokens),
    String(g.outputTokens),
    String(g.units),
  ]);
  const element = h('figure', { class: 'usage-panel', id, dataset: { group: view.groupBy } },
    h('figcaption', {}, h('h3', {}, view.title)),
    summary.groups.length ? h('div', { class: 'chart-box' }, canvas) : h('p', { class: 'muted' }, 'No usage in this period.'),
    h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': `${view.title} table` },
      table({
        caption: `${view.title} (USD, exact)`,
        columns: [view.first, 'Cost (USD)', 'Events', 'Input tokens', 'Output tokens', 'Units'],
        rows,
      })));
  if (summary.groups.length) {
    charts.push(new Chart(canvas, {
      type: 'bar',
      data: {
        labels: summary.groups.map((g) => (view.groupBy === 'day' ? g.key.slice(5) : g.label)),
        datasets: [{
          label: 'USD',
          // For drawing only: the table shows the exact amounts.
          data: summary.groups.map((g) => Number(g.costUsd)),
          backgroundColor: '#5c6bc0',
          borderColor: '#3949ab',
        }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: view.horizontal ? 'y' : 'x',
        plugins: { tooltip: { callbacks: { label: (item) => ` ${summary.groups[item.dataIndex].costUsd} USD` } } },
      },
    }));
  }
  return element;
}
