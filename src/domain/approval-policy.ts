import type { ApprovalStatus, OrganizationRole } from '../db/types';

/** What decides when a study in review is approved: how many approvals, and which roles may give them. */
export interface ApprovalPolicy {
  requiredApprovals: number;
  reviewerRoles: readonly Exclude<OrganizationRole, 'viewer'>[];
}

/** An organization without a policy of its own: one approval, from any member who may review. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = Object.freeze({
  requiredApprovals: 1,
  reviewerRoles: Object.freeze(['owner', 'admin', 'member'] as const),
});

export const MAX_REQUIRED_APPROVALS = 10;

/** One approval request of a study's current review round. */
export interface RoundApproval {
  reviewerId: string;
  requestedBy: string;
  status: ApprovalStatus;
}

/**
 * Where a study in review goes after a decision of its current round (the approvals requested since it last
 * entered review): `active` on any rejection; `approved` once `requiredApprovals` distinct reviewers approved
 * and none rejected, where a reviewer who also requested an approval of the round does not count (a
 * requester never counts as a reviewer); otherwise it stays (`null`).
 */
export function reviewOutcome(
  round: readonly RoundApproval[],
  policy: Pick<ApprovalPolicy, 'requiredApprovals'>,
): { status: 'approved' | 'active'; approvals: number } | null {
  const requesters = new Set(round.map((approval) => approval.requestedBy));
  const approvedBy = new Set(
    round
      .filter((approval) => approval.status === 'approved' && !requesters.has(approval.reviewerId))
      .map((approval) => approval.reviewerId),
  );
  if (round.some((approval) => approval.status === 'rejected')) return { status: 'active', approvals: approvedBy.size };
  return approvedBy.size >= policy.requiredApprovals ? { status: 'approved', approvals: approvedBy.size } : null;
}
