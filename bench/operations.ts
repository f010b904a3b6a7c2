import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { startGatewayProcess } from '../tools/gateway-process';
import type { Config } from '../src/config';
import type { Database } from '../src/db/types';
import { percentileChartSvg } from './chart';
import { mergeLoads, probe, residentMegabytes, runLoad, type LoadResult } from './load';
import { markdownTable } from './stats';
import { loadTargets } from './targets';

export interface OperationsOptions {
  users: number;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Measured runs per operation and phase, interleaved across phases. */
  rounds: number;
}

interface Phase {
  key: 'batched' | 'unbatched' | 'warm';
  label: string;
  color: string;
  env: Record<string, string>;
}

/** Cold: the response cache is off, so every request runs its resolvers (what a cold cache costs, minus the store write). */
const PHASES: Phase[] = [
  {
    key: 'batched',
    label: 'batched, cache cold',
    color: '#1f77b4',
    env: { DATALOADER_BATCHING: 'on', RESPONSE_CACHE: 'off' },
  },
  {
    key: 'unbatched',
    label: 'unbatched, cache cold',
    color: '#d62728',
    env: { DATALOADER_BATCHING: 'off', RESPONSE_CACHE: 'off' },
  },
  {
    key: 'warm',
    label: 'batched, cache warm',
    color: '#2ca02c',
    env: { DATALOADER_BATCHING: 'on', RESPONSE_CACHE: 'on' },
  },
];

interface Measurement extends LoadResult {
  statements: number;
  rssMb: number;
}

const ms = (value: number) => value.toFixed(1);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '—');

/**
 * Every saved operation at fixed concurrency against a gateway process per phase (batched, unbatched,
 * warm cache). The three processes run side by side and the measured runs alternate between them,
 * round after round in a rotating order, so drift on a shared machine spreads over all phases alike.
 */
export async function benchOperations(
  db: Kysely<Database>,
  config: Config,
  options: OperationsOptions,
  log: (line: string) => void,
) {
  // A secret of this run: the gateways run as in production (NODE_ENV=production needs one).
  const secret = randomBytes(32).toString('hex');
  const targets = await loadTargets(
    db,
    { ...config, jwt: { ...config.jwt, secret: new TextEncoder().encode(secret) } },
    options.users,
  );
  const gateways = await Promise.all(
    PHASES.map((phase) =>
      startGatewayProcess(
        {
          ...phase.env,
          NODE_ENV: 'production',
          // One process each: production would otherwise fork one worker per core, beside the bench's client.
          WORKERS: '1',
          JWT_SECRET: secret,
          RATE_LIMITS: 'off',
          SQL_COUNT_HEADER: 'on',
          AUTO_MIGRATE: 'off',
          AUTO_SEED: 'off',
          TEAM_PRODUCTIVITY_REFRESH_MINUTES: '0',
          LOG_LEVEL: 'warn',
        },
        { output: 'inherit' },
      ),
    ),
  );
  const results = new Map<string, Map<Phase['key'], Measurement>>(targets.map((t) => [t.name, new Map()]));
  try {
    for (const target of targets) {
      const statements = new Map<Phase['key'], number>();
      for (const [i, phase] of PHASES.entries()) {
        // The probe sends each request once (priming the cache in the warm phase) and counts statements.
        statements.set(phase.key, (await probe(gateways[i].url, target.bodies, target.tokens)).statements);
        await runLoad(gateways[i].url, target.bodies, target.tokens, {
          connections: options.connections,
          seconds: options.warmupSeconds,
        });
      }
      const runs = new Map<Phase['key'], LoadResult[]>(PHASES.map((phase) => [phase.key, []]));
      for (let round = 0; round < options.rounds; round += 1) {
        for (let k = 0; k < PHASES.length; k += 1) {
          const i = (round + k) % PHASES.length;
          const run = await runLoad(gateways[i].url, target.bodies, target.tokens, {
            connections: options.connections,
            seconds: options.seconds,
          });
          runs.get(PHASES[i].key)!.push(run);
        }
      }
      for (const [i, phase] of PHASES.entries()) {
        const load = mergeLoads(runs.get(phase.key)!);
        const rssMb = await residentMegabytes(gateways[i].url);
        results.get(target.name)!.set(phase.key, { ...load, statements: statements.get(phase.key)!, rssMb });
        log(
          `${phase.label.padEnd(22)} ${target.name.padEnd(13)} ${load.requestsPerSecond.toFixed(0).padStart(6)} req/s  p95 ${ms(load.p95)} ms  ${statements.get(phase.key)} statements  ${load.failures} failures`,
        );
      }
    }
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
  }
  return { report: report(results, options), svg: chart(results) };
}

function report(results: Map<string, Map<Phase['key'], Measurement>>, options: OperationsOptions): string {
  const throughput: (string | number)[][] = [];
  const latency: (string | number)[][] = [];
  for (const [name, byPhase] of results) {
    const b = byPhase.get('batched')!;
    const u = byPhase.get('unbatched')!;
    const w = byPhase.get('warm')!;
    throughput.push([
      name,
      b.statements,
      u.statements,
      b.requestsPerSecond.toFixed(0),
      u.requestsPerSecond.toFixed(0),
      ratio(b.requestsPerSecond, u.requestsPerSecond),
      w.requestsPerSecond.toFixed(0),
      b.failures + u.failures + w.failures,
    ]);
    latency.push([
      name,
      `${ms(b.p50)} / ${ms(b.p95)} / ${ms(b.p99)}`,
      `${ms(u.p50)} / ${ms(u.p95)} / ${ms(u.p99)}`,
      ratio(b.p95, u.p95),
      `${ms(w.p50)} / ${ms(w.p95)} / ${ms(w.p99)}`,
    ]);
  }
  const rss = PHASES.map(
    (phase) =>
      `${phase.label}: ${Math.max(...[...results.values()].map((m) => m.get(phase.key)!.rssMb)).toFixed(0)} MB`,
  );
  return [
    `Fixed concurrency: ${options.connections} connections; per operation and phase ${options.rounds} measured runs of ${options.seconds} s, interleaved with the other phases, after ${options.warmupSeconds} s of warm-up; over ${options.users} users' requests. ` +
      'Each phase is its own gateway process (NODE_ENV=production, one worker, rate limits off), all three running side by side; "cold" has the response cache off, "warm" has it on and primed. Client: autocannon in the bench process.',
    '### Throughput and SQL statements per request',
    markdownTable(
      [
        'operation',
        'statements batched',
        'statements unbatched',
        'req/s batched',
        'req/s unbatched',
        'throughput batched/unbatched',
        'req/s warm cache',
        'failures',
      ],
      throughput,
    ),
    '### Latency p50 / p95 / p99 (ms)',
    markdownTable(['operation', 'batched, cold', 'unbatched, cold', 'p95 batched/unbatched', 'batched, warm'], latency),
    `Peak resident memory of the gateway: ${rss.join('; ')}.`,
  ].join('\n\n');
}

function chart(results: Map<string, Map<Phase['key'], Measurement>>): string {
  return percentileChartSvg('studygraph: latency per operation at fixed concurrency', results, PHASES);
}
