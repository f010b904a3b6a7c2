import { Ctx, Query, Resolver } from 'type-graphql';
import { ListSize } from '../schema/cost-directives';
import { CurrentViewer } from '../schema/current-viewer';
import { MemberInvitation } from '../schema/invitation.type';
import type { GatewayContext, Viewer } from '../src/context/context';
import { normalizedEmail } from '../src/domain/email';
import { toInvitation } from './mappers';

@Resolver(() => MemberInvitation)
export class InvitationResolver {
  @ListSize({ assumedSize: 10 })
  @Query(() => [MemberInvitation], {
    description: 'Open invitations addressed to the viewer’s email address, newest first (at most 100).',
  })
  async invitations(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GatewayContext): Promise<MemberInvitation[]> {
    const rows = await ctx.loaders.openInvitationsByEmail.load(normalizedEmail(viewer.email));
    return rows.map((row) => toInvitation(row));
  }
}
