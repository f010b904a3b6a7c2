import { sql, type Kysely } from 'kysely';
import type { Database, MemberRow, OrganizationPlan, UserRow } from './types';

export interface ViewerRecord {
  user: UserRow;
  /** With the plan of each organization (rate-limit tiers). */
  memberships: (MemberRow & { plan: OrganizationPlan })[];
}

/** The authenticated user and all their memberships, in one statement (the auth constant of a request). */
export async function loadViewerRecord(db: Kysely<Database>, userId: string): Promise<ViewerRecord | null> {
  const row = await db
    .selectFrom('users as u')
    .selectAll('u')
    .select(
      sql<ViewerRecord['memberships']>`coalesce((
        SELECT json_agg(json_build_object(
          'organization_id', m.organization_id, 'user_id', m.user_id, 'role', m.role,
          'joined_at', m.joined_at, 'invited_by', m.invited_by, 'plan', o.plan))
        FROM organization_members m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = u.id), '[]'::json)`.as('memberships'),
    )
    .where('u.id', '=', userId)
    .executeTakeFirst();
  if (!row) return null;
  const { memberships, ...user } = row;
  return {
    user,
    memberships: memberships.map((m) => ({ ...m, joined_at: new Date(m.joined_at) })),
  };
}
