import { requireOrganizationRole, requireViewer } from '../auth/access';
import type { GatewayContext } from '../context/context';
import type { InvitationRow, MemberRow, OrganizationRole } from '../db/types';
import { normalizedEmail } from '../domain/email';
import { invitationStatus } from '../domain/invitations';
import { badUserInput, forbidden, notFound } from '../graphql/errors';
import { membershipKey } from '../../loaders/membership.loader';
import { forgetWritten } from './written';

/**
 * A membership changed: this request reads memberships, organizations and the figures again, and the
 * member's cached viewer record is retired on every process before the answer leaves.
 */
async function membershipWritten(ctx: GatewayContext, row: MemberRow): Promise<MemberRow> {
  forgetWritten(ctx, 'memberships', 'organizations', 'teamProductivity');
  ctx.loaders.membership.prime(membershipKey(row.organization_id, row.user_id), row);
  await ctx.services.generations.bumpUser(row.user_id);
  return row;
}

/** Only an owner gives or takes the owner role; admins manage the rest. Returns the actor's role. */
function requireRoleManager(
  ctx: GatewayContext,
  organizationId: string,
  touchesOwner: boolean,
  action: string,
  ownerOnly: string,
): OrganizationRole {
  const actorRole = requireOrganizationRole(ctx, organizationId, 'admin', action);
  if (touchesOwner && actorRole !== 'owner') throw forbidden(ownerOnly);
  return actorRole;
}

/** Adds a user the viewer already shares an organization with, by id or by email; anyone else is NOT_FOUND alike. */
export async function addMember(
  ctx: GatewayContext,
  input: { organizationId: string; target: { userId: string } | { email: string }; role: OrganizationRole },
): Promise<MemberRow> {
  requireRoleManager(
    ctx,
    input.organizationId,
    input.role === 'owner',
    'add members',
    'Only an owner can add another owner.',
  );
  return membershipWritten(ctx, await ctx.repositories.insertMember({ ...input, actorId: requireViewer(ctx).id }));
}

/** Changes a member's role; an organization keeps at least one owner (held in the write's transaction). */
export async function changeMemberRole(
  ctx: GatewayContext,
  input: { organizationId: string; userId: string; role: OrganizationRole },
): Promise<MemberRow> {
  requireOrganizationRole(ctx, input.organizationId, 'admin', 'change member roles');
  const target = await ctx.loaders.membership.load(membershipKey(input.organizationId, input.userId));
  if (!target) throw badUserInput('That user is not a member of this organization.', 'input.userId');
  requireRoleManager(
    ctx,
    input.organizationId,
    target.role === 'owner' || input.role === 'owner',
    'change member roles',
    'Only an owner can grant or take the owner role.',
  );
  const { member } = await ctx.repositories.updateMemberRole({ ...input, actorId: requireViewer(ctx).id });
  return membershipWritten(ctx, member);
}

/** Invites an email address, or renews its open invitation; the answer is the same whether or not it has an account. */
export async function inviteMember(
  ctx: GatewayContext,
  input: { organizationId: string; email: string; role: OrganizationRole },
): Promise<InvitationRow> {
  requireRoleManager(
    ctx,
    input.organizationId,
    input.role === 'owner',
    'invite members',
    'Only an owner can invite another owner.',
  );
  const row = await ctx.repositories.upsertInvitation({
    ...input,
    email: normalizedEmail(input.email),
    actorId: requireViewer(ctx).id,
  });
  ctx.loaders.forget('invitations');
  return row;
}

/** An invitation the viewer may answer: addressed to their own email address and still open; anyone else's does not exist for them. */
async function openInvitationOf(ctx: GatewayContext, invitationId: string): Promise<InvitationRow> {
  const invitation = await ctx.loaders.invitationById.load(invitationId);
  if (!invitation || invitation.email !== normalizedEmail(requireViewer(ctx).email))
    throw notFound('Invitation', invitationId);
  const status = invitationStatus(invitation);
  if (status !== 'pending')
    throw badUserInput(`This invitation is ${status}; ask the organization for a new one.`, 'input.invitationId');
  return invitation;
}

/** Joins the organization with the invitation's role. */
export async function acceptInvitation(ctx: GatewayContext, input: { invitationId: string }): Promise<MemberRow> {
  const viewer = requireViewer(ctx);
  const invitation = await openInvitationOf(ctx, input.invitationId);
  const row = await ctx.repositories.acceptInvitation({
    invitation,
    user: { id: viewer.id, email: normalizedEmail(viewer.email) },
  });
  ctx.loaders.forget('invitations');
  return membershipWritten(ctx, row);
}

export async function declineInvitation(ctx: GatewayContext, input: { invitationId: string }): Promise<InvitationRow> {
  const invitation = await openInvitationOf(ctx, input.invitationId);
  const row = await ctx.repositories.declineInvitation({ invitationId: invitation.id, email: invitation.email });
  ctx.loaders.forget('invitations');
  return row;
}
