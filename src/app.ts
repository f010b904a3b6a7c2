import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { createTokenVerifier, signAccessToken } from './auth/tokens';
import type { Config } from './config';
import type { Services } from './context/context';
import { openDatabase, withMigrationDatabase, type DatabaseHandle } from './db/database';
import { migrateForGateway } from './db/migrate-for-gateway';
import { verifySessionSettings } from './db/session-settings';
import { createRepositories } from './db/repositories';
import { startWebhookDelivery } from './webhooks/delivery-worker';
import { scheduleAutomationSweep } from './services/automation-schedule';
import { scheduleRetention } from './services/retention-schedule';
import { WebhookQueue } from './webhooks/webhook-queue';
import { RecentWriters } from './db/recent-writers';
import type { Database } from './db/types';
import { OrganizationGenerations } from './cache/generations';
import { ViewerCache } from './context/viewer-cache';
import { createErrorFormatter } from './graphql/error-format';
import { ConnectionRegistry } from './realtime/connection-registry';
import { ClusterEventBus, InProcessEventBus, RedisEventBus } from './realtime/event-bus';
import { Realtime } from './realtime/realtime';
import { createSubscriptionServer } from './realtime/websocket';
import { createEventStreamServer } from './realtime/sse';
import { createSubscriptionSetup } from './realtime/subscription-setup';
import { loadOperationManifest } from './cache/persisted-queries';
import { loadDashboard } from './http/dashboard';
import { createCacheStore, type CacheStore } from './cache/store';
import { createApolloServer } from './graphql/apollo-server';
import { chooseLandingPage } from './http/landing-page';
import { createHttpServer } from './http/server';
import type { Logger } from './observability/logger';
import { shareWorkerMetrics } from './observability/cluster-metrics';
import { createMetrics, registerPoolGauge } from './observability/metrics';
import { createMetricsServer } from './observability/metrics-endpoint';
import { Admission } from './rate-limit/admission';
import { Budgets } from './rate-limit/budget';
import { fieldRateLimits } from './rate-limit/field-limits';
import { closeRedisClient, createRedisClient } from './redis';
import { buildGatewaySchema, printGatewaySchema } from './graphql/build-schema';
import { DEMO_USERS } from './seed/scales';
import { seedDatabase } from './seed/seed';
import { scheduleTeamProductivityRefresh } from './services/team-productivity-schedule';

export interface Gateway {
  readonly app: FastifyInstance;
  /** METRICS_PORT: /metrics alone, to listen on that port (see main.ts). */
  readonly metricsApp: FastifyInstance | undefined;
  readonly database: DatabaseHandle;
  /** The response cache's stores (tests evict from them as Redis or the LRU would). */
  readonly cacheStore: CacheStore;
  /** A token for analyst@example.com when the demo data is present (development conveniences only). */
  readonly demoToken: string | undefined;
  /** Shutdown's first step: /readyz turns 503 while requests are still served (see SHUTDOWN_DRAIN_MS). */
  startDraining(): void;
  /** Fires the inactivity rules due now (as the schedule does every AUTOMATION_SWEEP_SECONDS); how many fired. */
  runAutomationSweep(): Promise<number>;
  close(): Promise<void>;
}

async function isEmpty(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).execute()).length === 0;
}

async function demoTokenFor(db: Kysely<Database>, config: Config): Promise<string | undefined> {
  // Behind an identity provider, our own HS256 tokens are only accepted when JWT_SECRET is set.
  if (config.jwt.jwksUrl && config.jwt.secretIsDevelopmentDefault) return undefined;
  const analyst = await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', '=', DEMO_USERS.analyst.email)
    .executeTakeFirst();
  return analyst ? signAccessToken(analyst, config.jwt) : undefined;
}

/**
 * Migrates and seeds where the configuration asks for it (once per start, before any process serves), on
 * the migration connection; with DB_SESSION_SETTINGS=role, migrating also stores the role's settings.
 */
export async function prepareDatabase(database: DatabaseHandle, config: Config, logger: Logger): Promise<void> {
  if (!config.autoMigrate && !config.autoSeed) return;
  await withMigrationDatabase(database, config, logger, async (db) => {
    if (config.autoMigrate) {
      for (const line of await migrateForGateway(db, config)) logger.info(line);
    }
    if (config.autoSeed && (await isEmpty(db))) {
      logger.info('empty database: loading the small demo seed');
      await seedDatabase(db, { scale: 'small', onProgress: (message) => logger.info(`seed ${message}`) });
    }
  });
}

/**
 * Builds every singleton once (database, schema, Apollo, HTTP server), migrating and seeding first
 * where the configuration asks for it. The caller decides whether and where to listen.
 */
export async function createGateway(config: Config, logger: Logger): Promise<Gateway> {
  const metrics = createMetrics();
  metrics.workerProcesses.set(1);
  const database = await openDatabase(config, logger, {
    onStatement: (seconds) => metrics.sqlDuration.observe(seconds),
  });
  // Started inside; stopped here too should a later step fail (its pool and timers would outlive the gateway).
  let webhooks: WebhookQueue | undefined;
  try {
    await prepareDatabase(database, config, logger);
    if (database.kind === 'postgres') await verifySessionSettings(database.db, config, logger);
    registerPoolGauge(metrics, database.poolStats);
    shareWorkerMetrics(metrics.registry);
    const redis = await createRedisClient(config, logger);
    if (!config.rateLimits)
      logger.warn(
        'RATE_LIMITS=off: point budgets and field limits are not enforced (benchmarks only); the cost maximum still applies.',
      );
    const schema = await buildGatewaySchema(config.rateLimits ? fieldRateLimits(redis, metrics) : undefined);
    // A real token handed to every visitor: a development convenience only, whatever SANDBOX says.
    const demoToken =
      config.sandbox && config.env !== 'production' ? await demoTokenFor(database.db, config) : undefined;
    const registeredOperations = config.persistedQueries === 'only' ? loadOperationManifest() : undefined;
    const admission = new Admission({
      budgets: new Budgets(redis, logger),
      enforce: config.rateLimits,
      maxQueryCost: config.maxQueryCost,
      metrics,
      registeredOperations,
    });
    const store = createCacheStore(config, redis, logger, metrics);
    const generations = new OrganizationGenerations(store.generations);
    const loaderSettings = {
      batch: config.dataloaderBatching,
      verifyShapes: config.env !== 'production',
      onBatch: (loader: string, keys: number) => metrics.loaderBatchSize.observe({ loader }, keys),
    };
    const recentWriters = config.databaseReadUrl
      ? new RecentWriters(redis, config.readYourWritesSeconds, logger)
      : undefined;
    const viewers = new ViewerCache(database.db, generations);
    const bus = redis
      ? new RedisEventBus(redis, logger, () => metrics.realtimeFaults.inc({ kind: 'malformed' }))
      : cluster.isWorker
        ? new ClusterEventBus(logger)
        : new InProcessEventBus(logger);
    const realtime = new Realtime(bus, config.realtime, metrics, logger);
    // pg-boss needs a PostgreSQL server of its own pool's; the embedded database has no webhooks.
    webhooks =
      database.kind === 'postgres' && config.databaseUrl
        ? await WebhookQueue.start({ connectionString: config.databaseUrl, logger, ...config.webhooks })
        : undefined;
    if (webhooks)
      await startWebhookDelivery(webhooks, database.db, {
        timeoutMs: config.webhooks.timeoutMs,
        allowPrivateAddresses: config.webhooks.allowPrivateAddresses,
        logger,
      });
    const services: Services = {
      config,
      logger,
      generations,
      viewers,
      loaderSettings,
      verifyToken: createTokenVerifier(config.jwt),
      recentWriters,
      realtime,
      admission,
      webhooks,
    };
    const repositories = createRepositories(database.db, realtime.committed, webhooks);
    const apollo = createApolloServer(schema, config, logger, {
      landingPage: chooseLandingPage(config, demoToken),
      cache: store.cache,
      cacheShared: store.kind === 'redis',
      generations,
      metrics,
      admission,
      recentWriters,
      registeredOperations,
    });
    await apollo.start();
    const subscriptionSetup = createSubscriptionSetup({
      schema,
      services,
      sources: { db: database.db, repositories },
      metrics,
      formatError: createErrorFormatter(config, logger),
    });
    // One registry: a user's WebSocket connections and event streams count against one limit.
    const connections = new ConnectionRegistry(redis, config.realtime.maxConnectionsPerUser, logger);
    const subscriptions = createSubscriptionServer({
      schema,
      services,
      metrics,
      connections,
      setup: subscriptionSetup,
    });
    const eventStreams = createEventStreamServer({ schema, services, metrics, connections, setup: subscriptionSetup });
    let draining = false;
    const app = await createHttpServer({
      apollo,
      services,
      contextSources: { db: database.db, repositories },
      subscriptions,
      eventStreams,
      metrics,
      database,
      schemaSdl: config.introspection ? printGatewaySchema(schema) : undefined,
      dashboard: await loadDashboard(demoToken),
      draining: () => draining,
    });
    const stopSchedule =
      config.teamProductivityRefreshMinutes > 0
        ? scheduleTeamProductivityRefresh(database.db, config.teamProductivityRefreshMinutes, logger, () =>
            generations.bumpTeamProductivity(),
          )
        : async () => undefined;
    const stopRetention = scheduleRetention(
      database.db,
      { notifications: config.retention.notificationDays, webhookDeliveries: config.retention.webhookDeliveryDays },
      config.retention.intervalMinutes,
      logger,
    );
    const automation = scheduleAutomationSweep(repositories, generations, config.automationSweepSeconds, logger);
    const metricsApp = config.metrics.port !== undefined ? createMetricsServer(metrics.registry) : undefined;
    return {
      app,
      metricsApp,
      database,
      cacheStore: store,
      demoToken,
      startDraining() {
        draining = true;
      },
      runAutomationSweep: automation.sweepNow,
      async close() {
        await stopSchedule();
        await automation.stop();
        await stopRetention();
        // In-flight deliveries finish (or time out) before the database goes.
        await webhooks?.stop();
        await app.close();
        await metricsApp?.close();
        await apollo.stop();
        await realtime.close();
        generations.stop();
        if (redis) await closeRedisClient(redis);
        await database.destroy();
      },
    };
  } catch (error) {
    await webhooks?.stop().catch(() => undefined);
    await database.destroy().catch(() => undefined);
    throw error;
  }
}
