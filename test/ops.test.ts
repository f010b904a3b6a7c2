import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from './support/gateway';

const ROOT = path.resolve(__dirname, '../..');
const ALERTS = path.join(ROOT, 'ops/prometheus/alerts.yml');
const ALERT_TESTS = path.join(ROOT, 'ops/prometheus/alerts.test.yml');
const DASHBOARD = path.join(ROOT, 'ops/grafana/studygraph.json');

interface Panel {
  title: string;
  type: string;
  targets: { expr: string }[];
}

/** The metric families an expression names (a histogram's _bucket/_count/_sum are its family). */
function metricFamilies(text: string): Set<string> {
  return new Set(
    [...text.matchAll(/\bstudygraph_[a-z0-9_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, '')),
  );
}

function promtoolAvailable(): boolean {
  return spawnSync('promtool', ['--version']).status === 0;
}

describe('alerts and dashboards as files', () => {
  let gateway: TestGateway;
  let exposed: Set<string>;
  before(async () => {
    gateway = await startTestGateway();
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name));
  });
  after(() => gateway?.close());

  it('the Grafana dashboard is valid JSON with a panel for every series family it is meant to show', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      uid: string;
      panels: Panel[];
      templating: { list: { name: string }[] };
    };
    assert.equal(dashboard.uid, 'studygraph');
    assert.ok(
      dashboard.templating.list.some((variable) => variable.name === 'datasource'),
      'the Prometheus data source is chosen on import',
    );
    const titles = dashboard.panels.map((panel) => panel.title);
    for (const expected of [
      'Latency p95 by operation',
      'Error rate',
      'Response cache hit rate',
      'Operation cost p95 (estimated and actual)',
      'Throttled requests by reason',
      'Database pool',
      'DataLoader batch size p95 by loader',
      "Resident memory per process (mean over a scrape's workers)",
      'Subscription delivery p95',
    ]) {
      assert.ok(titles.includes(expected), `a panel "${expected}"`);
    }
    for (const panel of dashboard.panels)
      assert.ok(
        panel.targets.length > 0 && panel.targets.every((target) => target.expr.length > 0),
        `${panel.title} has queries`,
      );
  });

  it('every metric the alerts and the dashboard query is one the gateway exposes', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
    const used = new Set([
      ...metricFamilies(readFileSync(ALERTS, 'utf8')),
      ...metricFamilies(dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)).join('\n')),
    ]);
    assert.ok(used.size >= 15, `${used.size} metric families used`);
    const missing = [...used].filter((name) => !exposed.has(name));
    assert.deepEqual(missing, [], 'queried but not exposed at /metrics');
  });

  it(
    'promtool accepts the rules and their unit tests pass',
    { skip: promtoolAvailable() ? false : 'needs promtool (Debian package prometheus)' },
    () => {
      assert.match(
        execFileSync('promtool', ['check', 'rules', ALERTS], { encoding: 'utf8' }),
        /SUCCESS: 9 rules found/,
      );
      assert.match(
        execFileSync('promtool', ['test', 'rules', ALERT_TESTS], { encoding: 'utf8', cwd: path.dirname(ALERT_TESTS) }),
        /SUCCESS/,
      );
    },
  );
});
