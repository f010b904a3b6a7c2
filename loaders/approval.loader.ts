import type { Kysely } from 'kysely';
import type { ApprovalRow, Database } from '../src/db/types';
import { byKey, defineLoader, listsByParent, type LoaderSettings } from './loader-toolkit';
import { anyUuid, selectByShape } from './sql';
import { JOINED_USER_COLUMNS, primeJoinedUser, type UserLoaders } from './user.loader';

export function createApprovalLoaders(db: Kysely<Database>, settings: LoaderSettings, users: UserLoaders) {
  return {
    approvalById: defineLoader<string, ApprovalRow | null>(settings, 'approvalById', async (ids) =>
      byKey(ids, await db.selectFrom('approvals').selectAll().where('id', '=', anyUuid(ids)).execute(), 'id'),
    ),

    /** A study's approval requests, oldest first, with their reviewers (primed). */
    approvalsByStudy: defineLoader<string, ApprovalRow[]>(settings, 'approvalsByStudy', async (studyIds) => {
      const rows = await selectByShape(db, settings, 'approvalsByStudy', studyIds, (ids) =>
        db
          .selectFrom('approvals as a')
          .innerJoin('users as u', 'u.id', 'a.reviewer_id')
          .selectAll('a')
          .select(JOINED_USER_COLUMNS)
          .where('a.study_id', '=', anyUuid(ids))
          .orderBy('a.requested_at')
          .orderBy('a.id'),
      );
      return listsByParent(
        studyIds,
        rows.map((row) => primeJoinedUser(users.userById, row.reviewer_id, row)),
        'study_id',
      );
    }),
  };
}
