import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import type { Database, TeamProductivityRow } from '../src/db/types';
import { byKey } from './page';
import { anyUuid } from './sql';

export function createTeamProductivityLoaders(db: Kysely<Database>, batch: boolean) {
  return {
    /** A row of the materialized view; null for organizations created after its last refresh. */
    teamProductivity: new DataLoader<string, TeamProductivityRow | null>(
      async (organizationIds) =>
        byKey(
          organizationIds,
          await db.selectFrom('team_productivity').selectAll().where('organization_id', '=', anyUuid(organizationIds)).execute(),
          'organization_id',
        ),
      { batch },
    ),
  };
}
