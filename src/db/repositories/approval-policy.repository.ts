import { sql, type Kysely, type Transaction } from 'kysely';
import { DEFAULT_APPROVAL_POLICY, reviewOutcome, type ApprovalPolicy } from '../../domain/approval-policy';
import type { ApprovalPolicyRow, ApprovalRow, Database, StudyRow } from '../types';
import type { ActivityEntry } from './activity.repository';

/** An organization's approval policy as it stands in this transaction (the default without a row of its own). */
export async function approvalPolicyOf(
  db: Kysely<Database> | Transaction<Database>,
  organizationId: string,
): Promise<ApprovalPolicy> {
  const row = await db
    .selectFrom('approval_policies')
    .select(['required_approvals', 'reviewer_roles'])
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  return row
    ? { requiredApprovals: row.required_approvals, reviewerRoles: row.reviewer_roles }
    : DEFAULT_APPROVAL_POLICY;
}

/** Sets an organization's approval policy (admins; checked by the service). Studies already in review follow it from their next decision. */
export async function upsertApprovalPolicy(
  db: Kysely<Database>,
  input: { organizationId: string; policy: ApprovalPolicy; actorId: string },
): Promise<ApprovalPolicyRow> {
  const values = {
    organization_id: input.organizationId,
    required_approvals: input.policy.requiredApprovals,
    reviewer_roles: [...input.policy.reviewerRoles],
    updated_at: new Date(),
    updated_by: input.actorId,
  };
  return db
    .insertInto('approval_policies')
    .values(values)
    .onConflict((conflict) =>
      conflict.column('organization_id').doUpdateSet({
        required_approvals: values.required_approvals,
        reviewer_roles: values.reviewer_roles,
        updated_at: values.updated_at,
        updated_by: values.updated_by,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * After a decision on `approval`, in the decision's transaction: moves a study in review as its organization's
 * policy says (reviewOutcome) and returns the move's activity entry, attributed to the policy (no user), or
 * null when the study stays. The decision's transaction holds its organization's log lock (writeWithActivity),
 * so decisions of one organization are decided one after the other: two racing decisions cannot both see the
 * study in review, and the move is made once. The current round is the approvals requested since the study
 * last entered review (its latest status change to in_review; all of them for a study that never logged one).
 */
export async function applyApprovalPolicy(
  trx: Transaction<Database>,
  study: StudyRow,
  approval: ApprovalRow,
): Promise<ActivityEntry | null> {
  const current = await trx.selectFrom('studies').select('status').where('id', '=', study.id).executeTakeFirst();
  if (current?.status !== 'in_review') return null;
  const entered = await trx
    .selectFrom('collaboration_activity')
    .select((eb) => eb.fn.max('created_at').as('at'))
    .where('study_id', '=', study.id)
    .where('activity_type', '=', 'status_changed')
    .where(sql<string>`details ->> 'to'`, '=', 'in_review')
    .executeTakeFirst();
  const since = entered?.at ?? null;
  // A decision on a request of an earlier round moves nothing.
  if (since !== null && approval.requested_at < since) return null;
  const round = await trx
    .selectFrom('approvals')
    .select(['reviewer_id', 'requested_by', 'status'])
    .where('study_id', '=', study.id)
    .$if(since !== null, (query) => query.where('requested_at', '>=', since!))
    .execute();
  const policy = await approvalPolicyOf(trx, study.organization_id);
  const outcome = reviewOutcome(
    round.map((row) => ({ reviewerId: row.reviewer_id, requestedBy: row.requested_by, status: row.status })),
    policy,
  );
  if (!outcome) return null;
  const moved = await trx
    .updateTable('studies')
    .set({ status: outcome.status })
    .where('id', '=', study.id)
    .where('status', '=', 'in_review')
    .returning('id')
    .executeTakeFirst();
  if (!moved) return null;
  return {
    organizationId: study.organization_id,
    studyId: study.id,
    userId: null,
    type: 'status_changed',
    details: {
      from: 'in_review',
      to: outcome.status,
      approvalPolicy: { requiredApprovals: policy.requiredApprovals, approvals: outcome.approvals },
      approvalId: approval.id,
    },
  };
}
