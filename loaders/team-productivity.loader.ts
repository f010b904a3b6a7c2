import type { Kysely } from 'kysely';
import type { Database } from '../src/db/types';
import type { LoaderSettings } from './loader-toolkit';
import { anyUuid, definers } from './sql';

export function createTeamProductivityLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  const define = definers(db, settings);
  return {
    /** A row of the materialized view; null for organizations created after its last refresh. */
    teamProductivity: define.byKey('teamProductivity', 'organization_id', (ids) =>
      db.selectFrom('team_productivity').selectAll().where('organization_id', '=', anyUuid(ids)),
    ),
  };
}
