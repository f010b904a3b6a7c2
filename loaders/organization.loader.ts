import type { Kysely } from 'kysely';
import type { Database, OrganizationRow, OrganizationRole } from '../src/db/types';
import type { Cursor } from '../src/pagination';
import { byKey, createPageLoader, defineLoader, groupBy, type LoaderSettings } from './loader-toolkit';
import { anyUuid, keysetAfter } from './sql';

export interface ViewerOrganizationRow extends OrganizationRow {
  member_id: string;
  viewer_role: OrganizationRole;
}

export interface OrganizationPageParams {
  first: number;
  after: Cursor | null;
}

/** Organizations a user belongs to, by name: keyset on (name, id). */
export const ORGANIZATIONS_ORDER_KEY = 'organizations:name';

export function createOrganizationLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    organizationById: defineLoader<string, OrganizationRow | null>(settings, 'organizationById', async (ids) =>
      byKey(ids, await db.selectFrom('organizations').selectAll().where('id', '=', anyUuid(ids)).execute(), 'id'),
    ),

    organizationBySlug: defineLoader<string, OrganizationRow | null>(
      settings,

      'organizationBySlug',
      async (slugs) =>
        byKey(
          slugs,
          await db
            .selectFrom('organizations')
            .selectAll()
            .where('slug', 'in', [...slugs])
            .execute(),
          'slug',
        ),
    ),

    /** Pages of the organizations a user (the parent) is a member of. */
    organizationsOfUser: createPageLoader<OrganizationPageParams, ViewerOrganizationRow>(settings, 'organizationsOfUser', async (userIds, args) => {
      const rows = await db
        .selectFrom('users as u')
        .innerJoinLateral(
          (eb) => {
            let page = eb
              .selectFrom('organization_members as m')
              .innerJoin('organizations as o', 'o.id', 'm.organization_id')
              .selectAll('o')
              .select(['m.user_id as member_id', 'm.role as viewer_role'])
              .whereRef('m.user_id', '=', 'u.id');
            if (args.after) {
              page = page.where(keysetAfter('o.name', 'o.id', 'asc', args.after, 'text', 'uuid'));
            }
            return page
              .orderBy('o.name')
              .orderBy('o.id')
              .limit(args.first + 1)
              .as('page');
          },
          (join) => join.onTrue(),
        )
        .selectAll('page')
        .where('u.id', '=', anyUuid(userIds))
        .execute();
      return groupBy(rows, 'member_id');
    }),
  };
}
