import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import { signAccessToken } from '../src/auth/tokens';
import { freePort, startGatewayProcess, type GatewayProcess } from '../tools/gateway-process';
import { findK6 } from '../tools/k6';
import { loadConfig } from '../src/config';
import { createTestDatabase, type TestDatabase } from './support/database';
import { ACME_STUDY } from './support/ids';
import { until } from './support/wait';

const config = loadConfig();
const JWT_SECRET = 'load-balancer-test-secret-0123456789abcdef';
const DRAIN_MS = 1500;
const RATE = 30;
const DURATION_S = 24;

const haproxyAvailable = () => spawnSync('haproxy', ['-v']).status === 0;
const k6Available = () => {
  try {
    findK6();
    return true;
  } catch {
    return false;
  }
};

/** HAProxy in front of two gateways: /readyz checked every 250 ms, out after one failure, back after two passes. */
function haproxyConfig(listen: number, backends: number[]): string {
  return [
    'global',
    '  maxconn 2000',
    '  log stdout format raw local0 info',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  option log-health-checks',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    // A connection refused (a host that just went away) is tried again on the other host. Only that:
    // a request the host may have received is never sent twice (a mutation would be applied twice).
    '  retries 3',
    '  option redispatch',
    '  retry-on conn-failure',
    `frontend graphql`,
    `  bind 127.0.0.1:${listen}`,
    '  default_backend gateways',
    // Which host answered, so the test can see both in service.
    '  http-response set-header x-served-by %s',
    'backend gateways',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server inter 250 fall 1 rise 2',
    ...backends.map((port, i) => `  server gateway${i} 127.0.0.1:${port} check`),
    '',
  ].join('\n');
}

describe(
  'two gateway processes behind a load balancer (HAProxy), as two hosts would be',
  {
    skip:
      config.databaseUrl && config.redisUrl && haproxyAvailable() && k6Available()
        ? false
        : 'needs DATABASE_URL, REDIS_URL, haproxy and k6',
  },
  () => {
    let database: TestDatabase;
    let dir: string;
    let balancer: ChildProcess;
    let balancerUrl: string;
    let balancerLog = '';
    const ports: number[] = [];
    const gateways: GatewayProcess[] = [];
    const environment = (port: number) => ({
      NODE_ENV: 'production',
      JWT_SECRET,
      PORT: String(port),
      DATABASE_URL: database.config.databaseUrl!,
      DATABASE_MIGRATION_URL: database.config.databaseMigrationUrl!,
      REDIS_URL: config.redisUrl!,
      WORKERS: '1',
      LOG_LEVEL: 'warn',
      SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      AUTO_MIGRATE: 'on',
      AUTO_SEED: 'on',
      TEAM_PRODUCTIVITY_REFRESH_MINUTES: '0',
    });
    const startGateway = (i: number) =>
      startGatewayProcess(environment(ports[i]), { port: ports[i], output: 'capture' });

    before(async () => {
      database = await createTestDatabase(config);
      ports.push(await freePort(), await freePort());
      // One after the other: the first migrates and seeds, the second finds it done.
      gateways.push(await startGateway(0));
      gateways.push(await startGateway(1));
      dir = mkdtempSync(path.join(os.tmpdir(), 'studygraph-haproxy-'));
      const listen = await freePort();
      writeFileSync(path.join(dir, 'haproxy.cfg'), haproxyConfig(listen, ports));
      balancer = spawn('haproxy', ['-db', '-f', path.join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] });
      balancer.stdout?.on('data', (chunk) => (balancerLog += String(chunk)));
      balancer.stderr?.on('data', (chunk) => (balancerLog += String(chunk)));
      balancerUrl = `http://127.0.0.1:${listen}`;
      await until('both gateways in service behind the balancer', async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 6; i += 1) {
          const response = await fetch(`${balancerUrl}/readyz`).catch(() => undefined);
          if (response?.ok) seen.add(response.headers.get('x-served-by') ?? '');
        }
        return seen.size === 2 ? true : undefined;
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n${balancerLog}`);
      });
      await pause(1000);
    });
    after(async () => {
      balancer?.kill('SIGTERM');
      await Promise.all(gateways.map((gateway) => gateway.stop(5000)));
      if (dir) rmSync(dir, { recursive: true, force: true });
      await database?.drop();
    });

    it(`loses no request of a k6 run (${RATE}/s for ${DURATION_S} s) while each gateway in turn is stopped (drained) and restarted`, async (t) => {
      const summaryFile = path.join(dir, 'summary.json');
      const k6 = spawn(
        findK6(),
        [
          'run',
          '--quiet',
          '-e',
          `BASE_URL=${balancerUrl}`,
          '-e',
          `JWT_SECRET=${JWT_SECRET}`,
          '-e',
          `RATE=${RATE}`,
          '-e',
          `DURATION=${DURATION_S}s`,
          '-e',
          `SUMMARY_JSON=${summaryFile}`,
          path.resolve(__dirname, '../../loadtests/failover.js'),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let k6Output = '';
      k6.stdout.on('data', (chunk) => (k6Output += String(chunk)));
      k6.stderr.on('data', (chunk) => (k6Output += String(chunk)));
      const k6Exit = once(k6, 'exit');
      const restarts: string[] = [];
      for (const i of [0, 1]) {
        await pause(5000);
        assert.equal(k6.exitCode, null, 'the k6 run is still going when a host is stopped');
        const started = Date.now();
        assert.equal(await gateways[i].stop(20_000), 0, `gateway ${i} stopped cleanly: ${gateways[i].output()}`);
        const output = gateways[i].output().slice(0, 3000);
        gateways[i] = await startGateway(i);
        restarts.push(`gateway ${i} down and back in ${Date.now() - started} ms: ${output}`);
      }
      const [code] = (await k6Exit) as [number | null];
      const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as {
        metrics: Record<string, { values: Record<string, number> }>;
      };
      const requests = summary.metrics.http_reqs.values.count;
      const failed = summary.metrics.http_req_failed.values.passes;
      const errors = balancerLog.split('\n').filter((line) => / (4\d\d|5\d\d|-1) \d+ /.test(line));
      const report = `${requests} requests, ${failed} failed; ${restarts.join('; ')}\n${k6Output}\n${errors.join('\n')}`;
      assert.equal(failed, 0, report);
      assert.equal(summary.metrics.checks.values.fails, 0, report);
      assert.ok(requests >= RATE * DURATION_S * 0.9, report);
      assert.equal(code, 0, `k6's thresholds hold: ${report}`);
      const p95 = summary.metrics.http_req_duration.values['p(95)'];
      t.diagnostic(
        `${requests} requests through HAProxy, ${failed} failed, p95 ${p95.toFixed(1)} ms; ${restarts.map((line) => line.split(':')[0]).join('; ')}`,
      );
    });

    it('keeps one budget, one cache and one invalidation across the two hosts', async () => {
      const token = await signAccessToken(
        { id: await analystId(), email: 'analyst@example.com' },
        { ...config.jwt, secret: new TextEncoder().encode(JWT_SECRET) },
      );
      const ask = async (gateway: GatewayProcess, query: string, variables: Record<string, unknown> = {}) => {
        const response = await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        return {
          cache: response.headers.get('x-cache'),
          body: (await response.json()) as { data: any; errors?: unknown },
        };
      };
      const [first, second] = gateways;
      const budget = '{ rateLimit { cost remaining } }';
      const a = (await ask(first, budget)).body.data.rateLimit;
      const b = (await ask(second, budget)).body.data.rateLimit;
      // The second read sees the first's charge (less at most a point of refill meanwhile).
      assert.ok(
        b.remaining <= a.remaining - b.cost + 1 && b.remaining >= a.remaining - b.cost - 1,
        `${JSON.stringify(a)} then ${JSON.stringify(b)}`,
      );

      const study = 'query($id: ID!) { study(id: $id) { id title } }';
      await ask(first, study, { id: ACME_STUDY });
      assert.equal(
        (await ask(second, study, { id: ACME_STUDY })).cache,
        'hit',
        'the second host reads what the first cached',
      );
      const renamed = await ask(
        second,
        'mutation($input: UpdateStudyInput!) { updateStudy(input: $input) { title } }',
        {
          input: { id: ACME_STUDY, title: 'Renamed behind the balancer' },
        },
      );
      assert.equal(renamed.body.data.updateStudy.title, 'Renamed behind the balancer', JSON.stringify(renamed.body));
      const seen = await ask(first, study, { id: ACME_STUDY });
      assert.equal(seen.body.data.study.title, 'Renamed behind the balancer', 'the first host answers the new state');
    });

    async function analystId(): Promise<string> {
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: database.config.databaseUrl });
      await client.connect();
      try {
        return (await client.query<{ id: string }>("SELECT id FROM users WHERE email = 'analyst@example.com'")).rows[0]
          .id;
      } finally {
        await client.end();
      }
    }
  },
);
