import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import type { ApprovalRow, Database } from '../src/db/types';
import { byKey, groupBy } from './page';
import { anyUuid } from './sql';

export function createApprovalLoaders(db: Kysely<Database>, batch: boolean) {
  return {
    approvalById: new DataLoader<string, ApprovalRow | null>(
      async (ids) => byKey(ids, await db.selectFrom('approvals').selectAll().where('id', '=', anyUuid(ids)).execute(), 'id'),
      { batch },
    ),

    /** A study's approval requests, oldest first. */
    approvalsByStudy: new DataLoader<string, ApprovalRow[]>(
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
      { batch },
    ),
  };
}
