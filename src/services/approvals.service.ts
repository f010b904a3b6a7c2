import { loadVisibleStudy, requireOrganizationRole, requireStudyRole, requireViewer } from '../auth/access';
import type { GatewayContext } from '../context/context';
import type { ApprovalRow, ApprovalStatus } from '../db/types';
import { badUserInput, forbidden, notFound } from '../graphql/errors';
import { forgetWritten } from './written';

/**
 * An approval changes its study's approval lists, the activity log and the figures made from it; a decision
 * may move the study too (its organization's approval policy, applyApprovalPolicy).
 */
function approvalWritten(ctx: GatewayContext, row: ApprovalRow): ApprovalRow {
  forgetWritten(ctx, 'approvals', 'studies');
  ctx.loaders.approvalById.prime(row.id, row);
  return row;
}

/** Asks a member of the study's organization to approve it: by the study's owners and editors (and organization admins), never of oneself. */
export async function requestApproval(
  ctx: GatewayContext,
  input: { studyId: string; reviewerId: string },
): Promise<ApprovalRow> {
  const viewer = requireViewer(ctx);
  const study = await loadVisibleStudy(ctx, input.studyId, 'input.studyId');
  await requireStudyRole(ctx, study, ['owner', 'editor'], 'request approvals');
  if (input.reviewerId === viewer.id) throw badUserInput('You cannot review your own request.', 'input.reviewerId');
  // The reviewer's role is checked in the write's transaction (insertApproval), where it cannot change meanwhile.
  return approvalWritten(
    ctx,
    await ctx.repositories.insertApproval({ study, reviewerId: input.reviewerId, actorId: viewer.id }),
  );
}

/** Approves or rejects a pending request: only its reviewer, while a member (not a viewer) of the organization. */
export async function decideApproval(
  ctx: GatewayContext,
  input: { approvalId: string; decision: Exclude<ApprovalStatus, 'pending'> },
): Promise<ApprovalRow> {
  const viewer = requireViewer(ctx);
  const approval = await ctx.loaders.approvalById.load(input.approvalId);
  if (!approval) throw notFound('Approval', input.approvalId);
  const study = await loadVisibleStudy(ctx, approval.study_id).catch(() => {
    throw notFound('Approval', input.approvalId);
  });
  if (approval.reviewer_id !== viewer.id) throw forbidden('Only the requested reviewer can decide this approval.');
  if (approval.status !== 'pending')
    throw badUserInput(`This approval was already ${approval.status}.`, 'input.approvalId');
  // The same rule as for being asked (requestApproval), held again in the write's transaction.
  requireOrganizationRole(ctx, study.organization_id, 'member', 'decide an approval');
  return approvalWritten(
    ctx,
    await ctx.repositories.recordApprovalDecision({ approval, study, decision: input.decision, actorId: viewer.id }),
  );
}
