import type { Kysely } from 'kysely';
import type { Database } from '../db/types';
import { refreshTeamProductivity } from '../db/repositories/team-productivity.repository';
import type { Logger } from '../observability/logger';
import { recurring } from './recurring';

/** Refreshes team_productivity every `intervalMinutes`; the advisory lock keeps it to one process at a time. */
export function scheduleTeamProductivityRefresh(
  db: Kysely<Database>,
  intervalMinutes: number,
  logger: Logger,
  onRefreshed: () => Promise<unknown>,
): () => Promise<void> {
  const refresh = recurring(
    intervalMinutes * 60_000,
    async () => {
      const started = Date.now();
      const outcome = await refreshTeamProductivity(db);
      if (outcome === 'refreshed') await onRefreshed();
      logger.info({ outcome, ms: Date.now() - started }, 'team_productivity refresh');
    },
    (error) => logger.warn({ err: error }, 'team_productivity refresh failed; will retry at the next interval'),
  );
  return () => refresh.stop();
}
