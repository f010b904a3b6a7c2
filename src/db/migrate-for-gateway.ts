import type { Kysely } from 'kysely';
import type { Config } from '../config';
import { migrateToLatest } from './migrator';
import { storeRoleSettings } from './session-settings';

/**
 * Every pending migration, then (DB_SESSION_SETTINGS=role, on PostgreSQL) the gateway role's settings:
 * what `npm run migrate`, `npm run seed` and a start with AUTO_MIGRATE do, on the migration connection.
 */
export async function migrateForGateway<DB>(migrationDb: Kysely<DB>, config: Config): Promise<string[]> {
  const lines = await migrateToLatest(migrationDb);
  if (config.databaseUrl && config.dbSessionSettings === 'role')
    lines.push(...(await storeRoleSettings(migrationDb, config)));
  return lines;
}
