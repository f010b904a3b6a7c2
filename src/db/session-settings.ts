import { sql, type Kysely } from 'kysely';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';

/**
 * Every prepared statement is planned once per connection. Under the default (`auto`) PostgreSQL compares
 * the plan it would make without the parameters' values against plans made with them; for a keyed lookup
 * (`id = any($1)` with one key, `limit $2`) the value-blind estimate is always higher (10 keys, 10% of
 * the rows), so it re-plans on every execution: on the organization dashboard 0.26 ms of planning per
 * 0.59 ms of execution (pg_stat_statements, plans = calls). The loaders' statements are all keyed
 * lookups whose best plan does not depend on the keys; analytics measured as fast or faster. The one
 * exception, full-text search, asks for value-aware plans itself (see withValueAwarePlans).
 */
const KEYED_LOOKUP_PLANS = 'force_generic_plan';

type SettingsConfig = Pick<Config, 'dbStatementTimeoutMs' | 'dbPreparedStatements'>;

/** The settings every connection of the gateway runs with, in pg_settings' units (milliseconds). */
function sessionSettings(config: SettingsConfig): Record<string, string> {
  return {
    statement_timeout: String(config.dbStatementTimeoutMs),
    // A transaction left open (a crashed request) must not hold its locks and connection for long.
    idle_in_transaction_session_timeout: String(config.dbStatementTimeoutMs * 2),
    // Only worth it with prepared statements: unprepared ones are planned at every execution anyway.
    ...(config.dbPreparedStatements ? { plan_cache_mode: KEYED_LOOKUP_PLANS } : {}),
  };
}

/** The same settings as startup parameters of node-postgres (DB_SESSION_SETTINGS=startup). */
export function startupParameters(config: SettingsConfig): {
  statement_timeout: number;
  idle_in_transaction_session_timeout: number;
  options?: string;
} {
  const settings = sessionSettings(config);
  return {
    statement_timeout: Number(settings.statement_timeout),
    idle_in_transaction_session_timeout: Number(settings.idle_in_transaction_session_timeout),
    ...(settings.plan_cache_mode ? { options: `-c plan_cache_mode=${settings.plan_cache_mode}` } : {}),
  };
}

/**
 * DB_SESSION_SETTINGS=role: stores the settings as the defaults of DATABASE_URL's user in the migration
 * connection's database (`ALTER ROLE … IN DATABASE … SET`); the migration role must be that role, a
 * superuser or one with CREATEROLE. A transaction-mode pooler hands a client whichever server connection
 * is free, so settings cannot travel with the client's connection; every server connection the pooler
 * opens for the role starts with them instead. Nothing is asked through the pooler first: a server
 * connection it opened now would keep the old values for its whole life.
 */
export async function storeRoleSettings<DB>(
  migrationDb: Kysely<DB>,
  config: SettingsConfig & Pick<Config, 'databaseUrl'>,
): Promise<string[]> {
  const role = decodeURIComponent(new URL(config.databaseUrl!).username);
  const { rows } = await sql<{ database: string }>`SELECT current_database() AS database`.execute(migrationDb);
  const target = sql`ROLE ${sql.id(role)} IN DATABASE ${sql.id(rows[0].database)}`;
  const settings = sessionSettings(config);
  for (const [name, value] of Object.entries(settings)) {
    await sql`ALTER ${target} SET ${sql.id(name)} = ${sql.lit(value)}`.execute(migrationDb);
  }
  if (!('plan_cache_mode' in settings)) await sql`ALTER ${target} RESET plan_cache_mode`.execute(migrationDb);
  return Object.entries(settings).map(
    ([name, value]) => `role ${role} in database ${rows[0].database}: ${name} = ${value}`,
  );
}

class SessionSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionSettingsError';
  }
}

/**
 * At start: the connections run with the settings. Serving without a statement timeout would let one
 * slow query hold a connection for ever, so the gateway refuses to start when they are not there:
 * - `startup`: what a connection reports (a pooler may refuse startup parameters, or drop those it was
 *   told to ignore);
 * - `role`: what the role's defaults in this database are (whichever server connection the check lands
 *   on). A pooled connection opened before the defaults changed keeps the old values until the pooler
 *   replaces it: that is a warning, not a refusal.
 */
export async function verifySessionSettings<DB>(
  db: Kysely<DB>,
  config: SettingsConfig & Pick<Config, 'dbSessionSettings'>,
  logger: Pick<Logger, 'warn'>,
): Promise<void> {
  const expected = sessionSettings(config);
  let live: Map<string, string>;
  try {
    const { rows } = await sql<{
      name: string;
      setting: string;
    }>`SELECT name, setting FROM pg_settings WHERE name = ANY(${Object.keys(expected)})`.execute(db);
    live = new Map(rows.map((row) => [row.name, row.setting]));
  } catch (error) {
    if (
      config.dbSessionSettings === 'startup' &&
      error instanceof Error &&
      /unsupported startup parameter/i.test(error.message)
    ) {
      throw new SessionSettingsError(
        `${error.message}: the server behind DATABASE_URL is a pooler that refuses the connection's settings; set DB_SESSION_SETTINGS=role (and DATABASE_MIGRATION_URL to the server itself), then run npm run migrate`,
      );
    }
    throw error;
  }
  const differences = (actual: Map<string, string>) =>
    Object.entries(expected)
      .filter(([name, value]) => actual.get(name) !== value)
      .map(([name, value]) => `${name} is ${actual.get(name) ?? 'not set'}, want ${value}`)
      .join('; ');
  if (config.dbSessionSettings === 'startup') {
    const wrong = differences(live);
    if (wrong) {
      throw new SessionSettingsError(
        `The database connections do not run with the gateway's settings (${wrong}): something between the gateway and PostgreSQL drops startup parameters; behind a transaction-mode pooler set DB_SESSION_SETTINGS=role.`,
      );
    }
    return;
  }
  const { rows } = await sql<{ setting: string }>`
    SELECT unnest(s.setconfig) AS setting FROM pg_db_role_setting s
    JOIN pg_roles r ON r.oid = s.setrole JOIN pg_database d ON d.oid = s.setdatabase
    WHERE r.rolname = current_user AND d.datname = current_database()`.execute(db);
  const stored = new Map(
    rows.map(({ setting }) => [setting.slice(0, setting.indexOf('=')), setting.slice(setting.indexOf('=') + 1)]),
  );
  const missing = differences(stored);
  if (missing) {
    throw new SessionSettingsError(
      `The gateway role's defaults in this database are not the gateway's settings (${missing}). With DB_SESSION_SETTINGS=role they are stored by npm run migrate (with DATABASE_MIGRATION_URL pointing at the server): run it with this configuration.`,
    );
  }
  const stale = differences(live);
  if (stale) {
    logger.warn(
      `A pooled database connection still runs with older settings (${stale}); new server connections get the role's defaults. Have the pooler replace its connections (PgBouncer: RECONNECT).`,
    );
  }
}
