import type { Kysely } from 'kysely';
import type { Database, MemberRow, OrganizationRole } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import { byKeyOf, countsByParent, createParentLoader, defineLoader } from './loader-toolkit';
import type { LoaderSettings } from './loader-toolkit';
import { anyUuid, pairIn, selectByShape } from './sql';
import { definePageLoader, type PageStatement } from './pages';
import type { EntityPrimer } from './joins';
import type { ReadPlan } from './selection';
import { keysetOrder } from './keyset-order';

export interface MemberPageParams {
  first: number;
  after: Cursor | null;
  backward: boolean;
  role: OrganizationRole | null;
  /** What the selection reads of each member (readPlan): which users and inviters to join. */
  plan: ReadPlan;
}

/** Members in the order they joined: keyset on (joined_at, user_id). */
export const MEMBER_ORDER = keysetOrder<MemberRow>('members:joined_at', {
  value: 'm.joined_at',
  id: 'm.user_id',
  direction: 'asc',
  valueType: 'timestamptz',
  idType: 'uuid',
});

export function membershipKey(organizationId: string, userId: string): string {
  return `${organizationId}:${userId}`;
}

export function createMembershipLoaders(db: Kysely<Database>, settings: LoaderSettings, prime: EntityPrimer) {
  return {
    /** Keyed by `membershipKey(organizationId, userId)`; null when the user is not a member. */
    membership: defineLoader<string, MemberRow | null>(settings, 'membership', async (keys) => {
      const rows = await db
        .selectFrom('organization_members')
        .selectAll()
        .where(pairIn(['organization_id', 'user_id'], ['uuid', 'uuid'], keys))
        .execute();
      return byKeyOf(keys, rows, (row) => membershipKey(row.organization_id, row.user_id));
    }),

    membersPage: definePageLoader(db, settings, prime, {
      name: 'membersPage',
      node: 'Member',
      statement: (args: MemberPageParams): PageStatement<MemberRow> => ({
        parents: 'organizations',
        children: (eb) => {
          const page = eb
            .selectFrom('organization_members as m')
            .selectAll('m')
            .whereRef('m.organization_id', '=', 'p.id');
          return args.role ? page.where('m.role', '=', args.role) : page;
        },
        order: MEMBER_ORDER.columns,
        first: args.first,
        after: args.after,
        backward: args.backward,
        joins: { node: 'Member', plan: args.plan },
      }),
      parentColumn: () => 'organization_id' as const,
    }),

    memberTotal: createParentLoader<{ role: OrganizationRole | null }, number>(
      settings,
      'memberTotal',
      async (organizationIds, args, argsKey) =>
        countsByParent(
          await selectByShape(db, settings, `memberTotal|${argsKey}`, organizationIds, (ids) => {
            const query = db
              .selectFrom('organization_members')
              .select((eb) => ['organization_id as parent', eb.fn.countAll<string>().as('count')])
              .where('organization_id', '=', anyUuid(ids));
            return (args.role ? query.where('role', '=', args.role) : query).groupBy('organization_id');
          }),
        ),
      () => 0,
    ),
  };
}
