import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, type Logger } from './observability/logger';
import { startTracing, type Tracing } from './observability/tracing';

const SHUTDOWN_GRACE_MS = 10_000;
/** Buffered spans get this long at exit: an unreachable collector must not hold the shutdown. */
const TRACE_FLUSH_MS = 2_000;

async function flushTraces(tracing: Tracing | undefined): Promise<void> {
  if (!tracing) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    tracing.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, TRACE_FLUSH_MS))),
  ]);
  clearTimeout(timer);
}

/** One serving process: the only one, or a worker of WORKERS=N. */
async function serve(config: Config, logger: Logger): Promise<void> {
  // Tracing patches http, fastify, graphql, pg and redis as they load: it starts before the gateway is loaded.
  const tracing = startTracing(config);
  const { createGateway } = require('./app') as typeof import('./app');
  const gateway = await createGateway(config, logger);
  const address = await gateway.app.listen({ host: config.host, port: config.port });
  if (gateway.metricsApp && config.metrics.port !== undefined)
    await gateway.metricsApp.listen({ host: config.host, port: config.metrics.port });
  const url = `http://localhost:${config.port}/graphql`;
  logger.info({ address, url }, 'studygraph gateway listening');
  if (cluster.isPrimary && (process.stdout.isTTY || config.env === 'development')) {
    console.log(`\n  studygraph is running at ${url}`);
    if (gateway.demoToken)
      console.log(`  Demo token (analyst@example.com), already set in Sandbox:\n\n  ${gateway.demoToken}\n`);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.startDraining();
    if (config.shutdownDrainMs > 0)
      logger.info({ signal, drainMs: config.shutdownDrainMs }, 'draining: not ready, still serving');
    const timer = setTimeout(() => {
      logger.error('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownDrainMs + SHUTDOWN_GRACE_MS);
    timer.unref();
    new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs))
      .then(() => {
        logger.info({ signal }, 'shutting down: finishing in-flight requests');
        return gateway.close();
      })
      .finally(() => flushTraces(tracing))
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error while shutting down');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config);
  if (cluster.isPrimary) {
    if (config.jwt.secretIsDevelopmentDefault) {
      logger.warn(
        'JWT_SECRET is not set: using the built-in development secret. Anyone can forge tokens; never run like this in production.',
      );
    }
    if (!config.databaseUrl)
      logger.info({ dataDir: config.dataDir }, 'DATABASE_URL is not set: using the embedded PostgreSQL (PGlite)');
  }
  if (cluster.isPrimary && config.workers > 1)
    await (require('./cluster') as typeof import('./cluster')).runPrimary(
      config,
      logger,
      config.shutdownDrainMs + SHUTDOWN_GRACE_MS,
    );
  else await serve(config, logger);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
