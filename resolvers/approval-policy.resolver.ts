import { Resolver } from 'type-graphql';
import { ParentField } from '../schema/resolver-fields';
import { ApprovalPolicy } from '../schema/approval-policy.type';
import type { OrganizationRole } from '../schema/enums';
import { Organization } from '../schema/organization.type';
import { requireMember } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import type { ApprovalPolicyRow } from '../src/db/types';
import { DEFAULT_APPROVAL_POLICY } from '../src/domain/approval-policy';

export function toApprovalPolicy(row: ApprovalPolicyRow | null): ApprovalPolicy {
  return Object.assign(new ApprovalPolicy(), {
    requiredApprovals: row?.required_approvals ?? DEFAULT_APPROVAL_POLICY.requiredApprovals,
    reviewerRoles: [...(row?.reviewer_roles ?? DEFAULT_APPROVAL_POLICY.reviewerRoles)] as OrganizationRole[],
    updatedAt: row?.updated_at ?? null,
  });
}

@Resolver(() => Organization)
export class ApprovalPolicyResolver {
  @ParentField(() => ApprovalPolicy, {
    description: 'When its studies in review are approved (the default: one approval, from any member).',
  })
  async approvalPolicy(organization: Organization, ctx: GatewayContext): Promise<ApprovalPolicy> {
    requireMember(ctx, organization.id);
    return toApprovalPolicy(await ctx.loaders.approvalPolicy.load(organization.id));
  }
}
