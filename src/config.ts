import os from 'node:os';
import path from 'node:path';
import proxyaddr from '@fastify/proxy-addr';

/** Everything the gateway reads from its environment, parsed once and frozen. */
export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Unset: embedded PGlite stored under `dataDir` (`memory` keeps it in memory only). */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** A read replica of DATABASE_URL: queries go there, mutations and a writer's next reads to the primary. */
  readonly databaseReadUrl: string | undefined;
  /** How long after a mutation its viewer keeps reading from the primary (replication lag cover). */
  readonly readYourWritesSeconds: number;
  readonly dbPoolMax: number;
  readonly dbStatementTimeoutMs: number;
  /** Parameterised statements are prepared per connection (off behind a pooler without prepared-statement support). */
  readonly dbPreparedStatements: boolean;
  /**
   * How the connections get their settings (statement and idle-in-transaction timeouts, plan cache mode):
   * `startup` sends them when each connection opens; `role` (behind a transaction-mode pooler such as
   * PgBouncer, which refuses or drops such startup parameters) stores them as the role's defaults in the
   * database when migrating, and the gateway checks at start that they hold.
   */
  readonly dbSessionSettings: 'startup' | 'role';
  /** Where migrations and seeding connect: the server itself, not a transaction-mode pooler (DATABASE_URL by default). */
  readonly databaseMigrationUrl: string | undefined;
  /** A single Redis server (`REDIS_URL`); or else a Redis Cluster (`redisClusterNodes`); or neither. */
  readonly redisUrl: string | undefined;
  /** Seed nodes (`host:port`) of a Redis Cluster; the client discovers the rest. Empty: no cluster. */
  readonly redisClusterNodes: readonly string[];
  /** `RESPONSE_CACHE=off` serves every response fresh (benchmarks, debugging). */
  readonly responseCache: boolean;
  /** Bound of the in-process store used without REDIS_URL. */
  readonly responseCacheMaxBytes: number;
  /** Deadline of one call to Redis; slower counts as a miss (the in-process store needs none). */
  readonly cacheTimeoutMs: number;
  /** `on`: automatic persisted queries; `only`: only the operations of schema/operations; `off`. */
  readonly persistedQueries: 'on' | 'only' | 'off';
  readonly persistedQueryTtlSeconds: number;
  /** Largest document (UTF-8 bytes) an automatic persisted query may register. */
  readonly persistedQueryMaxBytes: number;
  /** `RATE_LIMITS=off` turns point budgets and field limits off (benchmarks only); the cost maximum stays. */
  readonly rateLimits: boolean;
  /** A plain user's budget; admins get ×2, enterprise members ×3, anonymous callers ÷5. */
  readonly rateLimitPointsPerMinute: number;
  /** Operations whose estimated cost is higher are refused before they run. */
  readonly maxQueryCost: number;
  /**
   * Which peers are proxies whose X-Forwarded-For is honoured (anonymous callers are limited by address):
   * `false` none; a number, that many hops counted from the peer (any peer may then be a proxy); or the
   * proxies' addresses and CIDR ranges (`proxy-addr` notation), the only peers trusted.
   */
  readonly trustProxy: false | number | readonly string[];
  /** Longest time a client may take to send one whole request (headers and body); slower ones get 408 and are closed. */
  readonly httpRequestTimeoutMs: number;
  /** Longest time a client may take to send a request's headers (at most httpRequestTimeoutMs). */
  readonly httpHeadersTimeoutMs: number;
  /**
   * Open TCP connections one client address may hold in this process; more are refused at once. 0: no cap.
   * Peers listed in trustProxy are exempt; with a hop count for trustProxy there is no cap at all.
   */
  readonly maxConnectionsPerAddress: number;
  readonly jwt: {
    readonly secret: Uint8Array;
    readonly secretIsDevelopmentDefault: boolean;
    readonly issuer: string;
    readonly audience: string;
    readonly ttlSeconds: number;
    /** Longest lifetime a token may claim (`exp` − `iat`); longer ones are refused. */
    readonly maxTtlSeconds: number;
    readonly clockToleranceSeconds: number;
    /** An identity provider's JSON Web Key Set: tokens signed with its keys (RS/PS/ES/EdDSA) are accepted. */
    readonly jwksUrl: string | undefined;
  };
  /** Migrate on start (development default; production runs `npm run migrate`). */
  readonly autoMigrate: boolean;
  /** Load the small demo seed on start when the database has no users. */
  readonly autoSeed: boolean;
  /** `off` makes every loader fetch one key per statement: the benchmark's baseline. */
  readonly dataloaderBatching: boolean;
  /** Operations run often are compiled to functions (graphql-jit); off runs every one through graphql-js. */
  readonly compiledExecution: boolean;
  /** Adds `x-sql-statements` to every response (on outside production). */
  readonly sqlCountHeader: boolean;
  /** Minutes between scheduled refreshes of team_productivity; 0 turns the schedule off. */
  readonly teamProductivityRefreshMinutes: number;
  /** How often inactivity rules are looked at (seconds); 0: never. */
  readonly automationSweepSeconds: number;
  /** What is kept how long (days), and how often expired rows are deleted (minutes; 0: never). */
  readonly retention: {
    readonly notificationDays: number;
    readonly webhookDeliveryDays: number;
    readonly intervalMinutes: number;
  };
  readonly sandbox: boolean;
  readonly introspection: boolean;
  /** Operations one HTTP request may batch as a JSON array; 0 refuses arrays. */
  readonly maxBatchOperations: number;
  /**
   * On SIGTERM, how long /readyz answers 503 while requests are still served, before the server closes:
   * at least a load balancer's health-check interval times its fall count, so it stops routing here first.
   */
  readonly shutdownDrainMs: number;
  /** Processes serving the port (node:cluster); more than one needs DATABASE_URL. */
  readonly workers: number;
  /** Browser origins allowed to call the API cross-origin (CORS); empty: none. `*` allows any. */
  readonly corsOrigins: readonly string[];
  /** Compress answers over 1 KB (br or gzip, as the client accepts). */
  readonly compression: boolean;
  /**
   * Who may read /metrics on the gateway's port: with a token, callers sending `Authorization: Bearer
   * <token>`; without one, loopback callers only. `metricsPort` serves it, alone, on a port of its own too.
   */
  readonly metrics: {
    readonly token: string | undefined;
    readonly port: number | undefined;
  };
  /** Webhooks (src/webhooks): delivery from the job queue, with a PostgreSQL server only. */
  readonly webhooks: {
    /** This process sends queued events (WEBHOOK_DELIVERY); every process queues them. */
    readonly deliver: boolean;
    readonly maxAttempts: number;
    /** The first retry's base delay; pg-boss schedules in whole seconds (rounded up, at least 1 s). */
    readonly retryBaseMs: number;
    readonly timeoutMs: number;
    readonly pollMs: number;
    /** Loopback, private and link-local addresses may be webhook targets (development; never by default in production). */
    readonly allowPrivateAddresses: boolean;
  };
  /** Subscriptions over WebSocket (graphql-transport-ws on /graphql). */
  readonly realtime: {
    /** Operations one connection may have running at once. */
    readonly maxSubscriptionsPerConnection: number;
    /** Open connections of one user across all processes (shared in Redis). */
    readonly maxConnectionsPerUser: number;
    /** Largest message a client may send. */
    readonly maxMessageBytes: number;
    /** Events kept for one subscription whose client reads slower than they come; the oldest are dropped beyond. */
    readonly sendBufferEvents: number;
    /** Ping interval; a peer that has not answered by the next ping is dropped. */
    readonly keepAliveMs: number;
    /** At most one organizationAnalyticsChanged signal per organization in this many seconds. */
    readonly analyticsSignalSeconds: number;
    /** Most activity entries a resume (`after`) replays; an older cursor is refused (refetch the connection instead). */
    readonly maxReplayEntries: number;
  };
  /**
   * OpenTelemetry tracing: on when an OTLP endpoint is set. The SDK reads every other `OTEL_*` variable
   * itself (protocol, headers, sampler, resource attributes, batch delays).
   */
  readonly tracing: {
    readonly enabled: boolean;
    /** OTEL_SERVICE_NAME, else `studygraph` unless OTEL_RESOURCE_ATTRIBUTES names the service (then the SDK reads it). */
    readonly serviceName: string | undefined;
  };
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

const DEVELOPMENT_JWT_SECRET = 'studygraph-development-secret-do-not-use-in-production';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Env = Record<string, string | undefined>;

/** A comma-separated list of origins (`https://app.example.com`), or `*`; each checked, normalised. */
function origins(env: Env, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw.split(',').map((item) => {
    const value = item.trim();
    if (value === '*') return value;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(name, `must list origins like https://app.example.com (or *), got "${value}"`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== value.replace(/\/$/, '')) {
      throw new ConfigError(name, `must list origins (scheme, host and port only), got "${value}"`);
    }
    return parsed.origin;
  });
}

/** METRICS_TOKEN: a shared secret Prometheus sends as a bearer token; short ones are guessable. */
function metricsToken(env: Env): string | undefined {
  const token = env.METRICS_TOKEN?.trim();
  if (!token) return undefined;
  if (token.length < 16 || !/^[A-Za-z0-9._~+/=-]+$/.test(token))
    throw new ConfigError(
      'METRICS_TOKEN',
      'must be at least 16 characters of a bearer token (letters, digits, ._~+/=-)',
    );
  return token;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be on/off (or true/false), got "${env[name]}"`);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw))
    throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${env[name]}"`);
  return raw as T;
}

/** REDIS_CLUSTER_NODES: comma-separated `host:port` seeds of a Redis Cluster. */
function clusterNodes(env: Env, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw.split(',').map((item) => {
    const node = item.trim();
    const match = /^([^\s:/]+|\[[0-9a-fA-F:.]+\]):(\d{1,5})$/.exec(node);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535)
      throw new ConfigError(name, `must list host:port items, got "${node}"`);
    return node;
  });
}

/** Proxies in hops beyond this are not a deployment but a mistake. */
const MAX_PROXY_HOPS = 32;

/**
 * TRUST_PROXY: off (default); on, meaning one hop; a hop count; or a comma-separated list of the proxies'
 * addresses and CIDR ranges (also `loopback`, `linklocal`, `uniquelocal`).
 */
function trustedProxies(env: Env, name: string): false | number | readonly string[] {
  const raw = env[name]?.trim();
  if (!raw) return false;
  const word = raw.toLowerCase();
  if (['0', 'false', 'off', 'no'].includes(word)) return false;
  if (['true', 'on', 'yes'].includes(word)) return 1;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > MAX_PROXY_HOPS)
      throw new ConfigError(name, `as a hop count must be between 0 and ${MAX_PROXY_HOPS}, got ${hops}`);
    return hops;
  }
  const proxies = raw.split(',').map((item) => item.trim());
  try {
    proxyaddr.compile(proxies);
  } catch (error) {
    throw new ConfigError(
      name,
      `must be off, on, a hop count or a comma-separated list of proxy addresses and CIDR ranges (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return Object.freeze(proxies);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV?.trim() || 'development';
  if (nodeEnv !== 'development' && nodeEnv !== 'production' && nodeEnv !== 'test') {
    throw new ConfigError('NODE_ENV', `must be development, production or test, got "${nodeEnv}"`);
  }
  const production = nodeEnv === 'production';

  const logLevel = (env.LOG_LEVEL?.trim() || (nodeEnv === 'test' ? 'silent' : 'info')) as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const secret = env.JWT_SECRET;
  const jwksUrl = url(env, 'JWT_JWKS_URL', production ? ['https:'] : ['https:', 'http:']);
  if (production && !secret && !jwksUrl)
    throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production (or JWT_JWKS_URL)');
  if (secret !== undefined && secret.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
  if (production && secret === DEVELOPMENT_JWT_SECRET)
    throw new ConfigError(
      'JWT_SECRET',
      'is the public development secret: anyone could sign tokens; set a secret of your own',
    );
  const maxTtlSeconds = integer(env, 'JWT_MAX_TTL_SECONDS', 86400, 60, 31536000);
  const ttlSeconds = integer(env, 'JWT_TTL_SECONDS', Math.min(86400, maxTtlSeconds), 60, 31536000);
  if (ttlSeconds > maxTtlSeconds)
    throw new ConfigError(
      'JWT_TTL_SECONDS',
      `must not exceed JWT_MAX_TTL_SECONDS (${maxTtlSeconds}): such tokens would be refused`,
    );

  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const databaseReadUrl = url(env, 'DATABASE_READ_URL', ['postgres:', 'postgresql:']);
  const databaseMigrationUrl = url(env, 'DATABASE_MIGRATION_URL', ['postgres:', 'postgresql:']);
  if (databaseMigrationUrl && !databaseUrl)
    throw new ConfigError('DATABASE_MIGRATION_URL', 'needs DATABASE_URL (the database the gateway serves)');
  const dbSessionSettings = oneOf(env, 'DB_SESSION_SETTINGS', ['startup', 'role'] as const, 'startup');
  if (dbSessionSettings === 'role' && !(databaseUrl && new URL(databaseUrl).username)) {
    throw new ConfigError(
      'DB_SESSION_SETTINGS',
      'is role, which needs DATABASE_URL with a user: the role whose defaults in the database carry the settings',
    );
  }
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const redisClusterNodes = clusterNodes(env, 'REDIS_CLUSTER_NODES');
  if (redisUrl && redisClusterNodes.length > 0)
    throw new ConfigError('REDIS_CLUSTER_NODES', 'and REDIS_URL are exclusive: set one (a cluster, or one server)');
  if (databaseReadUrl && !databaseUrl) throw new ConfigError('DATABASE_READ_URL', 'needs DATABASE_URL (the primary)');
  const workers = integer(env, 'WORKERS', production && databaseUrl ? os.availableParallelism() : 1, 1, 256);
  if (workers > 1 && !databaseUrl)
    throw new ConfigError('WORKERS', 'above 1 needs DATABASE_URL: the embedded database belongs to one process');
  const httpRequestTimeoutMs = integer(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000);
  const httpHeadersTimeoutMs = integer(
    env,
    'HTTP_HEADERS_TIMEOUT_MS',
    Math.min(10_000, httpRequestTimeoutMs),
    1000,
    600_000,
  );
  if (httpHeadersTimeoutMs > httpRequestTimeoutMs) {
    throw new ConfigError(
      'HTTP_HEADERS_TIMEOUT_MS',
      `must not exceed HTTP_REQUEST_TIMEOUT_MS (${httpRequestTimeoutMs}): the headers are part of the request`,
    );
  }
  if (workers > 1 && databaseReadUrl && !redisUrl && redisClusterNodes.length === 0) {
    throw new ConfigError(
      'DATABASE_READ_URL',
      'with WORKERS above 1 needs REDIS_URL or REDIS_CLUSTER_NODES: the workers must share who wrote recently (read-your-writes)',
    );
  }

  return Object.freeze({
    env: nodeEnv,
    host: env.HOST?.trim() || '0.0.0.0',
    port: integer(env, 'PORT', 4000, 0, 65535),
    logLevel,
    databaseUrl,
    databaseReadUrl,
    readYourWritesSeconds: integer(env, 'READ_YOUR_WRITES_SECONDS', 5, 1, 3600),
    dataDir: env.DATA_DIR?.trim() === 'memory' ? 'memory' : path.resolve(env.DATA_DIR?.trim() || '.data'),
    dbPoolMax: integer(env, 'DB_POOL_MAX', 10, 1, 500),
    dbStatementTimeoutMs: integer(env, 'DB_STATEMENT_TIMEOUT_MS', 5000, 100, 600000),
    dbPreparedStatements: flag(env, 'DB_PREPARED_STATEMENTS', true),
    dbSessionSettings,
    databaseMigrationUrl: databaseMigrationUrl ?? databaseUrl,
    redisUrl,
    redisClusterNodes: Object.freeze(redisClusterNodes),
    responseCache: flag(env, 'RESPONSE_CACHE', true),
    responseCacheMaxBytes: integer(env, 'RESPONSE_CACHE_MAX_MB', 64, 1, 65536) * 1024 * 1024,
    cacheTimeoutMs: integer(env, 'CACHE_TIMEOUT_MS', 100, 1, 10000),
    persistedQueries: oneOf(env, 'PERSISTED_QUERIES', ['on', 'only', 'off'] as const, 'on'),
    persistedQueryTtlSeconds: integer(env, 'PERSISTED_QUERY_TTL_SECONDS', 86400, 60, 31536000),
    persistedQueryMaxBytes: integer(env, 'PERSISTED_QUERY_MAX_BYTES', 16384, 256, 262144),
    rateLimits: flag(env, 'RATE_LIMITS', true),
    rateLimitPointsPerMinute: integer(env, 'RATE_LIMIT_POINTS_PER_MINUTE', 3000, 10, 10_000_000),
    maxQueryCost: integer(env, 'MAX_QUERY_COST', 10_000, 1, 10_000_000),
    trustProxy: trustedProxies(env, 'TRUST_PROXY'),
    httpRequestTimeoutMs,
    httpHeadersTimeoutMs,
    maxConnectionsPerAddress: integer(env, 'MAX_CONNECTIONS_PER_ADDRESS', 128, 0, 1_000_000),
    jwt: Object.freeze({
      secret: new TextEncoder().encode(secret ?? DEVELOPMENT_JWT_SECRET),
      secretIsDevelopmentDefault: secret === undefined,
      issuer: env.JWT_ISSUER?.trim() || 'studygraph',
      audience: env.JWT_AUDIENCE?.trim() || 'studygraph',
      ttlSeconds,
      maxTtlSeconds,
      clockToleranceSeconds: integer(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 30, 0, 600),
      jwksUrl,
    }),
    autoMigrate: flag(env, 'AUTO_MIGRATE', !production),
    autoSeed: flag(env, 'AUTO_SEED', !production && databaseUrl === undefined),
    dataloaderBatching: flag(env, 'DATALOADER_BATCHING', true),
    compiledExecution: flag(env, 'COMPILED_EXECUTION', true),
    sqlCountHeader: flag(env, 'SQL_COUNT_HEADER', !production),
    teamProductivityRefreshMinutes: integer(env, 'TEAM_PRODUCTIVITY_REFRESH_MINUTES', 60, 0, 10080),
    automationSweepSeconds: integer(env, 'AUTOMATION_SWEEP_SECONDS', 300, 0, 86400),
    retention: Object.freeze({
      notificationDays: integer(env, 'NOTIFICATION_RETENTION_DAYS', 90, 1, 3650),
      webhookDeliveryDays: integer(env, 'WEBHOOK_DELIVERY_RETENTION_DAYS', 30, 1, 3650),
      intervalMinutes: integer(env, 'RETENTION_INTERVAL_MINUTES', 60, 0, 10080),
    }),
    sandbox: flag(env, 'SANDBOX', !production),
    introspection: flag(env, 'INTROSPECTION', !production),
    // A batch takes one request of the burst (REQUESTS: 10) per operation: a larger one could never pass.
    maxBatchOperations: integer(env, 'MAX_BATCH_OPERATIONS', 0, 0, 10),
    shutdownDrainMs: integer(env, 'SHUTDOWN_DRAIN_MS', 0, 0, 60_000),
    workers,
    corsOrigins: Object.freeze(origins(env, 'CORS_ORIGINS')),
    compression: flag(env, 'COMPRESSION', true),
    metrics: Object.freeze({
      token: metricsToken(env),
      port: env.METRICS_PORT?.trim() ? integer(env, 'METRICS_PORT', 0, 1, 65535) : undefined,
    }),
    webhooks: Object.freeze({
      deliver: flag(env, 'WEBHOOK_DELIVERY', true),
      maxAttempts: integer(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 20),
      retryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 10_000, 1000, 3_600_000),
      timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
      pollMs: integer(env, 'WEBHOOK_POLL_MS', 2000, 500, 60_000),
      allowPrivateAddresses: flag(env, 'WEBHOOK_ALLOW_PRIVATE_ADDRESSES', !production),
    }),
    realtime: Object.freeze({
      maxSubscriptionsPerConnection: integer(env, 'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 20, 1, 1000),
      maxConnectionsPerUser: integer(env, 'WS_MAX_CONNECTIONS_PER_USER', 10, 1, 100_000),
      maxMessageBytes: integer(env, 'WS_MAX_MESSAGE_BYTES', 65536, 1024, 1048576),
      sendBufferEvents: integer(env, 'WS_SEND_BUFFER_EVENTS', 100, 1, 100_000),
      keepAliveMs: integer(env, 'WS_KEEPALIVE_MS', 12_000, 100, 600_000),
      analyticsSignalSeconds: integer(env, 'ANALYTICS_SIGNAL_SECONDS', 5, 0, 3600),
      maxReplayEntries: integer(env, 'WS_MAX_REPLAY_ENTRIES', 1000, 1, 100_000),
    }),
    tracing: Object.freeze({
      enabled:
        Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
        env.OTEL_SDK_DISABLED !== 'true' &&
        env.OTEL_TRACES_EXPORTER !== 'none',
      serviceName:
        env.OTEL_SERVICE_NAME ||
        (/(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '') ? undefined : 'studygraph'),
    }),
  });
}

/** The environment of a child process (a gateway the load-test and bench commands start): ours, changed. */
export function environmentWith(changes: Record<string, string>): Record<string, string | undefined> {
  return { ...process.env, ...changes };
}
