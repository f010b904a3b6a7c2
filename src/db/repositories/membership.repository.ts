import type { Transaction } from 'kysely';
import { badUserInput } from '../../errors';
import type { Database, MemberRow, OrganizationRole } from '../types';
import { writeWithActivity, type ActivityLog } from './activity.repository';

/** Serialises membership changes of one organization, so owner checks cannot race. */
async function lockOrganization(trx: Transaction<Database>, organizationId: string): Promise<void> {
  await trx.selectFrom('organizations').select('id').where('id', '=', organizationId).forUpdate().execute();
}

export async function insertMember(
  log: ActivityLog,
  input: { organizationId: string; userId: string; role: OrganizationRole; actorId: string },
): Promise<MemberRow> {
  return writeWithActivity(log, { organizationId: input.organizationId }, async (trx) => {
    await lockOrganization(trx, input.organizationId);
    const member = await trx
      .insertInto('organization_members')
      .values({
        organization_id: input.organizationId,
        user_id: input.userId,
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
        details: { userId: input.userId, role: input.role },
      },
    };
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
