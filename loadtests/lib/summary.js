// handleSummary for every script: a Markdown report on stdout and in RESULTS_DIR, plus k6's JSON.
const RESULTS_DIR = (__ENV.RESULTS_DIR || 'loadtests/results').replace(/\/$/, '');

/** Trend statistics every script keeps (k6's default has no p(99)). */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'];

/** SPEC §10 targets: reported beside the pass bar (thresholds), not enforced by it. */
const TARGETS = [
  ['operation_duration', 'p(95)', (v) => v < 50, 'p95 < 50 ms (large seed, cache cold, 200 VUs)'],
  ['cache_hits{scenario:measure}', 'rate', (v) => v >= 0.8, 'hit rate ≥ 80% with the cache warm'],
];

function format(metric, stat, value) {
  if (value === undefined || value === null) return '—';
  if (metric.contains === 'time') return `${value.toFixed(1)} ms`;
  if (metric.type === 'rate') return `${(value * 100).toFixed(2)}%`;
  if (stat === 'rate') return `${value.toFixed(1)}/s`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function row(name, metric) {
  const v = metric.values;
  const cells = [];
  if (metric.type === 'trend') cells.push(...['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'].map((s) => `${s} ${format(metric, s, v[s])}`));
  else if (metric.type === 'rate') cells.push(format(metric, 'rate', v.rate), `${v.passes} of ${v.passes + v.fails}`);
  else if (metric.type === 'counter') cells.push(`${v.count}`, format(metric, 'rate', v.rate));
  else cells.push(...Object.entries(v).map(([s, x]) => `${s} ${format(metric, s, x)}`));
  return `| \`${name}\` | ${cells.join(', ')} |`;
}

export function markdownReport(name, data) {
  const metrics = data.metrics;
  const lines = [`# k6 ${name} — ${new Date().toISOString()}`, ''];
  const state = data.state || {};
  lines.push(`Target: ${__ENV.BASE_URL || 'http://localhost:4000'}; test ran ${((state.testRunDurationMs || 0) / 1000).toFixed(1)} s.`, '');
  const thresholds = [];
  for (const [metricName, metric] of Object.entries(metrics)) {
    for (const [expression, result] of Object.entries(metric.thresholds || {})) thresholds.push([metricName, expression, result.ok]);
  }
  const passed = thresholds.every(([, , ok]) => ok);
  lines.push(`## Pass bar: ${passed ? 'PASSED' : 'FAILED'}`, '', '| metric | threshold | result |', '| --- | --- | --- |');
  for (const [metricName, expression, ok] of thresholds) lines.push(`| \`${metricName}\` | \`${expression}\` | ${ok ? 'ok' : '**failed**'} |`);
  lines.push('', '## SPEC §10 targets (reported)', '', '| target | measured | met |', '| --- | --- | --- |');
  for (const [metricName, stat, met, label] of TARGETS) {
    const metric = metrics[metricName];
    if (!metric) continue;
    const value = metric.values[stat];
    lines.push(`| ${label} | ${format(metric, stat, value)} | ${met(value) ? 'yes' : 'no'} |`);
  }
  lines.push('', '## Metrics', '', '| metric | values |', '| --- | --- |');
  const shown = Object.keys(metrics).filter((n) => !n.startsWith('http_req_') || ['http_req_duration', 'http_req_failed'].includes(n) || n.includes('{'));
  for (const metricName of shown.sort()) lines.push(row(metricName, metrics[metricName]));
  return `${lines.join('\n')}\n`;
}

/** `export const handleSummary = summaryFor('load')` */
export function summaryFor(name) {
  return (data) => {
    const report = markdownReport(name, data);
    return {
      stdout: `\n${report}`,
      [`${RESULTS_DIR}/${name}.md`]: report,
      [`${RESULTS_DIR}/${name}.json`]: JSON.stringify(data, null, 2),
    };
  };
}
