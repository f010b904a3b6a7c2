import type { Kysely } from 'kysely';
import type { Database } from '../db/types';
import { refreshTeamProductivity } from '../db/repositories/team-productivity.repository';
import type { Logger } from '../observability/logger';

/** Refreshes team_productivity every `intervalMinutes`; the advisory lock keeps it to one process at a time. */
export function scheduleTeamProductivityRefresh(
  db: Kysely<Database>,
  intervalMinutes: number,
  logger: Logger,
  onRefreshed: () => Promise<unknown>,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    const started = Date.now();
    running = refreshTeamProductivity(db)
      .then(async (outcome) => {
        if (outcome === 'refreshed') await onRefreshed();
        logger.info({ outcome, ms: Date.now() - started }, 'team_productivity refresh');
      })
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'team_productivity refresh failed; will retry at the next interval'),
      )
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
