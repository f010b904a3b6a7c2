import { mkdir } from 'node:fs/promises';
import { Kysely, PGliteDialect, PostgresDialect, sql, type LogEvent } from 'kysely';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Pool, types as pgTypes, type PoolClient } from 'pg';
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

/**
 * Names for prepared statements, by SQL text: the loaders' statements have a fixed text per shape (ids
 * travel as one array parameter), so each connection parses and plans a shape once and then only binds.
 */
const statementNames = new LRUCache<string, string>({
  max: 5000,
  // Folded statements run to several KB of text each: the texts kept are bounded in bytes too.
  maxSize: 8 * 1024 * 1024,
  sizeCalculation: (name, text) => 2 * (text.length + name.length) + 64,
});
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined)
    statementNames.set(text, (name = `sg_${createHash('sha1').update(text).digest('base64url')}`));
  return name;
}

type SendQuery = (...args: unknown[]) => unknown;

/**
 * Every statement of this client that its caller asks for without a callback (Kysely's way) is answered
 * through a callback into a promise of ours, and, with `prepared`, every parameterised one is sent as a
 * named (prepared) statement. pg's own promise for such a call kept each result's rows alive through the
 * young-generation collections that followed: in a micro-benchmark (32 queries in flight on ten clients),
 * 3.4% of all allocations were promoted that way against 0.3% through a callback (see docs/architecture.md, objects
 * dying young; test/postgres-client.test.ts checks that pg is given a callback). A call that brings its
 * own callback (as an argument or in its config), a submittable (a cursor) or no config at all goes to pg
 * with its arguments untouched, so pg (and its tracing instrumentation, which looks at the last argument)
 * sees it as before. A failing statement's stack trace now ends in pg's parser, not at the caller: Kysely
 * appends the caller's frames itself.
 */
export function answerThroughCallbacks(client: PoolClient, prepared: boolean): void {
  const send = client.query.bind(client) as SendQuery;
  (client as { query: SendQuery }).query = (...args: unknown[]) => {
    const [config, values, callback] = args;
    const named =
      prepared && typeof config === 'string' && Array.isArray(values) && values.length > 0
        ? { text: config, values, name: statementName(config) }
        : undefined;
    const own = config as { submit?: unknown; callback?: unknown } | null | undefined;
    const answersItself =
      own == null ||
      typeof own.submit === 'function' ||
      typeof own.callback === 'function' ||
      typeof values === 'function' ||
      typeof callback === 'function';
    if (answersItself) return named ? send(named, callback) : send(...args);
    const leading = named ? [named] : values === undefined ? [config] : [config, values];
    return new Promise((resolve, reject) =>
      send(...leading, (error: Error | null, result: unknown) => (error ? reject(error) : resolve(result))),
    );
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
    answerThroughCallbacks(client, config.dbPreparedStatements);
  });
  return pool;
}

export async function createEmbeddedDatabase(dataDir: string): Promise<{ pglite: PGlite; release: () => void }> {
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
          new PostgresDialect({ pool }),
          new PostgresDialect({ pool: replicaPool }),
          readsFromReplica,
          logger,
        )
      : new PostgresDialect({ pool });
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
