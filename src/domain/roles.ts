import type { OrganizationRole } from '../db/types';

const ORGANIZATION_RANK: Record<OrganizationRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** Organization roles are ranked: an owner may do whatever an admin may, an admin whatever a member may. */
export function roleAtLeast(role: OrganizationRole | null | undefined, minimum: OrganizationRole): boolean {
  return role != null && ORGANIZATION_RANK[role] >= ORGANIZATION_RANK[minimum];
}
