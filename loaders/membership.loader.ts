import { definers, pairIn } from './sql';
import type { Kysely } from 'kysely';
import type { Database, MemberRow, OrganizationRole } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import type { LoaderSettings } from './loader-toolkit';
import { definePageLoader } from './pages';
import { type EntityPrimer, planColumnNames, planColumns } from './joins';
import { CONNECTION_NODES, type ReadPlan } from './selection';
import { decodeAfter, keysetOrder } from './keyset-order';
import { countedRows, type CountedRelation } from './counts';
import { declareFoldable, declareFoldableCount, foldablePage, type FieldArguments } from './folds';

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

/** Which members a count counts: every role (null) or one. */
export interface MemberTotalParams {
  role: OrganizationRole | null;
}

/** The count's arguments from Organization.members' (its fold and its resolver make them alike). */
export function memberTotalArgs(field: FieldArguments): MemberTotalParams {
  const { role } = field as { role?: OrganizationRole | null };
  return { role: role ?? null };
}

/** Every member: Organization.memberCount. */
export const ALL_MEMBERS: MemberTotalParams = { role: null };

const MEMBER_TOTALS = {
  loader: 'memberTotal',
  rows: (db, { role }) => {
    const rows = db.selectFrom('organization_members as m');
    return countedRows(role ? rows.where('m.role', '=', role) : rows);
  },
  parentColumn: () => 'm.organization_id',
} as const satisfies CountedRelation<MemberTotalParams>;

/** An organization's members counted, by its loader or folded into the organization's statement. */
declareFoldableCount<MemberTotalParams>('Organization', 'members', {
  counted: MEMBER_TOTALS,
  path: ['totalCount'],
  argsFrom: memberTotalArgs,
});
declareFoldableCount<MemberTotalParams>('Organization', 'memberCount', {
  counted: MEMBER_TOTALS,
  path: [],
  argsFrom: () => ALL_MEMBERS,
});

/** Every column of a member row. */
const MEMBER_COLUMNS = ['organization_id', 'user_id', 'role', 'joined_at', 'invited_by'] as const;

const MEMBER_ROLES: readonly unknown[] = ['owner', 'admin', 'member', 'viewer'] satisfies OrganizationRole[];

/**
 * An organization's members in the order they joined: one declaration for the page loader,
 * Organization.members and the folds of pages of organizations.
 */
export const MEMBER_PAGES = declareFoldable<MemberPageParams, MemberRow>('Organization', 'members', {
  loader: 'membersPage',
  node: 'Member',
  path: CONNECTION_NODES,
  table: 'organization_members',
  parentColumn: 'organization_id',
  argsFrom(field, plan) {
    const page = foldablePage(field);
    const { role } = field as { role?: unknown };
    // The role becomes a bound value: only the enum's own values pass.
    if (!page || (role !== undefined && role !== null && !MEMBER_ROLES.includes(role))) return null;
    const after = decodeAfter(page.after, MEMBER_ORDER);
    return { first: page.first, after, backward: page.backward, role: (role ?? null) as OrganizationRole | null, plan };
  },
  statement: (args) => ({
    parents: 'organizations',
    children: (eb) => {
      const page = eb
        .selectFrom('organization_members as m')
        .select(planColumns('m', MEMBER_COLUMNS, 'Member', args.plan))
        .whereRef('m.organization_id', '=', 'p.id');
      return args.role ? page.where('m.role', '=', args.role) : page;
    },
    order: MEMBER_ORDER.columns,
    window: args,
    joins: { node: 'Member', plan: args.plan },
  }),
  ownColumns: (args) => planColumnNames(MEMBER_COLUMNS, 'Member', args.plan),
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
      statement: (args: MemberPageParams) => MEMBER_PAGES.statement(args),
      parentColumn: 'organization_id',
    }),

    memberTotal: define.count(MEMBER_TOTALS),
  };
}
