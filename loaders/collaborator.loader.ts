import type { Kysely } from 'kysely';
import type { CollaboratorRow, Database } from '../src/db/types';
import { defineLoader, groupBy, type LoaderSettings } from './page';
import { anyUuid } from './sql';

export function createCollaboratorLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    /** All collaborators of a study, oldest first (a study has tens, not thousands). */
    collaboratorsByStudy: defineLoader<string, CollaboratorRow[]>(
      settings,
      'collaboratorsByStudy',
      async (studyIds) => {
        const rows = await db
          .selectFrom('study_collaborators')
          .selectAll()
          .where('study_id', '=', anyUuid(studyIds))
          .orderBy('added_at')
          .orderBy('user_id')
          .execute();
        const grouped = groupBy(rows, 'study_id');
        return studyIds.map((id) => grouped.get(id) ?? []);
      },
    ),
  };
}
