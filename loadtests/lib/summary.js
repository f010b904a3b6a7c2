// handleSummary for every script: a Markdown report on stdout and in RESULTS_DIR, plus k6's JSON.
const RESULTS_DIR = (__ENV.RESULTS_DIR || 'loadtests/results').replace(/\/$/, '');

/** Trend statistics every script keeps (k6's default has no p(99)). */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'];

/**
 * The main README's performance targets, reported beside the pass bar (not enforced by it). Each is judged
 * only by a run made under its conditions; any other run says it did not measure it.
 * `run`: { script, rate (iterations/s the script aimed at, if it has one), seed (SEED: small, medium,
 * large, or unknown) }.
 */
const TARGETS = [
  {
    metric: 'operation_duration',
    stat: 'p(95)',
    met: (v) => v < 50,
    label: 'p95 < 50 ms',
    conditions: 'the load script at ≥ 190 iterations/s on the large seed, cache cold at start',
    judgedBy: (run) => run.script === 'load' && run.rate >= 190 && run.seed === 'large',
  },
  {
    metric: 'cache_hits{scenario:measure}',
    stat: 'rate',
    met: (v) => v >= 0.8,
    label: 'hit rate ≥ 80% with the cache warm',
    conditions: 'the cache script (a warm-up, then the measured scenario)',
    judgedBy: (run) => run.script === 'cache',
  },
];

function describeRun(run) {
  return [run.script, run.rate ? `${run.rate} iterations/s` : null, `seed ${run.seed}`].filter(Boolean).join(', ');
}

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
  if (metric.type === 'trend')
    cells.push(...['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'].map((s) => `${s} ${format(metric, s, v[s])}`));
  else if (metric.type === 'rate') cells.push(format(metric, 'rate', v.rate), `${v.passes} of ${v.passes + v.fails}`);
  else if (metric.type === 'counter') cells.push(`${v.count}`, format(metric, 'rate', v.rate));
  else cells.push(...Object.entries(v).map(([s, x]) => `${s} ${format(metric, s, x)}`));
  return `| \`${name}\` | ${cells.join(', ')} |`;
}

export function markdownReport(run, data) {
  const name = run.script;
  const metrics = data.metrics;
  const lines = [`# k6 ${name} — ${new Date().toISOString()}`, ''];
  const state = data.state || {};
  lines.push(
    `Target: ${__ENV.BASE_URL || 'http://localhost:4000'}; test ran ${((state.testRunDurationMs || 0) / 1000).toFixed(1)} s.`,
    '',
  );
  const thresholds = [];
  for (const [metricName, metric] of Object.entries(metrics)) {
    for (const [expression, result] of Object.entries(metric.thresholds || {}))
      thresholds.push([metricName, expression, result.ok]);
  }
  const passed = thresholds.every(([, , ok]) => ok);
  lines.push(
    `## Pass bar: ${passed ? 'PASSED' : 'FAILED'}`,
    '',
    '| metric | threshold | result |',
    '| --- | --- | --- |',
  );
  for (const [metricName, expression, ok] of thresholds)
    lines.push(`| \`${metricName}\` | \`${expression}\` | ${ok ? 'ok' : '**failed**'} |`);
  lines.push(
    '',
    '## Performance targets (reported, judged only by a run under their conditions)',
    '',
    `This run: ${describeRun(run)}.`,
    '',
    '| target | conditions | measured | met |',
    '| --- | --- | --- | --- |',
  );
  for (const target of TARGETS) {
    const metric = metrics[target.metric];
    const value = metric ? metric.values[target.stat] : undefined;
    const measured = metric ? format(metric, target.stat, value) : '—';
    const verdict = !target.judgedBy(run)
      ? 'not measured by this run'
      : value === undefined
        ? 'no data'
        : target.met(value)
          ? 'yes'
          : 'no';
    lines.push(`| ${target.label} | ${target.conditions} | ${measured} | ${verdict} |`);
  }
  lines.push('', '## Metrics', '', '| metric | values |', '| --- | --- |');
  const shown = Object.keys(metrics).filter(
    (n) => !n.startsWith('http_req_') || ['http_req_duration', 'http_req_failed'].includes(n) || n.includes('{'),
  );
  for (const metricName of shown.sort()) lines.push(row(metricName, metrics[metricName]));
  return `${lines.join('\n')}\n`;
}

/**
 * `export const handleSummary = summaryFor('load', { rate: RATE })`. The seed comes from SEED (the
 * loadtest command sets it from the database it starts the gateway on).
 */
export function summaryFor(name, conditions = {}) {
  const run = { script: name, seed: __ENV.SEED || 'unknown', ...conditions };
  return (data) => {
    const report = markdownReport(run, data);
    return {
      stdout: `\n${report}`,
      [`${RESULTS_DIR}/${name}.md`]: report,
      [`${RESULTS_DIR}/${name}.json`]: JSON.stringify(data, null, 2),
    };
  };
}
