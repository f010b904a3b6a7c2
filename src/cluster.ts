import cluster, { type Worker } from 'node:cluster';
import { prepareDatabase } from './app';
import { verifySessionSettings } from './db/session-settings';
import { serveClusterMetrics } from './observability/cluster-metrics';
import { relayClusterEvents } from './realtime/event-bus';
import type { Config } from './config';
import { openDatabase } from './db/database';
import type { Logger } from './observability/logger';

/** A worker that dies this soon after another is a crash loop: give up instead of forking forever. */
const CRASH_WINDOW_MS = 60_000;
const MAX_CRASHES_IN_WINDOW = 5;
const RESTART_DELAY_MS = 1_000;

/**
 * The workers' young generation: 64 MB semi-spaces, four times V8's default. The size was raised while
 * every request's objects were still being promoted (see docs/architecture.md, objects dying young); it then cut a
 * worker's CPU per dashboard request by 13–22% alone under 32 connections and 0–7% as one of two. Now that
 * they die young, 16 to 64 MB measure alike, and 64 MB stays: nothing measured favours a change, and a
 * worker stays near 300 MB resident with it. A size given on the primary's command line
 * (`node --max-semi-space-size=N`) is passed on and wins.
 */
const YOUNG_GENERATION_FLAG = '--max-semi-space-size=64';

function workerExecArgv(): string[] {
  const given = process.execArgv.some((flag) => flag.startsWith('--max-semi-space-size'));
  return given ? process.execArgv : [...process.execArgv, YOUNG_GENERATION_FLAG];
}

/**
 * The primary of WORKERS=N: migrates and seeds once, forks N workers that share the port (the cluster
 * module hands connections round-robin), replaces workers that die, and on SIGTERM/SIGINT asks every
 * worker to finish its in-flight requests and exits 0 when they all did.
 */
export async function runPrimary(config: Config, logger: Logger, shutdownGraceMs: number): Promise<void> {
  const database = await openDatabase(config, logger);
  try {
    await prepareDatabase(database, config, logger);
    // Once here, before any worker: a configuration that cannot serve fails the start, not a crash loop.
    await verifySessionSettings(database.db, config, logger);
  } finally {
    await database.destroy();
  }
  // Workers must not race each other over migrations or the seed: the primary has done both.
  const workerEnv = { AUTO_MIGRATE: 'off', AUTO_SEED: 'off' };
  cluster.setupPrimary({ execArgv: workerExecArgv() });
  // One worker runs the team-productivity schedule (each refresh empties every cache); a replacement
  // of that worker takes it over.
  let scheduleOwner: number | undefined;
  let stopping = false;
  const crashes: number[] = [];
  const fork = () => {
    const owner = scheduleOwner === undefined;
    const worker = cluster.fork(owner ? workerEnv : { ...workerEnv, TEAM_PRODUCTIVITY_REFRESH_MINUTES: '0' });
    if (owner) scheduleOwner = worker.id;
    return worker;
  };

  cluster.on('exit', (worker: Worker, code, signal) => {
    if (worker.id === scheduleOwner) scheduleOwner = undefined;
    if (stopping) return;
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && crashes[0] < now - CRASH_WINDOW_MS) crashes.shift();
    logger.error({ worker: worker.process.pid, code, signal }, 'worker died; starting another');
    if (crashes.length > MAX_CRASHES_IN_WINDOW) {
      logger.fatal(`${crashes.length} workers died within ${CRASH_WINDOW_MS / 1000} s: giving up`);
      void shutdown('crash loop', 1);
      return;
    }
    // Not unref'd: with every worker gone, this timer is what keeps the primary alive to fork again.
    setTimeout(() => stopping || fork(), RESTART_DELAY_MS);
  });

  const shutdown = async (reason: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping workers: each finishes its in-flight requests');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    const codes = await Promise.all(
      workers.map(
        (worker) =>
          new Promise<number>((resolve) => {
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), shutdownGraceMs + 2_000);
            // A worker still starting has no handler yet: SIGTERM ends it at once, which is clean too.
            worker.once('exit', (code, signal) => {
              clearTimeout(timer);
              resolve(code === 0 || (code === null && signal === 'SIGTERM') ? 0 : 1);
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    const failed = codes.filter((code) => code !== 0).length;
    if (failed > 0) logger.error(`${failed} of ${workers.length} workers did not stop cleanly`);
    process.exit(failed > 0 ? 1 : exitCode);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  serveClusterMetrics();
  // Without Redis the workers' subscription events go through here (with Redis, through Redis).
  if (!config.redisUrl && config.redisClusterNodes.length === 0) relayClusterEvents();
  for (let i = 0; i < config.workers; i += 1) fork();
  logger.info({ workers: config.workers, port: config.port }, 'primary started its workers');
}
