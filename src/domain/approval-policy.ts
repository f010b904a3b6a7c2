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
  /** The reviewer's role in the organization now (undefined: no longer a member). */
  reviewerRole: OrganizationRole | undefined;
}

/**
 * Where a study in review goes after a decision of its current round (the approvals requested since it last
 * entered review): `active` on any rejection; `approved` once `requiredApprovals` distinct reviewers approved
 * and none rejected; otherwise it stays (`null`). Only decisions of reviewers the policy takes count: whose
 * role is now among `reviewerRoles` (a policy narrowed, or a reviewer demoted, since the request), and who
 * requested no approval of the round themselves (a requester never counts as a reviewer).
 */
export function reviewOutcome(
  round: readonly RoundApproval[],
  policy: ApprovalPolicy,
): { status: 'approved' | 'active'; approvals: number } | null {
  const requesters = new Set(round.map((approval) => approval.requestedBy));
  const counted = round.filter(
    (approval) =>
      !requesters.has(approval.reviewerId) &&
      approval.reviewerRole !== undefined &&
      (policy.reviewerRoles as readonly string[]).includes(approval.reviewerRole),
  );
  const approvedBy = new Set(
    counted.filter((approval) => approval.status === 'approved').map((approval) => approval.reviewerId),
  );
  if (counted.some((approval) => approval.status === 'rejected'))
    return { status: 'active', approvals: approvedBy.size };
  return approvedBy.size >= policy.requiredApprovals ? { status: 'approved', approvals: approvedBy.size } : null;
}
