import type { Kysely } from 'kysely';
import { pruneExpired, type RetentionDays } from '../db/repositories/retention.repository';
import type { Database } from '../db/types';
import type { Logger } from '../observability/logger';

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
  if (intervalMinutes === 0) return async () => undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= pruneExpired(db, days)
      .then((deleted) => {
        if (deleted.notifications + deleted.webhookDeliveries > 0) logger.info(deleted, 'expired rows deleted');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'retention pass failed; will retry at the next interval'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalMinutes * 60_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
