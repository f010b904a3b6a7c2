import { requireOrganizationRole, requireViewer } from '../auth/access';
import type { GatewayContext } from '../context/context';
import type { ApprovalPolicyRow, OrganizationRole } from '../db/types';
import type { ApprovalPolicy } from '../domain/approval-policy';
import { forgetWritten } from './written';

/**
 * Sets an organization's approval policy: its admins and owners. Roles come once each, in the order of
 * rank; the write replaces the previous policy, and studies in review follow it from their next decision.
 */
export async function setApprovalPolicy(
  ctx: GatewayContext,
  input: { organizationId: string; requiredApprovals: number; reviewerRoles: OrganizationRole[] },
): Promise<ApprovalPolicyRow> {
  const viewer = requireViewer(ctx);
  requireOrganizationRole(ctx, input.organizationId, 'admin', 'set the approval policy');
  const ranked = (['owner', 'admin', 'member'] as const).filter((role) => input.reviewerRoles.includes(role));
  const policy: ApprovalPolicy = { requiredApprovals: input.requiredApprovals, reviewerRoles: ranked };
  const row = await ctx.repositories.upsertApprovalPolicy({
    organizationId: input.organizationId,
    policy,
    actorId: viewer.id,
  });
  // The policy, and studies in review it may have moved (with their activity entries).
  forgetWritten(ctx, 'approvals', 'studies');
  ctx.loaders.approvalPolicy.prime(row.organization_id, row);
  return row;
}
