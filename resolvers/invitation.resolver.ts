import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CollaborationWriteLimit, ListSize } from '../schema/cost-directives';
import { CurrentViewer } from '../schema/current-viewer';
import { InvitationStatus, OrganizationRole } from '../schema/enums';
import { MemberInvitation } from '../schema/invitation.type';
import { AcceptInvitationInput, DeclineInvitationInput, InviteMemberInput } from '../schema/member.input';
import { Member } from '../schema/member.type';
import { User } from '../schema/user.type';
import { parseUuid, requireOrganizationRole } from '../src/auth/access';
import type { GatewayContext, Viewer } from '../src/context/context';
import type { InvitationRow } from '../src/db/types';
import { badUserInput, forbidden, notFound } from '../src/graphql/errors';
import { toInvitation } from './mappers';
import { changed, normalizedEmail } from './member.resolver';
import { optionalRelatedUser } from './relations';

/**
 * An invitation the viewer may answer: addressed to their own email address and still open. Anyone
 * else's invitation does not exist for them.
 */
async function openInvitationOf(ctx: GatewayContext, viewer: Viewer, invitationId: string): Promise<InvitationRow> {
  const invitation = await ctx.loaders.invitationById.load(parseUuid(invitationId, 'input.invitationId'));
  if (!invitation || invitation.email !== normalizedEmail(viewer.email)) throw notFound('Invitation', invitationId);
  const { status } = toInvitation(invitation);
  if (status !== InvitationStatus.PENDING)
    throw badUserInput(`This invitation is ${status.toLowerCase()}; ask the organization for a new one.`, 'input.invitationId');
  return invitation;
}

@Resolver(() => MemberInvitation)
export class InvitationResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who sent it; null once their account is gone.' })
  invitedBy(@Root() invitation: MemberInvitation, @Ctx() ctx: GatewayContext): User | null | Promise<User | null> {
    return optionalRelatedUser(ctx, invitation.invitedById);
  }

  @ListSize({ assumedSize: 10 })
  @Query(() => [MemberInvitation], { description: 'Open invitations addressed to the viewer’s email address, newest first (at most 100).' })
  async invitations(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GatewayContext): Promise<MemberInvitation[]> {
    const rows = await ctx.loaders.openInvitationsByEmail.load(normalizedEmail(viewer.email));
    return rows.map((row) => toInvitation(row));
  }

  @CollaborationWriteLimit()
  @Mutation(() => MemberInvitation, {
    description:
      'Invites an email address to an organization, or renews its open invitation (a fresh week, the role given). The answer is the same whether or not the address has an account. Admins invite members; only owners invite owners.',
  })
  async inviteMember(
    @Arg('input', () => InviteMemberInput) input: InviteMemberInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<MemberInvitation> {
    const organizationId = parseUuid(input.organizationId, 'input.organizationId');
    const actorRole = requireOrganizationRole(ctx, organizationId, 'admin', 'invite members');
    if (input.role === OrganizationRole.OWNER && actorRole !== 'owner') throw forbidden('Only an owner can invite another owner.');
    const row = await ctx.repositories.upsertInvitation({ organizationId, email: normalizedEmail(input.email), role: input.role, actorId: viewer.id });
    return toInvitation(row);
  }

  @CollaborationWriteLimit()
  @Mutation(() => Member, { description: 'Accepts an open invitation addressed to the viewer’s email address: the viewer joins with its role.' })
  async acceptInvitation(
    @Arg('input', () => AcceptInvitationInput) input: AcceptInvitationInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Member> {
    const invitation = await openInvitationOf(ctx, viewer, input.invitationId);
    const row = await ctx.repositories.acceptInvitation({ invitation, user: { id: viewer.id, email: normalizedEmail(viewer.email) } });
    return changed(ctx, row);
  }

  @CollaborationWriteLimit()
  @Mutation(() => MemberInvitation, { description: 'Declines an open invitation addressed to the viewer’s email address.' })
  async declineInvitation(
    @Arg('input', () => DeclineInvitationInput) input: DeclineInvitationInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<MemberInvitation> {
    const invitation = await openInvitationOf(ctx, viewer, input.invitationId);
    return toInvitation(await ctx.repositories.declineInvitation({ invitationId: invitation.id, email: invitation.email }));
  }
}
