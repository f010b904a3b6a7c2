import { sql, type Kysely } from 'kysely';
import type { Database } from '../types';

export interface RetentionDays {
  notifications: number;
  webhookDeliveries: number;
}

/** Rows one pass deletes per table at most (one statement each; the next pass takes the rest). */
const ROWS_PER_PASS = 10_000;

/**
 * Deletes notifications and webhook delivery attempts older than their days, oldest first, at most
 * ROWS_PER_PASS of each. Returns how many of each went.
 */
export async function pruneExpired(
  db: Kysely<Database>,
  days: RetentionDays,
): Promise<{ notifications: number; webhookDeliveries: number }> {
  const notifications = await sql`
    DELETE FROM notifications WHERE id IN (
      SELECT id FROM notifications WHERE created_at < now() - make_interval(days => ${days.notifications})
      ORDER BY created_at LIMIT ${ROWS_PER_PASS})`.execute(db);
  const deliveries = await sql`
    DELETE FROM webhook_deliveries WHERE id IN (
      SELECT id FROM webhook_deliveries WHERE attempted_at < now() - make_interval(days => ${days.webhookDeliveries})
      ORDER BY attempted_at LIMIT ${ROWS_PER_PASS})`.execute(db);
  return {
    notifications: Number(notifications.numAffectedRows ?? 0),
    webhookDeliveries: Number(deliveries.numAffectedRows ?? 0),
  };
}
