import type { Kysely } from 'kysely';
import type { ApprovalRow, Database } from '../src/db/types';
import { byKey, defineLoader, groupBy, type LoaderSettings } from './page';
import { anyUuid } from './sql';

export function createApprovalLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    approvalById: defineLoader<string, ApprovalRow | null>(
      settings,
      'approvalById',
      async (ids) => byKey(ids, await db.selectFrom('approvals').selectAll().where('id', '=', anyUuid(ids)).execute(), 'id'),
    ),

    /** A study's approval requests, oldest first. */
    approvalsByStudy: defineLoader<string, ApprovalRow[]>(
      settings,
      'approvalsByStudy',
      async (studyIds) => {
        const rows = await db
          .selectFrom('approvals')
          .selectAll()
          .where('study_id', '=', anyUuid(studyIds))
          .orderBy('requested_at')
          .orderBy('id')
          .execute();
        const grouped = groupBy(rows, 'study_id');
        return studyIds.map((id) => grouped.get(id) ?? []);
      },
    ),
  };
}
