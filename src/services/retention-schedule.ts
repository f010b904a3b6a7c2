import type { Kysely } from 'kysely';
import { pruneExpired, type RetentionDays } from '../db/repositories/retention.repository';
import type { Database } from '../db/types';
import type { Logger } from '../observability/logger';
import { recurring } from './recurring';

/**
 * Deletes notifications and webhook delivery attempts past their retention every `intervalMinutes` (0: never),
 * so what is kept for users and webhooks stays bounded. Several processes doing so at once delete nothing twice.
 */
export function scheduleRetention(
  db: Kysely<Database>,
  days: RetentionDays,
  intervalMinutes: number,
  logger: Logger,
): () => Promise<void> {
  const prune = recurring(
    intervalMinutes * 60_000,
    async () => {
      const deleted = await pruneExpired(db, days);
      if (deleted.notifications + deleted.webhookDeliveries > 0) logger.info(deleted, 'expired rows deleted');
    },
    (error) => logger.warn({ err: error }, 'retention pass failed; will retry at the next interval'),
  );
  return () => prune.stop();
}
