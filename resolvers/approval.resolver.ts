import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { CollaborationWriteLimit } from '../schema/cost-directives';
import { Approval } from '../schema/approval.type';
import { DecideApprovalInput, RequestApprovalInput } from '../schema/collaboration.input';
import { User } from '../schema/user.type';
import { parseUuid } from '../src/auth/access';
import { decideApproval, requestApproval } from '../src/services/approvals.service';
import type { GatewayContext, Viewer } from '../src/context/context';
import { toApproval } from './mappers';
import { relatedUser } from './relations';
import { CurrentViewer } from '../schema/current-viewer';

@Resolver(() => Approval)
export class ApprovalResolver {
  @FieldResolver(() => User)
  requestedBy(@Root() approval: Approval, @Ctx() ctx: GatewayContext): User | Promise<User> {
    return relatedUser(ctx, approval.requestedById);
  }

  @FieldResolver(() => User)
  reviewer(@Root() approval: Approval, @Ctx() ctx: GatewayContext): User | Promise<User> {
    return relatedUser(ctx, approval.reviewerId);
  }

  @CollaborationWriteLimit()
  @Mutation(() => Approval, {
    description: 'Asks an organization member to approve a study. Study owners and editors, organization admins.',
  })
  async requestApproval(
    @Arg('input', () => RequestApprovalInput) input: RequestApprovalInput,
    @CurrentViewer() _viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Approval> {
    return toApproval(
      await requestApproval(ctx, {
        studyId: input.studyId,
        reviewerId: parseUuid(input.reviewerId, 'input.reviewerId'),
      }),
    );
  }

  @CollaborationWriteLimit()
  @Mutation(() => Approval, {
    description:
      'Approves or rejects a pending request. Only its reviewer, while a member (not a viewer) of the organization.',
  })
  async decideApproval(
    @Arg('input', () => DecideApprovalInput) input: DecideApprovalInput,
    @CurrentViewer() _viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Approval> {
    return toApproval(
      await decideApproval(ctx, {
        approvalId: parseUuid(input.approvalId, 'input.approvalId'),
        decision: input.decision,
      }),
    );
  }
}
