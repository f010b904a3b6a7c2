import { mkdir } from 'node:fs/promises';
import { Kysely, PGliteDialect, PostgresDialect, sql, type LogEvent } from 'kysely';
import { Pool, types as pgTypes } from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';
import { readsFromReplica } from '../context/request-scope';
import { startupParameters } from './session-settings';
import { StatementCountingDialect } from './statement-counting';
import { ReplicaRoutingDialect } from './replica-routing';
import { lockEmbeddedDatabase } from './embedded-lock';
import { CallbackAnsweredPool } from './postgres-pool';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamps';
import type { Database } from './types';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: 'postgres' | 'pglite';
  /** Pool figures for metrics (PGlite has one connection). */
  poolStats: () => { total: number; idle: number; waiting: number };
  ping(): Promise<void>;
  destroy(): Promise<void>;
}

const INT8_OID = 20;
/** A replica that does not connect this fast is skipped for the primary (see ReplicaRoutingDialect). */
const REPLICA_CONNECT_TIMEOUT_MS = 1000;

export interface DatabaseObservers {
  /** Told each statement's duration in seconds (the SQL latency metric). */
  onStatement?: (seconds: number) => void;
}

function onQueryLogged(logger: Logger, observers: DatabaseObservers) {
  return (event: LogEvent) => {
    observers.onStatement?.(event.queryDurationMillis / 1000);
    if (event.level === 'error') {
      logger.debug({ err: event.error, sql: event.query.sql, ms: event.queryDurationMillis }, 'sql statement failed');
    }
  };
}

export function createPostgresPool(
  config: Pick<
    Config,
    'databaseUrl' | 'dbPoolMax' | 'dbStatementTimeoutMs' | 'dbPreparedStatements' | 'dbSessionSettings'
  >,
  logger: Logger,
  server: { connectionString?: string; connectionTimeoutMillis?: number } = {},
): Pool {
  const pool = new Pool({
    connectionString: server.connectionString ?? config.databaseUrl,
    max: config.dbPoolMax,
    connectionTimeoutMillis: server.connectionTimeoutMillis ?? 5000,
    idleTimeoutMillis: 30000,
    application_name: 'studygraph',
    // Behind a transaction-mode pooler the settings are the role's defaults instead (see session-settings.ts).
    ...(config.dbSessionSettings === 'startup' ? startupParameters(config) : {}),
  });
  // A server restart surfaces here on idle clients; without a listener it would crash the process.
  pool.on('error', (err) => logger.warn({ err }, 'idle PostgreSQL client failed'));
  // pg-pool drops that listener while a client is checked out (between a transaction's statements, say):
  // a connection killed then would be an uncaught 'error' event. The statement that next uses it fails
  // instead, and the pool discards the broken client when it comes back.
  pool.on('connect', (client) => {
    client.on('error', (err) => logger.warn({ err }, 'PostgreSQL connection failed while checked out'));
  });
  return pool;
}

async function createEmbeddedDatabase(dataDir: string): Promise<{ pglite: PGlite; release: () => void }> {
  const options = {
    extensions: { pg_trgm, fuzzystrmatch },
    // Same representation as node-postgres: bigint ids stay strings.
    parsers: { [INT8_OID]: (value: string) => value },
  };
  if (dataDir === 'memory') return { pglite: await PGlite.create(options), release: () => undefined };
  await mkdir(dataDir, { recursive: true });
  const release = lockEmbeddedDatabase(dataDir);
  try {
    return { pglite: await PGlite.create(`${dataDir}/pglite`, options), release };
  } catch (error) {
    release();
    throw error;
  }
}

export async function openDatabase(
  config: Config,
  logger: Logger,
  observers: DatabaseObservers = {},
): Promise<DatabaseHandle> {
  const log = onQueryLogged(logger.child({ component: 'sql' }), observers);
  if (config.databaseUrl) {
    pgTypes.setTypeParser(INT8_OID, (value) => value);
    pgTypes.setTypeParser(TIMESTAMPTZ_OID, parseTimestamptz);
    const pool = createPostgresPool(config, logger);
    const replicaPool = config.databaseReadUrl
      ? createPostgresPool(config, logger, {
          connectionString: config.databaseReadUrl,
          connectionTimeoutMillis: REPLICA_CONNECT_TIMEOUT_MS,
        })
      : undefined;
    const dialect = replicaPool
      ? new ReplicaRoutingDialect(
          new PostgresDialect({ pool: new CallbackAnsweredPool(pool, config.dbPreparedStatements) }),
          new PostgresDialect({ pool: new CallbackAnsweredPool(replicaPool, config.dbPreparedStatements) }),
          readsFromReplica,
          logger,
        )
      : new PostgresDialect({ pool: new CallbackAnsweredPool(pool, config.dbPreparedStatements) });
    // Counting at the Kysely level sees every statement, batched or not, whatever the dialect.
    const db = new Kysely<Database>({ dialect: new StatementCountingDialect(dialect), log });
    const pools = replicaPool ? [pool, replicaPool] : [pool];
    return {
      db,
      kind: 'postgres',
      poolStats: () => ({
        total: pools.reduce((n, p) => n + p.totalCount, 0),
        idle: pools.reduce((n, p) => n + p.idleCount, 0),
        waiting: pools.reduce((n, p) => n + p.waitingCount, 0),
      }),
      ping: async () => {
        await sql`SELECT 1`.execute(db);
      },
      destroy: () => db.destroy(),
    };
  }
  const { pglite, release } = await createEmbeddedDatabase(config.dataDir);
  const db = new Kysely<Database>({ dialect: new StatementCountingDialect(new PGliteDialect({ pglite })), log });
  return {
    db,
    kind: 'pglite',
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    ping: async () => {
      await sql`SELECT 1`.execute(db);
    },
    destroy: async () => {
      try {
        await db.destroy();
      } finally {
        release();
      }
    },
  };
}

/** Migrations and seeding may run long (an index build, the large seed); serving statements may not. */
const MIGRATION_STATEMENT_TIMEOUT_MS = 600_000;

/**
 * Runs `work` where migrations and seeding belong: DATABASE_MIGRATION_URL when it names another server
 * than DATABASE_URL (the server itself rather than a transaction-mode pooler: DDL, long transactions),
 * connected for this alone, with startup parameters and a long statement timeout; else the gateway's
 * own pool.
 */
export async function withMigrationDatabase<T>(
  gateway: DatabaseHandle,
  config: Config,
  logger: Logger,
  work: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (gateway.kind !== 'postgres' || config.databaseMigrationUrl === config.databaseUrl) return work(gateway.db);
  const migration = await openDatabase(
    {
      ...config,
      databaseUrl: config.databaseMigrationUrl,
      databaseReadUrl: undefined,
      dbSessionSettings: 'startup',
      dbPoolMax: 2,
      dbStatementTimeoutMs: MIGRATION_STATEMENT_TIMEOUT_MS,
    },
    logger,
  );
  try {
    return await work(migration.db);
  } finally {
    await migration.destroy();
  }
}
