import { sql, type Kysely } from 'kysely';
import type { Config } from '../config';

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
export function sessionSettings(config: SettingsConfig): Record<string, string> {
  return {
    statement_timeout: String(config.dbStatementTimeoutMs),
    // A transaction left open (a crashed request) must not hold its locks and connection for long.
    idle_in_transaction_session_timeout: String(config.dbStatementTimeoutMs * 2),
    // Only worth it with prepared statements: unprepared ones are planned at every execution anyway.
    ...(config.dbPreparedStatements ? { plan_cache_mode: KEYED_LOOKUP_PLANS } : {}),
  };
}

/** The same settings as startup parameters of node-postgres (DB_SESSION_SETTINGS=startup). */
export function startupParameters(config: SettingsConfig): { statement_timeout: number; idle_in_transaction_session_timeout: number; options?: string } {
  const { plan_cache_mode } = sessionSettings(config);
  return {
    statement_timeout: config.dbStatementTimeoutMs,
    idle_in_transaction_session_timeout: config.dbStatementTimeoutMs * 2,
    ...(plan_cache_mode ? { options: `-c plan_cache_mode=${plan_cache_mode}` } : {}),
  };
}

/** The role the gateway connects as: DATABASE_URL's user, else (no user given) whoever `db` runs as. */
async function gatewayRole<DB>(config: Pick<Config, 'databaseUrl'>, db: Kysely<DB>): Promise<string> {
  const user = config.databaseUrl ? decodeURIComponent(new URL(config.databaseUrl).username) : '';
  if (user) return user;
  const { rows } = await sql<{ role: string }>`SELECT current_user AS role`.execute(db);
  return rows[0].role;
}

/**
 * DB_SESSION_SETTINGS=role: stores the settings as the gateway role's defaults in this database
 * (`ALTER ROLE … IN DATABASE … SET`), run on the migration connection. A transaction-mode pooler hands a
 * client whichever server connection is free, so settings cannot travel with the client's connection;
 * every server connection the pooler opens for the role starts with them instead.
 */
export async function storeRoleSettings<DB>(migrationDb: Kysely<DB>, config: SettingsConfig & Pick<Config, 'databaseUrl'>): Promise<string[]> {
  const role = await gatewayRole(config, migrationDb);
  const { rows } = await sql<{ database: string }>`SELECT current_database() AS database`.execute(migrationDb);
  const target = sql`ROLE ${sql.id(role)} IN DATABASE ${sql.id(rows[0].database)}`;
  const settings = sessionSettings(config);
  for (const [name, value] of Object.entries(settings)) {
    await sql`ALTER ${target} SET ${sql.id(name)} = ${sql.lit(value)}`.execute(migrationDb);
  }
  if (!('plan_cache_mode' in settings)) await sql`ALTER ${target} RESET plan_cache_mode`.execute(migrationDb);
  return Object.entries(settings).map(([name, value]) => `role ${role} in database ${rows[0].database}: ${name} = ${value}`);
}

export class SessionSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionSettingsError';
  }
}

/**
 * At start: the connections really run with the settings (a pooler may drop startup parameters it was
 * told to ignore, and role defaults exist only once migrate has stored them). Serving without a
 * statement timeout would let one slow query hold a connection for ever, so the gateway refuses to start.
 */
export async function verifySessionSettings<DB>(db: Kysely<DB>, config: SettingsConfig & Pick<Config, 'dbSessionSettings'>): Promise<void> {
  const expected = sessionSettings(config);
  let rows: { name: string; setting: string }[];
  try {
    ({ rows } = await sql<{ name: string; setting: string }>`SELECT name, setting FROM pg_settings WHERE name = ANY(${Object.keys(expected)})`.execute(db));
  } catch (error) {
    if (config.dbSessionSettings === 'startup' && error instanceof Error && /unsupported startup parameter/i.test(error.message)) {
      throw new SessionSettingsError(
        `${error.message}: the server behind DATABASE_URL is a pooler that refuses the connection's settings; set DB_SESSION_SETTINGS=role (and DATABASE_MIGRATION_URL to the server itself), then run npm run migrate`,
      );
    }
    throw error;
  }
  const actual = new Map(rows.map((row) => [row.name, row.setting]));
  const wrong = Object.entries(expected).filter(([name, value]) => actual.get(name) !== value);
  if (wrong.length === 0) return;
  const list = wrong.map(([name, value]) => `${name} is ${actual.get(name) ?? 'unknown'}, want ${value}`).join('; ');
  throw new SessionSettingsError(
    config.dbSessionSettings === 'role'
      ? `The database connections do not run with the gateway's settings (${list}). With DB_SESSION_SETTINGS=role they are the role's defaults: run npm run migrate (it stores them), and have the pooler open new server connections (PgBouncer: RECONNECT).`
      : `The database connections do not run with the gateway's settings (${list}): something between the gateway and PostgreSQL drops startup parameters; behind a transaction-mode pooler set DB_SESSION_SETTINGS=role.`,
  );
}
