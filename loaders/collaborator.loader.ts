import type { Kysely } from 'kysely';
import type { CollaboratorRow, Database, UserRow } from '../src/db/types';
import { defineLoader, listsByParent, type LoaderSettings } from './loader-toolkit';
import { anyUuid, selectByShape } from './sql';
import { JOINED_USER_COLUMNS, withJoinedUser, type UserLoaders } from './user.loader';

/**
 * A study's collaborator with its user as another loader's statement returns it, in JSON (timestamps as
 * epoch milliseconds): user id, role, permissions, added at, added by, then the user's email, name and
 * created at.
 */
export type JoinedCollaboratorTuple = [
  string,
  CollaboratorRow['role'],
  string[],
  number,
  string | null,
  string,
  string,
  number,
];

/**
 * A study's collaborator as a page's statement brings it when its selection asks for no more than the
 * role and the user's id and name (see StudyPageParams): user id, role, user name.
 */
export type CollaboratorSummaryTuple = [string, CollaboratorRow['role'], string];

/**
 * A collaborator row with its user: every statement that reads collaborators joins their users, so the
 * GraphQL Collaborator carries its user as a plain field (no resolver call per collaborator).
 */
export interface CollaboratorWithUser extends CollaboratorRow {
  user: UserRow;
}

export type CollaboratorLoaders = ReturnType<typeof createCollaboratorLoaders>;

export function createCollaboratorLoaders(db: Kysely<Database>, settings: LoaderSettings, users: UserLoaders) {
  const collaboratorsByStudy = defineLoader<string, CollaboratorWithUser[]>(
    settings,
    'collaboratorsByStudy',
    async (studyIds) => {
      const rows = await selectByShape(db, settings, 'collaboratorsByStudy', studyIds, (ids) =>
        db
          .selectFrom('study_collaborators as c')
          .innerJoin('users as u', 'u.id', 'c.user_id')
          .selectAll('c')
          .select(JOINED_USER_COLUMNS)
          .where('c.study_id', '=', anyUuid(ids))
          .orderBy('c.added_at')
          .orderBy('c.user_id'),
      );
      return listsByParent(
        studyIds,
        rows.map((row) => withJoinedUser(users.userById, row.user_id, row)),
        'study_id',
      );
    },
  );
  return {
    /** All collaborators of a study, oldest first (a study has tens, not thousands), with their users (primed). */
    collaboratorsByStudy,
    /** A study's collaborators fetched by another loader's statement: they and their users need none of their own. */
    primeJoined(studyId: string, joined: readonly JoinedCollaboratorTuple[]): void {
      collaboratorsByStudy.prime(
        studyId,
        joined.map(([userId, role, permissions, addedAt, addedBy, email, name, createdAt]) => {
          const user = { id: userId, email, name, created_at: new Date(createdAt) };
          users.userById.prime(userId, user);
          return {
            study_id: studyId,
            user_id: userId,
            role,
            permissions,
            added_at: new Date(addedAt),
            added_by: addedBy,
            user,
          };
        }),
      );
    },
  };
}
