import { toApprovalPolicy } from './approval-policy.resolver';
import { ApprovalPolicy, SetApprovalPolicyInput } from '../schema/approval-policy.type';
import { setApprovalPolicy } from '../src/services/approval-policies.service';
import { Resolver } from 'type-graphql';
import { CollaborationWrite } from '../schema/collaboration-write';
import {
  AcceptInvitationInput,
  AddMemberInput,
  ChangeMemberRoleInput,
  DeclineInvitationInput,
  InviteMemberInput,
} from '../schema/member.input';
import { Member } from '../schema/member.type';
import { parseUuid } from '../src/auth/access';
import { normalizedEmail } from '../src/domain/email';
import {
  acceptInvitation,
  addMember,
  changeMemberRole,
  declineInvitation,
  inviteMember,
} from '../src/services/members.service';
import type { GatewayContext } from '../src/context/context';
import { badUserInput } from '../src/graphql/errors';
import { toInvitation, toMember } from './mappers';
import { MemberInvitation } from '../schema/invitation.type';

/** Every write on an organization's membership (members, invitations) and its approval policy, each through its service. */
@Resolver()
export class OrganizationWritesResolver {
  @CollaborationWrite(() => Member, {
    description:
      'Adds a user you already share an organization with, by id or by email, at once. Anyone else, whether or not the address has an account, is NOT_FOUND alike: invite them by email (inviteMember), and they join by accepting. Admins add members; only owners add owners.',
    inputDescription: 'The organization, the user (by id or email) and the role.',
  })
  async addMember(input: AddMemberInput, ctx: GatewayContext): Promise<Member> {
    const organizationId = parseUuid(input.organizationId, 'input.organizationId');
    if ((input.userId == null) === (input.email == null))
      throw badUserInput('Pass exactly one of `userId` and `email`.', 'input');
    const target =
      input.userId != null
        ? { userId: parseUuid(input.userId, 'input.userId') }
        : { email: normalizedEmail(input.email!) };
    return toMember(await addMember(ctx, { organizationId, target, role: input.role }));
  }

  @CollaborationWrite(() => Member, {
    description:
      'Changes a member’s role. Admins manage members, viewers and admins; only owners grant or take the owner role. An organization keeps at least one owner.',
    inputDescription: 'The organization, the member and the new role.',
  })
  async changeMemberRole(input: ChangeMemberRoleInput, ctx: GatewayContext): Promise<Member> {
    const organizationId = parseUuid(input.organizationId, 'input.organizationId');
    const userId = parseUuid(input.userId, 'input.userId');
    return toMember(await changeMemberRole(ctx, { organizationId, userId, role: input.role }));
  }

  @CollaborationWrite(() => MemberInvitation, {
    description:
      'Invites an email address to an organization, or renews its open invitation (a fresh week, the role given). The answer is the same whether or not the address has an account. Admins invite members; only owners invite owners.',
    inputDescription: 'The organization, the address and the role.',
  })
  async inviteMember(input: InviteMemberInput, ctx: GatewayContext): Promise<MemberInvitation> {
    const row = await inviteMember(ctx, {
      organizationId: parseUuid(input.organizationId, 'input.organizationId'),
      email: input.email,
      role: input.role,
    });
    return toInvitation(row);
  }

  @CollaborationWrite(() => Member, {
    description: 'Accepts an open invitation addressed to the viewer’s email address: the viewer joins with its role.',
    inputDescription: 'The invitation to accept.',
  })
  async acceptInvitation(input: AcceptInvitationInput, ctx: GatewayContext): Promise<Member> {
    return toMember(await acceptInvitation(ctx, { invitationId: parseUuid(input.invitationId, 'input.invitationId') }));
  }

  @CollaborationWrite(() => MemberInvitation, {
    description: 'Declines an open invitation addressed to the viewer’s email address.',
    inputDescription: 'The invitation to decline.',
  })
  async declineInvitation(input: DeclineInvitationInput, ctx: GatewayContext): Promise<MemberInvitation> {
    return toInvitation(
      await declineInvitation(ctx, { invitationId: parseUuid(input.invitationId, 'input.invitationId') }),
    );
  }

  @CollaborationWrite(() => ApprovalPolicy, {
    description:
      'Sets how many approvals a study in review needs and which roles may give them. Organization admins and owners.',
    inputDescription: 'The organization and its policy.',
  })
  async setApprovalPolicy(input: SetApprovalPolicyInput, ctx: GatewayContext): Promise<ApprovalPolicy> {
    return toApprovalPolicy(
      await setApprovalPolicy(ctx, {
        organizationId: parseUuid(input.organizationId, 'input.organizationId'),
        requiredApprovals: input.requiredApprovals,
        reviewerRoles: input.reviewerRoles,
      }),
    );
  }
}
