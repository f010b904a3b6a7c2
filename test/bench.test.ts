import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { latencyChartSvg, toPng } from '../bench/chart';
import { mergeLoads, probe, residentMegabytes, runLoad } from '../bench/load';
import { benchPeer } from '../bench/peer';
import { loadTargets } from '../bench/targets';
import { startTestGateway, type TestGateway } from './support/gateway';

describe('npm run bench building blocks (against a real gateway)', () => {
  let gateway: TestGateway;

  before(async () => {
    gateway = await startTestGateway({ seed: 'small' });
  });
  after(() => gateway?.close());

  it('targets: every saved operation, one valid request per chosen member', async () => {
    const targets = await loadTargets(gateway.db, gateway.config, 5);
    assert.deepEqual(
      targets.map((t) => t.name),
      ['Dashboard', 'Studies', 'Study', 'Trends', 'Contributors'],
    );
    for (const target of targets) {
      assert.equal(target.bodies.length, 5);
      // Throws on a non-200 or a body with errors.
      const { statements } = await probe(gateway.url, target.bodies, target.tokens);
      assert.ok(statements >= 2, `${target.name} counted ${statements} statements`);
    }
  });

  it('load: a fixed-concurrency run reports throughput, percentiles and failures', async () => {
    const [dashboard] = await loadTargets(gateway.db, gateway.config, 3);
    const result = await runLoad(gateway.url, dashboard.bodies, dashboard.tokens, { connections: 2, seconds: 1 });
    assert.ok(result.requests > 0);
    assert.equal(result.failures, 0);
    assert.ok(result.p50 <= result.p95 && result.p95 <= result.p99);
    const merged = mergeLoads([result, result]);
    assert.equal(merged.requests, result.requests * 2);
    assert.equal(merged.requestsPerSecond, result.requestsPerSecond, 'twice the requests over twice the time');
    const broken = await runLoad(gateway.url, ['{"query": "{ nope }"}'], ['not-a-token'], {
      connections: 1,
      seconds: 1,
    });
    assert.equal(broken.failures, broken.requests, 'every failing answer is counted');
    assert.ok((await residentMegabytes(gateway.url)) > 10);
  });

  it('chart: an SVG of the percentiles renders to a PNG', () => {
    const values = new Map([['Dashboard', [10, 20, 30] as [number, number, number]]]);
    const svg = latencyChartSvg('test', ['Dashboard'], [{ label: 'batched', color: '#000', values }]);
    assert.match(svg, /<text[^>]*>Dashboard<\/text>/);
    const png = toPng(svg);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});

describe(
  'npm run bench -- --section peer: studygraph and PostGraphile v5 on the same database',
  { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL (PostGraphile needs a PostgreSQL server)' },
  () => {
    let gateway: TestGateway;
    before(async () => {
      gateway = await startTestGateway({ seed: 'small' });
    });
    after(() => gateway?.close());

    it('both servers return the same rows for every data need, then take turns under load', async () => {
      const lines: string[] = [];
      const { report, svg } = await benchPeer(
        gateway.db,
        gateway.config,
        { users: 4, connections: 2, seconds: 1, warmupSeconds: 1, rounds: 1, workers: 1 },
        (line) => lines.push(line),
      );
      for (const need of ['Organization dashboard', 'Study page', 'Filtered studies', 'Organization overview']) {
        assert.ok(lines.includes(`${need}: both servers return the same rows for 4 members`), lines.join('\n'));
        const row = report.split('\n').find((line) => line.startsWith(`| ${need} |`))!;
        const cells = row.split('|').map((cell) => cell.trim());
        assert.equal(cells.at(-2), '0', `no failures: ${row}`);
        assert.match(cells[5], /^\d+\.\d\d$/, `a cold/PostGraphile ratio: ${row}`);
      }
      assert.match(svg, /PostGraphile/);
      // Memory per process is what the target judges: a worker's, not only the tree's sum.
      assert.match(report, /studygraph, cache cold \(1 workers?\): \d+ MB, its largest process \d+ MB/);
    });
  },
);
