import { sql, type Kysely } from 'kysely';
import type { Database } from '../types';

/** One refresh at a time across every process sharing the database. */
const REFRESH_LOCK = sql`hashtext('studygraph:team_productivity:refresh')`;

export type RefreshOutcome = 'refreshed' | 'joined';

/**
 * Refreshes the team_productivity view CONCURRENTLY (readers are never blocked) under a transaction-level
 * advisory lock. If another process is refreshing, waits for it and returns 'joined' instead of
 * refreshing twice: either way the caller then reads figures computed after it asked.
 */
export async function refreshTeamProductivity(db: Kysely<Database>): Promise<RefreshOutcome> {
  const refreshed = await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL statement_timeout = 0`.execute(trx);
    const { rows } = await sql<{
      locked: boolean;
    }>`SELECT pg_try_advisory_xact_lock(${REFRESH_LOCK}) AS locked`.execute(trx);
    if (!rows[0]?.locked) return false;
    await sql`REFRESH MATERIALIZED VIEW CONCURRENTLY team_productivity`.execute(trx);
    return true;
  });
  if (refreshed) return 'refreshed';
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL statement_timeout = 0`.execute(trx);
    await sql`SELECT pg_advisory_xact_lock(${REFRESH_LOCK})`.execute(trx);
  });
  return 'joined';
}
