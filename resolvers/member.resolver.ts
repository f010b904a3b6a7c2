import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { CollaborationWrite } from '../schema/collaboration-write';
import { AddMemberInput, ChangeMemberRoleInput } from '../schema/member.input';
import { Member } from '../schema/member.type';
import { User } from '../schema/user.type';
import { parseUuid } from '../src/auth/access';
import { normalizedEmail } from '../src/domain/email';
import { addMember, changeMemberRole } from '../src/services/members.service';
import type { GatewayContext } from '../src/context/context';
import { badUserInput } from '../src/graphql/errors';
import { toMember } from './mappers';
import { optionalRelatedUser, relatedUser } from './relations';

@Resolver(() => Member)
export class MemberResolver {
  @FieldResolver(() => User, { description: 'The user holding this membership.' })
  user(@Root() member: Member, @Ctx() ctx: GatewayContext): User | Promise<User> {
    return relatedUser(ctx, member.userId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who added this member; null for founders.' })
  invitedBy(@Root() member: Member, @Ctx() ctx: GatewayContext): User | null | Promise<User | null> {
    return optionalRelatedUser(ctx, member.invitedById);
  }

  @CollaborationWrite(
    () => Member,
    'Adds a user you already share an organization with, by id or by email, at once. Anyone else, whether or not the address has an account, is NOT_FOUND alike: invite them by email (inviteMember), and they join by accepting. Admins add members; only owners add owners.',
  )
  async addMember(
    @Arg('input', { description: 'The organization, the user (by id or email) and the role.' }) input: AddMemberInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Member> {
    const organizationId = parseUuid(input.organizationId, 'input.organizationId');
    if ((input.userId == null) === (input.email == null))
      throw badUserInput('Pass exactly one of `userId` and `email`.', 'input');
    const target =
      input.userId != null
        ? { userId: parseUuid(input.userId, 'input.userId') }
        : { email: normalizedEmail(input.email!) };
    return toMember(await addMember(ctx, { organizationId, target, role: input.role }));
  }

  @CollaborationWrite(
    () => Member,
    'Changes a member’s role. Admins manage members, viewers and admins; only owners grant or take the owner role. An organization keeps at least one owner.',
  )
  async changeMemberRole(
    @Arg('input', { description: 'The organization, the member and the new role.' }) input: ChangeMemberRoleInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Member> {
    const organizationId = parseUuid(input.organizationId, 'input.organizationId');
    const userId = parseUuid(input.userId, 'input.userId');
    return toMember(await changeMemberRole(ctx, { organizationId, userId, role: input.role }));
  }
}
