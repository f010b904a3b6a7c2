import type { Transaction } from 'kysely';
import { badUserInput, concurrentChange, forbidden } from '../../graphql/errors';
import { roleAtLeast } from '../../domain/roles';
import type {
  ApprovalRow,
  CollaboratorRole,
  CollaboratorRow,
  CommentRow,
  Database,
  OrganizationRole,
  StudyRow,
} from '../types';
import { applyApprovalPolicy, approvalPolicyOf } from './approval-policy.repository';
import { studyActivity, writeWithActivity, type ActivityLog } from './activity.repository';

/** Serialises changes to one study's collaborators and approvals, so their checks cannot race. */
async function lockStudy(trx: Transaction<Database>, studyId: string): Promise<void> {
  await trx.selectFrom('studies').select('id').where('id', '=', studyId).forUpdate().execute();
}

/**
 * Whether a user may review in an organization, as its membership stands in this transaction: a member
 * (not a viewer) or above. The membership row stays locked until the commit, so a demotion or removal
 * cannot slip in between this check and the write it guards.
 */
async function mayReview(trx: Transaction<Database>, organizationId: string, userId: string): Promise<boolean> {
  return roleAtLeast(await membershipRole(trx, organizationId, userId), 'member');
}

async function membershipRole(
  trx: Transaction<Database>,
  organizationId: string,
  userId: string,
): Promise<OrganizationRole | undefined> {
  const membership = await trx
    .selectFrom('organization_members')
    .select('role')
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .forShare()
    .executeTakeFirst();
  return membership?.role;
}

export async function insertCollaborator(
  log: ActivityLog,
  input: { study: StudyRow; userId: string; role: CollaboratorRole; permissions: string[]; actorId: string },
): Promise<CollaboratorRow> {
  return writeWithActivity(log, { organizationId: input.study.organization_id }, async (trx) => {
    const collaborator = await trx
      .insertInto('study_collaborators')
      .values({
        study_id: input.study.id,
        user_id: input.userId,
        role: input.role,
        permissions: input.permissions,
        added_by: input.actorId,
      })
      .onConflict((oc) => oc.columns(['study_id', 'user_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!collaborator) throw badUserInput('That user is already a collaborator on this study.', 'userId');
    return {
      result: collaborator,
      activity: studyActivity(input.study, input.actorId, 'collaborator_added', {
        userId: input.userId,
        role: input.role,
      }),
    };
  });
}

/** Removes a collaborator; the last owner of a study cannot be removed. */
export async function deleteCollaborator(
  log: ActivityLog,
  input: { study: StudyRow; userId: string; actorId: string },
): Promise<void> {
  await writeWithActivity(log, { organizationId: input.study.organization_id }, async (trx) => {
    await lockStudy(trx, input.study.id);
    const removed = await trx
      .deleteFrom('study_collaborators')
      .where('study_id', '=', input.study.id)
      .where('user_id', '=', input.userId)
      .returning('role')
      .executeTakeFirst();
    if (!removed) throw badUserInput('That user is not a collaborator on this study.', 'userId');
    if (removed.role === 'owner') {
      const owners = await trx
        .selectFrom('study_collaborators')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('study_id', '=', input.study.id)
        .where('role', '=', 'owner')
        .executeTakeFirstOrThrow();
      if (Number(owners.count) === 0) throw badUserInput('A study must keep at least one owner.', 'userId');
    }
    return {
      result: undefined,
      activity: studyActivity(input.study, input.actorId, 'collaborator_removed', { userId: input.userId }),
    };
  });
}

export async function insertComment(
  log: ActivityLog,
  input: { study: StudyRow; body: string; actorId: string },
): Promise<CommentRow> {
  return writeWithActivity(log, { organizationId: input.study.organization_id }, async (trx) => {
    const comment = await trx
      .insertInto('comments')
      .values({ study_id: input.study.id, author_id: input.actorId, body: input.body })
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      result: comment,
      activity: studyActivity(input.study, input.actorId, 'comment_added', { commentId: comment.id }),
    };
  });
}

export async function markCommentResolved(
  log: ActivityLog,
  input: { comment: CommentRow; study: StudyRow; actorId: string },
): Promise<CommentRow> {
  return writeWithActivity(log, { organizationId: input.study.organization_id }, async (trx) => {
    const comment = await trx
      .updateTable('comments')
      .set({ resolved_at: new Date(), resolved_by: input.actorId })
      .where('id', '=', input.comment.id)
      .where('resolved_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!comment) throw badUserInput('That comment is already resolved.', 'commentId');
    return {
      result: comment,
      activity: studyActivity(input.study, input.actorId, 'comment_resolved', { commentId: comment.id }),
    };
  });
}

export async function insertApproval(
  log: ActivityLog,
  input: { study: StudyRow; reviewerId: string; actorId: string },
): Promise<ApprovalRow> {
  return writeWithActivity(log, { organizationId: input.study.organization_id }, async (trx) => {
    await lockStudy(trx, input.study.id);
    const role = await membershipRole(trx, input.study.organization_id, input.reviewerId);
    if (!roleAtLeast(role, 'member')) {
      throw badUserInput(
        'The reviewer must be a member (not a viewer) of the study’s organization.',
        'input.reviewerId',
      );
    }
    const policy = await approvalPolicyOf(trx, input.study.organization_id);
    if (!policy.reviewerRoles.includes(role as (typeof policy.reviewerRoles)[number])) {
      throw badUserInput(
        `The organization’s approval policy takes reviews from ${policy.reviewerRoles.map((r) => r.toUpperCase()).join(', ')} only.`,
        'input.reviewerId',
      );
    }
    const pending = await trx
      .selectFrom('approvals')
      .select('id')
      .where('study_id', '=', input.study.id)
      .where('reviewer_id', '=', input.reviewerId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (pending)
      throw badUserInput('That reviewer already has a pending approval request for this study.', 'reviewerId');
    const approval = await trx
      .insertInto('approvals')
      .values({ study_id: input.study.id, requested_by: input.actorId, reviewer_id: input.reviewerId })
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      result: approval,
      activity: studyActivity(input.study, input.actorId, 'approval_requested', {
        approvalId: approval.id,
        reviewerId: input.reviewerId,
      }),
    };
  });
}

export async function recordApprovalDecision(
  log: ActivityLog,
  input: { approval: ApprovalRow; study: StudyRow; decision: 'approved' | 'rejected'; actorId: string },
): Promise<ApprovalRow> {
  return writeWithActivity(log, { organizationId: input.study.organization_id }, async (trx) => {
    // Who may decide is settled when the decision is written, not when the request was made: a reviewer
    // demoted to viewer (or removed) since then has lost the right.
    if (!(await mayReview(trx, input.study.organization_id, input.actorId))) {
      throw forbidden(
        'Only a member (not a viewer) of the study’s organization can decide an approval; you no longer are one.',
      );
    }
    const approval = await trx
      .updateTable('approvals')
      .set({ status: input.decision, decided_at: new Date() })
      .where('id', '=', input.approval.id)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    if (!approval) throw concurrentChange('The approval');
    const decided = studyActivity(input.study, input.actorId, 'approval_decided', {
      approvalId: approval.id,
      decision: input.decision,
    });
    // What the decision causes (the organization's approval policy moving the study) is logged after it.
    const moved = await applyApprovalPolicy(trx, input.study, approval);
    return { result: approval, activity: moved ? [decided, moved] : decided };
  });
}
