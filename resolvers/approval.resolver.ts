import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { CollaborationWrite } from '../schema/collaboration-write';
import { Approval } from '../schema/approval.type';
import { DecideApprovalInput, RequestApprovalInput } from '../schema/collaboration.input';
import { User } from '../schema/user.type';
import { parseUuid } from '../src/auth/access';
import { decideApproval, requestApproval } from '../src/services/approvals.service';
import type { GatewayContext } from '../src/context/context';
import { toApproval } from './mappers';
import { relatedUser } from './relations';

@Resolver(() => Approval)
export class ApprovalResolver {
  @FieldResolver(() => User, { description: 'Who asked for the approval.' })
  requestedBy(@Root() approval: Approval, @Ctx() ctx: GatewayContext): User | Promise<User> {
    return relatedUser(ctx, approval.requestedById);
  }

  @FieldResolver(() => User, { description: 'The organization member asked to decide; only they can.' })
  reviewer(@Root() approval: Approval, @Ctx() ctx: GatewayContext): User | Promise<User> {
    return relatedUser(ctx, approval.reviewerId);
  }

  @CollaborationWrite(
    () => Approval,
    'Asks an organization member to approve a study. Study owners and editors, organization admins.',
  )
  async requestApproval(
    @Arg('input', { description: 'The study and the reviewer.' }) input: RequestApprovalInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Approval> {
    return toApproval(
      await requestApproval(ctx, {
        studyId: input.studyId,
        reviewerId: parseUuid(input.reviewerId, 'input.reviewerId'),
      }),
    );
  }

  @CollaborationWrite(
    () => Approval,
    'Approves or rejects a pending request. Only its reviewer, while a member (not a viewer) of the organization.',
  )
  async decideApproval(
    @Arg('input', { description: 'The approval and the decision.' }) input: DecideApprovalInput,
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
