import type { Kysely } from 'kysely';
import type { ApprovalRow, Database } from '../src/db/types';
import { byKey, createParentLoader, defineLoader, groupBy, type LoaderSettings } from './loader-toolkit';
import { anyUuid, selectByShape } from './sql';
import { primeToOneJoins, withToOneJoins, type EntityPrimer } from './joins';
import type { ReadPlan } from './selection';

export interface ApprovalListParams {
  /** What the selection reads of each approval (readPlan): which requesters and reviewers to join. */
  plan: ReadPlan;
}

export function createApprovalLoaders(db: Kysely<Database>, settings: LoaderSettings, prime: EntityPrimer) {
  return {
    approvalById: defineLoader<string, ApprovalRow | null>(settings, 'approvalById', async (ids) =>
      byKey(
        ids,
        await selectByShape(db, settings, 'approvalById', ids, (keys) => db.selectFrom('approvals').selectAll().where('id', '=', anyUuid(keys))),
        'id',
      ),
    ),

    /** A study's approval requests, oldest first, with the users the selection reads (primed). */
    approvalsByStudy: createParentLoader<ApprovalListParams, ApprovalRow[]>(
      settings,
      'approvalsByStudy',
      async (studyIds, args, argsKey) => {
        const plan = settings.batch ? args.plan : { ...args.plan, joins: [] };
        const rows = await selectByShape(db, settings, `approvalsByStudy|${argsKey}`, studyIds, (ids) =>
          db
            .selectFrom('approvals as a')
            .selectAll('a')
            .$call((query) => withToOneJoins(query, 'a', 'Approval', plan))
            .where('a.study_id', '=', anyUuid(ids))
            .orderBy('a.requested_at')
            .orderBy('a.id'),
        );
        primeToOneJoins(rows, 'Approval', plan, prime);
        return groupBy(rows, 'study_id');
      },
      () => [],
    ),
  };
}
