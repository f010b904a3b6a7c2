import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { CollaborationWrite } from '../schema/collaboration-write';
import { ListSize } from '../schema/cost-directives';
import { CurrentViewer } from '../schema/current-viewer';
import { MemberInvitation } from '../schema/invitation.type';
import { AcceptInvitationInput, DeclineInvitationInput, InviteMemberInput } from '../schema/member.input';
import { Member } from '../schema/member.type';
import { User } from '../schema/user.type';
import { parseUuid } from '../src/auth/access';
import type { GatewayContext, Viewer } from '../src/context/context';
import { normalizedEmail } from '../src/domain/email';
import { acceptInvitation, declineInvitation, inviteMember } from '../src/services/members.service';
import { toInvitation, toMember } from './mappers';
import { optionalRelatedUser } from './relations';

@Resolver(() => MemberInvitation)
export class InvitationResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who sent it; null once their account is gone.' })
  invitedBy(@Root() invitation: MemberInvitation, @Ctx() ctx: GatewayContext): User | null | Promise<User | null> {
    return optionalRelatedUser(ctx, invitation.invitedById);
  }

  @ListSize({ assumedSize: 10 })
  @Query(() => [MemberInvitation], {
    description: 'Open invitations addressed to the viewer’s email address, newest first (at most 100).',
  })
  async invitations(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GatewayContext): Promise<MemberInvitation[]> {
    const rows = await ctx.loaders.openInvitationsByEmail.load(normalizedEmail(viewer.email));
    return rows.map((row) => toInvitation(row));
  }

  @CollaborationWrite(
    () => MemberInvitation,
    'Invites an email address to an organization, or renews its open invitation (a fresh week, the role given). The answer is the same whether or not the address has an account. Admins invite members; only owners invite owners.',
  )
  async inviteMember(
    @Arg('input', { description: 'The organization, the address and the role.' }) input: InviteMemberInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<MemberInvitation> {
    const row = await inviteMember(ctx, {
      organizationId: parseUuid(input.organizationId, 'input.organizationId'),
      email: input.email,
      role: input.role,
    });
    return toInvitation(row);
  }

  @CollaborationWrite(
    () => Member,
    'Accepts an open invitation addressed to the viewer’s email address: the viewer joins with its role.',
  )
  async acceptInvitation(
    @Arg('input', { description: 'The invitation to accept.' }) input: AcceptInvitationInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Member> {
    return toMember(await acceptInvitation(ctx, { invitationId: parseUuid(input.invitationId, 'input.invitationId') }));
  }

  @CollaborationWrite(() => MemberInvitation, 'Declines an open invitation addressed to the viewer’s email address.')
  async declineInvitation(
    @Arg('input', { description: 'The invitation to decline.' }) input: DeclineInvitationInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<MemberInvitation> {
    return toInvitation(
      await declineInvitation(ctx, { invitationId: parseUuid(input.invitationId, 'input.invitationId') }),
    );
  }
}
