import type { Kysely } from 'kysely';
import type { Database, TeamProductivityRow } from '../src/db/types';
import { byKey, defineLoader, type LoaderSettings } from './loader-toolkit';
import { anyUuid } from './sql';

export function createTeamProductivityLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    /** A row of the materialized view; null for organizations created after its last refresh. */
    teamProductivity: defineLoader<string, TeamProductivityRow | null>(
      settings,
      'teamProductivity',
      async (organizationIds) =>
        byKey(
          organizationIds,
          await db
            .selectFrom('team_productivity')
            .selectAll()
            .where('organization_id', '=', anyUuid(organizationIds))
            .execute(),
          'organization_id',
        ),
    ),
  };
}
