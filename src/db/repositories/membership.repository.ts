import { sql, type Kysely, type Transaction } from 'kysely';
import { badUserInput, notFound } from '../../graphql/errors';
import type { Database, InvitationRow, MemberRow, OrganizationRole } from '../types';
import { writeWithActivity, type ActivityLog } from './activity.repository';

/** Serialises membership changes of one organization, so owner checks cannot race. */
async function lockOrganization(trx: Transaction<Database>, organizationId: string): Promise<void> {
  await trx.selectFrom('organizations').select('id').where('id', '=', organizationId).forUpdate().execute();
}

/** Who addMember names: a user by id or by email address. */
export type MemberTarget = { userId: string } | { email: string };

/** What addMember answers for anyone it cannot add directly, whether or not they have an account. */
const NOT_ADDABLE_HINT =
  'Users are added directly only when you already share an organization with them; invite anyone else by email (inviteMember).';

/**
 * Adds a user to an organization at once, without an invitation: only someone the actor already shares an
 * organization with, whom the actor can see anyway. Anyone else, an unknown address or an account in
 * other organizations only, is the same NOT_FOUND: the answer tells nobody whether an address has an account.
 */
export async function insertMember(
  log: ActivityLog,
  input: { organizationId: string; target: MemberTarget; role: OrganizationRole; actorId: string },
): Promise<MemberRow> {
  return writeWithActivity(log, { organizationId: input.organizationId }, async (trx) => {
    await lockOrganization(trx, input.organizationId);
    const [column, named] =
      'userId' in input.target ? (['u.id', input.target.userId] as const) : (['u.email', input.target.email] as const);
    const user = await trx
      .selectFrom('users as u')
      .select('u.id')
      .where(column, '=', named)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('organization_members as theirs')
            .innerJoin('organization_members as mine', 'mine.organization_id', 'theirs.organization_id')
            .select('theirs.user_id')
            .whereRef('theirs.user_id', '=', 'u.id')
            .where('mine.user_id', '=', input.actorId),
        ),
      )
      .executeTakeFirst();
    if (!user) throw notFound('User', named, NOT_ADDABLE_HINT);
    const member = await trx
      .insertInto('organization_members')
      .values({
        organization_id: input.organizationId,
        user_id: user.id,
        role: input.role,
        invited_by: input.actorId,
      })
      .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!member) throw badUserInput('That user is already a member of this organization.', 'userId');
    return {
      result: member,
      activity: {
        organizationId: input.organizationId,
        studyId: null,
        userId: input.actorId,
        type: 'member_added',
        details: { userId: user.id, role: input.role },
      },
    };
  });
}

/** How long an invitation stays open. */
const INVITATION_LIFETIME_DAYS = 7;

const withOrganizationName = (trx: Transaction<Database>, organizationId: string) =>
  trx.selectFrom('organizations').select('name').where('id', '=', organizationId).executeTakeFirstOrThrow();

/**
 * Invites an email address (already normalised) to an organization, or renews the open invitation of that
 * address: same role as asked, a fresh week. Accounts are not looked up, so the answer is the same for any
 * address, except one that belongs to a member already, whom the admin sees in the member list anyway.
 */
export async function upsertInvitation(
  db: Kysely<Database>,
  input: { organizationId: string; email: string; role: OrganizationRole; actorId: string },
): Promise<InvitationRow> {
  return db.transaction().execute(async (trx) => {
    const member = await trx
      .selectFrom('organization_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('m.user_id')
      .where('m.organization_id', '=', input.organizationId)
      .where('u.email', '=', input.email)
      .executeTakeFirst();
    if (member) throw badUserInput('That address belongs to a member of this organization already.', 'input.email');
    const expiresAt = sql<Date>`now() + make_interval(days => ${INVITATION_LIFETIME_DAYS})`;
    const invitation = await trx
      .insertInto('organization_invitations')
      .values({
        organization_id: input.organizationId,
        email: input.email,
        role: input.role,
        invited_by: input.actorId,
        expires_at: expiresAt,
      })
      .onConflict((oc) =>
        oc
          .columns(['organization_id', 'email'])
          // A literal, as the partial index's predicate is: PostgreSQL does not infer the index from a parameter.
          .where('status', '=', sql.lit('pending'))
          .doUpdateSet({
            role: input.role,
            invited_by: input.actorId,
            created_at: sql<Date>`now()`,
            expires_at: expiresAt,
          }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...invitation, organization_name: (await withOrganizationName(trx, input.organizationId)).name };
  });
}

const NO_LONGER_OPEN = 'This invitation is no longer open (accepted, declined or expired meanwhile).';

/**
 * The invitee accepts: they become a member with the invited role, the inviter recorded as who invited
 * them. The invitation must still be open and addressed to the user's own email address.
 */
export async function acceptInvitation(
  log: ActivityLog,
  input: { invitation: InvitationRow; user: { id: string; email: string } },
): Promise<MemberRow> {
  const { invitation, user } = input;
  return writeWithActivity(log, { organizationId: invitation.organization_id }, async (trx) => {
    await lockOrganization(trx, invitation.organization_id);
    const accepted = await trx
      .updateTable('organization_invitations')
      .set({ status: 'accepted', responded_at: sql<Date>`now()` })
      .where('id', '=', invitation.id)
      .where('email', '=', user.email)
      .where('status', '=', 'pending')
      .where('expires_at', '>', sql<Date>`now()`)
      .returningAll()
      .executeTakeFirst();
    if (!accepted) throw badUserInput(NO_LONGER_OPEN, 'input.invitationId');
    const member = await trx
      .insertInto('organization_members')
      .values({
        organization_id: accepted.organization_id,
        user_id: user.id,
        role: accepted.role,
        invited_by: accepted.invited_by,
      })
      .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!member)
      throw badUserInput(
        'You are already a member of this organization; decline the invitation instead.',
        'input.invitationId',
      );
    return {
      result: member,
      activity: {
        organizationId: accepted.organization_id,
        studyId: null,
        userId: user.id,
        type: 'member_added',
        details: { userId: user.id, role: accepted.role, invitationId: accepted.id },
      },
    };
  });
}

/** The invitee declines: the invitation closes; inviting the address again opens a new one. */
export async function declineInvitation(
  db: Kysely<Database>,
  input: { invitationId: string; email: string },
): Promise<InvitationRow> {
  return db.transaction().execute(async (trx) => {
    const declined = await trx
      .updateTable('organization_invitations')
      .set({ status: 'declined', responded_at: sql<Date>`now()` })
      .where('id', '=', input.invitationId)
      .where('email', '=', input.email)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    if (!declined) throw badUserInput(NO_LONGER_OPEN, 'input.invitationId');
    return { ...declined, organization_name: (await withOrganizationName(trx, declined.organization_id)).name };
  });
}

/** Changes a member's role; an organization always keeps at least one owner. */
export async function updateMemberRole(
  log: ActivityLog,
  input: { organizationId: string; userId: string; role: OrganizationRole; actorId: string },
): Promise<{ member: MemberRow; previousRole: OrganizationRole }> {
  return writeWithActivity(log, { organizationId: input.organizationId }, async (trx) => {
    await lockOrganization(trx, input.organizationId);
    const current = await trx
      .selectFrom('organization_members')
      .select('role')
      .where('organization_id', '=', input.organizationId)
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    if (!current) throw badUserInput('That user is not a member of this organization.', 'userId');
    if (current.role === 'owner' && input.role !== 'owner') {
      const owners = await trx
        .selectFrom('organization_members')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('organization_id', '=', input.organizationId)
        .where('role', '=', 'owner')
        .executeTakeFirstOrThrow();
      if (Number(owners.count) <= 1) {
        throw badUserInput('An organization must keep at least one owner: make someone else owner first.', 'role');
      }
    }
    const member = await trx
      .updateTable('organization_members')
      .set({ role: input.role })
      .where('organization_id', '=', input.organizationId)
      .where('user_id', '=', input.userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      result: { member, previousRole: current.role },
      activity: {
        organizationId: input.organizationId,
        studyId: null,
        userId: input.actorId,
        type: 'member_role_changed',
        details: { userId: input.userId, from: current.role, to: input.role },
      },
    };
  });
}
