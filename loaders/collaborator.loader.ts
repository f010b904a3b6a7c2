import type { Kysely } from 'kysely';
import type { CollaboratorRow, Database } from '../src/db/types';
import { defineLoader, groupBy, type LoaderSettings } from './page';
import { anyUuid } from './sql';
import { JOINED_USER_COLUMNS, primeJoinedUser, type UserLoaders } from './user.loader';

export function createCollaboratorLoaders(db: Kysely<Database>, settings: LoaderSettings, users: UserLoaders) {
  return {
    /** All collaborators of a study, oldest first (a study has tens, not thousands), with their users (primed). */
    collaboratorsByStudy: defineLoader<string, CollaboratorRow[]>(
      settings,
      'collaboratorsByStudy',
      async (studyIds) => {
        const rows = await db
          .selectFrom('study_collaborators as c')
          .innerJoin('users as u', 'u.id', 'c.user_id')
          .selectAll('c')
          .select(JOINED_USER_COLUMNS)
          .where('c.study_id', '=', anyUuid(studyIds))
          .orderBy('c.added_at')
          .orderBy('c.user_id')
          .execute();
        const grouped = groupBy(
          rows.map((row) => primeJoinedUser(users.userById, row.user_id, row)),
          'study_id',
        );
        return studyIds.map((id) => grouped.get(id) ?? []);
      },
    ),
  };
}
