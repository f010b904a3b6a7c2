import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { ApprovalPolicy, SetApprovalPolicyInput } from '../schema/approval-policy.type';
import { CollaborationWrite } from '../schema/collaboration-write';
import type { OrganizationRole } from '../schema/enums';
import { Organization } from '../schema/organization.type';
import { parseUuid, requireMember } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import type { ApprovalPolicyRow } from '../src/db/types';
import { DEFAULT_APPROVAL_POLICY } from '../src/domain/approval-policy';
import { setApprovalPolicy } from '../src/services/approval-policies.service';

function toApprovalPolicy(row: ApprovalPolicyRow | null): ApprovalPolicy {
  return Object.assign(new ApprovalPolicy(), {
    requiredApprovals: row?.required_approvals ?? DEFAULT_APPROVAL_POLICY.requiredApprovals,
    reviewerRoles: [...(row?.reviewer_roles ?? DEFAULT_APPROVAL_POLICY.reviewerRoles)] as OrganizationRole[],
    updatedAt: row?.updated_at ?? null,
  });
}

@Resolver(() => Organization)
export class ApprovalPolicyResolver {
  @FieldResolver(() => ApprovalPolicy, {
    description: 'When its studies in review are approved (the default: one approval, from any member).',
  })
  async approvalPolicy(@Root() organization: Organization, @Ctx() ctx: GatewayContext): Promise<ApprovalPolicy> {
    requireMember(ctx, organization.id);
    return toApprovalPolicy(await ctx.loaders.approvalPolicy.load(organization.id));
  }

  @CollaborationWrite(
    () => ApprovalPolicy,
    'Sets how many approvals a study in review needs and which roles may give them. Organization admins and owners.',
  )
  async setApprovalPolicy(
    @Arg('input', { description: 'The organization and its policy.' }) input: SetApprovalPolicyInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<ApprovalPolicy> {
    return toApprovalPolicy(
      await setApprovalPolicy(ctx, {
        organizationId: parseUuid(input.organizationId, 'input.organizationId'),
        requiredApprovals: input.requiredApprovals,
        reviewerRoles: input.reviewerRoles,
      }),
    );
  }
}
