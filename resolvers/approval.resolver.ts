import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { CollaborationWriteLimit } from '../schema/cost-directives';
import { Approval } from '../schema/approval.type';
import { DecideApprovalInput, RequestApprovalInput } from '../schema/collaboration.input';
import { User } from '../schema/user.type';
import { loadVisibleStudy, parseUuid, requireOrganizationRole, requireStudyRole } from '../src/auth/access';
import type { GatewayContext, Viewer } from '../src/context/context';
import { badUserInput, forbidden, notFound } from '../src/graphql/errors';
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
  @Mutation(() => Approval, { description: 'Asks an organization member to approve a study. Study owners and editors, organization admins.' })
  async requestApproval(
    @Arg('input', () => RequestApprovalInput) input: RequestApprovalInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Approval> {
    const study = await loadVisibleStudy(ctx, input.studyId, 'input.studyId');
    await requireStudyRole(ctx, study, ['owner', 'editor'], 'request approvals');
    const reviewerId = parseUuid(input.reviewerId, 'input.reviewerId');
    if (reviewerId === viewer.id) throw badUserInput('You cannot review your own request.', 'input.reviewerId');
    // The reviewer's role is checked in the write's transaction (insertApproval), where it cannot change meanwhile.
    const row = await ctx.repositories.insertApproval({ study, reviewerId, actorId: viewer.id });
    ctx.loaders.approvalsByStudy.clearAll();
    return toApproval(row);
  }

  @CollaborationWriteLimit()
  @Mutation(() => Approval, { description: 'Approves or rejects a pending request. Only its reviewer, while a member (not a viewer) of the organization.' })
  async decideApproval(
    @Arg('input', () => DecideApprovalInput) input: DecideApprovalInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Approval> {
    const approval = await ctx.loaders.approvalById.load(parseUuid(input.approvalId, 'input.approvalId'));
    if (!approval) throw notFound('Approval', input.approvalId);
    const study = await loadVisibleStudy(ctx, approval.study_id).catch(() => {
      throw notFound('Approval', input.approvalId);
    });
    if (approval.reviewer_id !== viewer.id) throw forbidden('Only the requested reviewer can decide this approval.');
    if (approval.status !== 'pending') throw badUserInput(`This approval was already ${approval.status}.`, 'input.approvalId');
    // The same rule as for being asked (requestApproval), held again in the write's transaction.
    requireOrganizationRole(ctx, study.organization_id, 'member', 'decide an approval');
    const row = await ctx.repositories.recordApprovalDecision({ approval, study, decision: input.decision, actorId: viewer.id });
    ctx.loaders.approvalById.clear(row.id).prime(row.id, row);
    ctx.loaders.approvalsByStudy.clearAll();
    return toApproval(row);
  }
}
