import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Colors,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { csvButton } from './csv';

// Only what these charts use is registered, so the bundle carries only that (Chart.js is tree-shaken).
Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  DoughnutController,
  ArcElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
  Colors,
);

export interface ChartSpec {
  id: string;
  title: string;
  kind: 'line' | 'bar' | 'horizontal-bar' | 'doughnut';
  labels: string[];
  values: number[];
  /** Column headers of the chart's table. */
  labelHeader: string;
  valueHeader: string;
  /** Where the numbers come from (field and window), shown under the chart. */
  source: string;
  /** Opens the rows behind one label (a click on the chart or on the label in the table). */
  drill?: { describe: (label: string) => string; open: (index: number) => void };
}

const charts = new Map<string, Chart>();

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function configurationOf(spec: ChartSpec): ChartConfiguration {
  const dataset = { label: spec.valueHeader, data: spec.values };
  const onClick = spec.drill
    ? (_event: unknown, elements: { index: number }[]) => {
        if (elements[0]) spec.drill!.open(elements[0].index);
      }
    : undefined;
  const common = { animation: false as const, responsive: true, maintainAspectRatio: false, onClick };
  if (spec.kind === 'doughnut') {
    return {
      type: 'doughnut',
      data: { labels: spec.labels, datasets: [dataset] },
      options: { ...common, plugins: { legend: { position: 'bottom' } } },
    };
  }
  const horizontal = spec.kind === 'horizontal-bar';
  return {
    type: spec.kind === 'line' ? 'line' : 'bar',
    data: { labels: spec.labels, datasets: [dataset] },
    options: {
      ...common,
      indexAxis: horizontal ? 'y' : 'x',
      plugins: { legend: { display: false } },
      scales: { [horizontal ? 'x' : 'y']: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
}

/** The chart's numbers as a table, for screen readers and for reading exact values. */
function tableOf(spec: ChartSpec): HTMLTableElement {
  const rows = spec.labels.map((label, index) => {
    const labelCell = spec.drill
      ? element(
          'th',
          { scope: 'row' },
          element('button', { type: 'button', class: 'link', 'aria-label': spec.drill.describe(label) }, label),
        )
      : element('th', { scope: 'row' }, label);
    labelCell.querySelector('button')?.addEventListener('click', () => spec.drill!.open(index));
    return element('tr', {}, labelCell, element('td', {}, spec.values[index].toLocaleString('en')));
  });
  return element(
    'table',
    {},
    element('caption', {}, `${spec.title}: the numbers`),
    element(
      'thead',
      {},
      element(
        'tr',
        {},
        element('th', { scope: 'col' }, spec.labelHeader),
        element('th', { scope: 'col' }, spec.valueHeader),
      ),
    ),
    element(
      'tbody',
      {},
      ...(rows.length > 0 ? rows : [element('tr', {}, element('td', { colspan: '2' }, 'No data in this period.'))]),
    ),
  );
}

/** Draws (or redraws) one chart with its table in `container`. */
export function renderChart(container: HTMLElement, spec: ChartSpec): void {
  charts.get(spec.id)?.destroy();
  const canvas = element('canvas', {
    role: 'img',
    'aria-label': `${spec.title} (chart; its numbers are in the table below)`,
  });
  const figure = element(
    'figure',
    { id: `chart-${spec.id}`, class: `chart ${spec.kind}` },
    element('h2', {}, spec.title),
    element('div', { class: 'canvas' }, canvas),
    element('figcaption', {}, spec.source),
    element(
      'details',
      {},
      element('summary', {}, 'Numbers'),
      tableOf(spec),
      csvButton(`${spec.id}.csv`, [spec.labelHeader, spec.valueHeader], () =>
        spec.labels.map((label, index) => [label, String(spec.values[index])]),
      ),
    ),
  );
  const existing = container.querySelector(`#chart-${spec.id}`);
  if (existing) existing.replaceWith(figure);
  else container.append(figure);
  charts.set(spec.id, new Chart(canvas, configurationOf(spec)));
}
