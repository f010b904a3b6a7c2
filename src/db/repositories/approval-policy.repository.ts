import { sql, type Kysely, type Transaction } from 'kysely';
import { DEFAULT_APPROVAL_POLICY, reviewOutcome, type ApprovalPolicy } from '../../domain/approval-policy';
import type { ApprovalPolicyRow, ApprovalRow, ApprovalStatus, Database, OrganizationRole, StudyRow } from '../types';
import { writeWithActivity, type ActivityEntry, type ActivityLog } from './activity.repository';

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

/**
 * Sets an organization's approval policy (admins; checked by the service), under the organization's log lock
 * like every write that asks or decides approvals, so none of those sees half of a change. Studies in review
 * are looked at again at once: a lowered requirement approves those that already meet it, each move an
 * activity entry of the policy's.
 */
export async function upsertApprovalPolicy(
  log: ActivityLog,
  input: { organizationId: string; policy: ApprovalPolicy; actorId: string },
): Promise<ApprovalPolicyRow> {
  return writeWithActivity(log, { organizationId: input.organizationId }, async (trx) => {
    const values = {
      organization_id: input.organizationId,
      required_approvals: input.policy.requiredApprovals,
      reviewer_roles: [...input.policy.reviewerRoles],
      updated_at: new Date(),
      updated_by: input.actorId,
    };
    const row = await trx
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
    const inReview = await trx
      .selectFrom('studies')
      .select(['id', 'organization_id'])
      .where('organization_id', '=', input.organizationId)
      .where('status', '=', 'in_review')
      .orderBy('id')
      .execute();
    const moves: ActivityEntry[] = [];
    for (const study of inReview) {
      const moved = await reviewStudy(trx, study, input.policy, null);
      if (moved) moves.push(moved);
    }
    return { result: row, activity: moves };
  });
}

/**
 * After a decision on `approval`, in the decision's transaction: moves a study in review as its organization's
 * policy says (reviewStudy) and returns the move's activity entry, or null when the study stays.
 */
export async function applyApprovalPolicy(
  trx: Transaction<Database>,
  study: StudyRow,
  approval: ApprovalRow,
): Promise<ActivityEntry | null> {
  return reviewStudy(trx, study, await approvalPolicyOf(trx, study.organization_id), approval.id);
}

/**
 * Moves a study in review as `policy` says (reviewOutcome) and returns the move's activity entry, attributed to
 * the policy (no user), or null when it stays. Runs under the organization's log lock (writeWithActivity), so
 * the organization's decisions and policy changes are looked at one after the other: two racing decisions
 * cannot both see the study in review, and the move is made once. The current round is told apart by the
 * log's ids, which follow that lock's order (not by timestamps, which are each transaction's start): the
 * approvals whose request entry comes after the study's latest move to in_review. A decision on a request of
 * an earlier round (`decidedApprovalId` not in the round) moves nothing.
 */
async function reviewStudy(
  trx: Transaction<Database>,
  study: { id: string; organization_id: string },
  policy: ApprovalPolicy,
  decidedApprovalId: string | null,
): Promise<ActivityEntry | null> {
  const current = await trx.selectFrom('studies').select('status').where('id', '=', study.id).executeTakeFirst();
  if (current?.status !== 'in_review') return null;
  const { rows: round } = await sql<{
    id: string;
    reviewer_id: string;
    requested_by: string;
    status: ApprovalStatus;
    role: OrganizationRole | null;
  }>`
    SELECT a.id, a.reviewer_id, a.requested_by, a.status, m.role
    FROM approvals a
    JOIN collaboration_activity r
      ON r.study_id = a.study_id AND r.activity_type = 'approval_requested' AND r.details ->> 'approvalId' = a.id::text
    LEFT JOIN organization_members m ON m.organization_id = ${study.organization_id}::uuid AND m.user_id = a.reviewer_id
    WHERE a.study_id = ${study.id}::uuid
      AND r.id > coalesce((
        SELECT max(e.id) FROM collaboration_activity e
        WHERE e.study_id = ${study.id}::uuid AND e.activity_type = 'status_changed' AND e.details ->> 'to' = 'in_review'), 0)`.execute(
    trx,
  );
  if (decidedApprovalId !== null && !round.some((approval) => approval.id === decidedApprovalId)) return null;
  const outcome = reviewOutcome(
    round.map((row) => ({
      reviewerId: row.reviewer_id,
      requestedBy: row.requested_by,
      status: row.status,
      reviewerRole: row.role ?? undefined,
    })),
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
      approvalId: decidedApprovalId,
    },
  };
}
