import { anyUuid, definers } from './sql';
import type { Kysely } from 'kysely';
import type { ApprovalRow, Database } from '../src/db/types';
import type { LoaderSettings } from './loader-toolkit';
import { type EntityPrimer, planColumnNames, planColumns } from './joins';
import { declareFoldable } from './folds';
import { defineListLoader } from './pages';
import { LIST_ITEMS, type ReadPlan } from './selection';

export interface ApprovalListParams {
  /** What the selection reads of each approval (readPlan): which requesters and reviewers to join. */
  plan: ReadPlan;
}

/** Every column of an approval row. */
const APPROVAL_COLUMNS = [
  'id',
  'study_id',
  'organization_id',
  'requested_by',
  'reviewer_id',
  'status',
  'requested_at',
  'decided_at',
] as const;

/** A study's approval requests, oldest first: one declaration for the loader, Study.approvals and the folds. */
export const APPROVAL_LISTS = declareFoldable<ApprovalListParams, ApprovalRow>('Study', 'approvals', {
  loader: 'approvalsByStudy',
  node: 'Approval',
  path: LIST_ITEMS,
  table: 'approvals',
  parentColumn: 'study_id',
  argsFrom: (_field, plan) => ({ plan }),
  statement: (args) => ({
    parents: 'studies',
    children: (eb) =>
      eb
        .selectFrom('approvals as a')
        .select(planColumns('a', APPROVAL_COLUMNS, 'Approval', args.plan))
        .whereRef('a.study_id', '=', 'p.id'),
    order: { value: 'a.requested_at', id: 'a.id', direction: 'asc', valueType: 'timestamptz', idType: 'uuid' },
    window: null,
    joins: { node: 'Approval', plan: args.plan },
  }),
  ownColumns: (args) => planColumnNames(APPROVAL_COLUMNS, 'Approval', args.plan),
});

export function createApprovalLoaders(db: Kysely<Database>, settings: LoaderSettings, prime: EntityPrimer) {
  const define = definers(db, settings);
  return {
    approvalById: define.byId('approvalById', (ids) =>
      db.selectFrom('approvals').selectAll().where('id', '=', anyUuid(ids)),
    ),
    /** An organization's approval policy row; null: it has none (the default applies). */
    approvalPolicy: define.byKey('approvalPolicy', 'organization_id', (ids) =>
      db.selectFrom('approval_policies').selectAll().where('organization_id', '=', anyUuid(ids)),
    ),

    /** A study's approval requests, oldest first, with the users the selection reads (primed). */
    approvalsByStudy: defineListLoader(db, settings, prime, APPROVAL_LISTS),
  };
}
