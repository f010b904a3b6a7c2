import { definers, pairIn } from './sql';
import type { Kysely } from 'kysely';
import type { Database, MemberRow, OrganizationRole } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import type { LoaderSettings } from './loader-toolkit';
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
  const define = definers(db, settings);
  return {
    /** Keyed by `membershipKey(organizationId, userId)`; null when the user is not a member. */
    membership: define.byPair(
      'membership',
      (keys) =>
        db
          .selectFrom('organization_members')
          .selectAll()
          .where(pairIn(['organization_id', 'user_id'], ['uuid', 'uuid'], keys)),
      (row) => membershipKey(row.organization_id, row.user_id),
    ),

    membersPage: definePageLoader(db, settings, prime, {
      name: 'membersPage',
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
        window: args,
        joins: { node: 'Member', plan: args.plan },
      }),
      parentColumn: 'organization_id',
    }),

    memberTotal: define.count<{ role: OrganizationRole | null }, 'organization_members'>('memberTotal', {
      table: 'organization_members',
      parentColumn: 'organization_id',
      filter: (rows, { role }) => (role ? rows.where('role', '=', role) : rows),
    }),
  };
}
