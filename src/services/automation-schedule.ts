import type { OrganizationGenerations } from '../cache/generations';
import type { Repositories } from '../db/repositories';
import type { Logger } from '../observability/logger';
import { recurring } from './recurring';

/**
 * Looks for studies that inactivity rules fire for every `intervalSeconds`, one sweep at a time in this
 * process (each firing is checked again under its organization's lock, so processes sweeping at once fire
 * each once). Returns a stop function and a way to sweep now (tests, operators).
 */
export function scheduleAutomationSweep(
  repositories: Repositories,
  generations: OrganizationGenerations,
  intervalSeconds: number,
  logger: Logger,
): { sweepNow: () => Promise<number>; stop: () => Promise<void> } {
  const sweep = recurring(
    intervalSeconds * 1000,
    async () => {
      const written = await repositories.sweepInactivityRules((error) =>
        logger.warn({ err: error }, 'an inactivity rule failed to fire; the sweep goes on'),
      );
      // No mutation wrote these: the response cache learns of them here, as it does after a mutation.
      if (written.length > 0) {
        await generations.bumpOrganizations(written);
        logger.info({ fired: written.length }, 'inactivity rules fired');
      }
      return written.length;
    },
    (error) => logger.warn({ err: error }, 'inactivity rule sweep failed; will retry at the next interval'),
  );
  return { sweepNow: sweep.runNow, stop: sweep.stop };
}
