import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { CollaborationWriteLimit } from '../schema/cost-directives';
import { OrganizationRole } from '../schema/enums';
import { AddMemberInput, ChangeMemberRoleInput } from '../schema/member.input';
import { Member } from '../schema/member.type';
import { User } from '../schema/user.type';
import { parseUuid, requireOrganizationRole } from '../src/auth/access';
import type { GatewayContext, Viewer } from '../src/context/context';
import { badUserInput, forbidden } from '../src/graphql/errors';
import { membershipKey } from '../loaders/membership.loader';
import type { MemberRow } from '../src/db/types';
import { toMember } from './mappers';
import { optionalRelatedUser, relatedUser } from './relations';
import { CurrentViewer } from '../schema/current-viewer';

/** Addresses are compared as stored: lower case, without surrounding spaces. */
export function normalizedEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The member's roles changed: their cached viewer record is retired on every process before the answer leaves. */
export async function changed(ctx: GatewayContext, row: MemberRow): Promise<Member> {
  ctx.loaders.membership.clear(membershipKey(row.organization_id, row.user_id)).prime(membershipKey(row.organization_id, row.user_id), row);
  await ctx.services.generations.bumpUser(row.user_id);
  return toMember(row);
}

@Resolver(() => Member)
export class MemberResolver {
  @FieldResolver(() => User)
  user(@Root() member: Member, @Ctx() ctx: GatewayContext): User | Promise<User> {
    return relatedUser(ctx, member.userId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who added this member; null for founders.' })
  invitedBy(@Root() member: Member, @Ctx() ctx: GatewayContext): User | null | Promise<User | null> {
    return optionalRelatedUser(ctx, member.invitedById);
  }

  @CollaborationWriteLimit()
  @Mutation(() => Member, {
    description:
      'Adds a user you already share an organization with, by id or by email, at once. Anyone else, whether or not the address has an account, is NOT_FOUND alike: invite them by email (inviteMember), and they join by accepting. Admins add members; only owners add owners.',
  })
  async addMember(@Arg('input', () => AddMemberInput) input: AddMemberInput, @CurrentViewer() viewer: Viewer, @Ctx() ctx: GatewayContext): Promise<Member> {
    const organizationId = parseUuid(input.organizationId, 'input.organizationId');
    const actorRole = requireOrganizationRole(ctx, organizationId, 'admin', 'add members');
    if (input.role === OrganizationRole.OWNER && actorRole !== 'owner') throw forbidden('Only an owner can add another owner.');
    if ((input.userId == null) === (input.email == null)) throw badUserInput('Pass exactly one of `userId` and `email`.', 'input');
    const target = input.userId != null ? { userId: parseUuid(input.userId, 'input.userId') } : { email: normalizedEmail(input.email!) };
    const row = await ctx.repositories.insertMember({ organizationId, target, role: input.role, actorId: viewer.id });
    return changed(ctx, row);
  }

  @CollaborationWriteLimit()
  @Mutation(() => Member, {
    description:
      'Changes a member’s role. Admins manage members, viewers and admins; only owners grant or take the owner role. An organization keeps at least one owner.',
  })
  async changeMemberRole(
    @Arg('input', () => ChangeMemberRoleInput) input: ChangeMemberRoleInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Member> {
    const organizationId = parseUuid(input.organizationId, 'input.organizationId');
    const userId = parseUuid(input.userId, 'input.userId');
    const actorRole = requireOrganizationRole(ctx, organizationId, 'admin', 'change member roles');
    const target = await ctx.loaders.membership.load(membershipKey(organizationId, userId));
    if (!target) throw badUserInput('That user is not a member of this organization.', 'input.userId');
    if ((target.role === 'owner' || input.role === OrganizationRole.OWNER) && actorRole !== 'owner') {
      throw forbidden('Only an owner can grant or take the owner role.');
    }
    const { member } = await ctx.repositories.updateMemberRole({ organizationId, userId, role: input.role, actorId: viewer.id });
    return changed(ctx, member);
  }
}
