import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import type { CollaboratorRow, Database } from '../src/db/types';
import { groupBy } from './page';
import { anyUuid } from './sql';

export function createCollaboratorLoaders(db: Kysely<Database>, batch: boolean) {
  return {
    /** All collaborators of a study, oldest first (a study has tens, not thousands). */
    collaboratorsByStudy: new DataLoader<string, CollaboratorRow[]>(
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
      { batch },
    ),
  };
}
