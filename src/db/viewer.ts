import { sql, type Kysely } from 'kysely';
import type { Database, MemberRow, OrganizationRow, UserRow } from './types';

export interface ViewerRecord {
  user: UserRow;
  memberships: MemberRow[];
  /**
   * The organizations of those memberships, whole rows: their plans set rate-limit tiers, and the request's
   * organization loaders are primed with them (an `organization(slug:)` of the viewer's costs no statement).
   * The API never changes an organization's row, so a kept record holds them as long as its memberships.
   */
  organizations: OrganizationRow[];
}

type MembershipJson = Omit<MemberRow, 'joined_at'> & {
  joined_at: string;
  slug: string;
  name: string;
  plan: OrganizationRow['plan'];
  created_at: string;
};

/** The authenticated user, all their memberships and those organizations, in one statement (the auth constant of a request). */
export async function loadViewerRecord(db: Kysely<Database>, userId: string): Promise<ViewerRecord | null> {
  const row = await db
    .selectFrom('users as u')
    .selectAll('u')
    .select(
      sql<MembershipJson[]>`coalesce((
        SELECT json_agg(json_build_object(
          'organization_id', m.organization_id, 'user_id', m.user_id, 'role', m.role,
          'joined_at', m.joined_at, 'invited_by', m.invited_by,
          'slug', o.slug, 'name', o.name, 'plan', o.plan, 'created_at', o.created_at))
        FROM organization_members m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = u.id), '[]'::json)`.as('memberships'),
    )
    .where('u.id', '=', userId)
    .executeTakeFirst();
  if (!row) return null;
  const { memberships, ...user } = row;
  return {
    user,
    memberships: memberships.map((m) => ({
      organization_id: m.organization_id,
      user_id: m.user_id,
      role: m.role,
      joined_at: new Date(m.joined_at),
      invited_by: m.invited_by,
    })),
    organizations: memberships.map((m) => ({
      id: m.organization_id,
      slug: m.slug,
      name: m.name,
      plan: m.plan,
      created_at: new Date(m.created_at),
    })),
  };
}
