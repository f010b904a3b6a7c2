import type { Kysely } from 'kysely';
import type { ActivityRow, Database } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import { byKey, countsByParent, createParentLoader, defineLoader, groupBy } from './loader-toolkit';
import type { LoaderSettings } from './loader-toolkit';
import { anyBigint, anyUuid, selectByShape } from './sql';
import { definePageLoader, type PageStatement } from './pages';
import { declareFoldable, foldablePage, type FieldArguments } from './folds';
import { planColumnNames, planColumns, primeToOneJoins, withToOneJoins, type EntityPrimer } from './joins';
import { CONNECTION_NODES, type ReadPlan } from './selection';
import { decodeAfter, keysetOrder } from './keyset-order';

/** Whose log: a study's, or a whole organization's (organization-wide entries included). */
export type ActivityScope = 'study' | 'organization';

const PARENT_COLUMN = { study: 'study_id', organization: 'organization_id' } as const;

export interface ActivityFilter {
  scope: ActivityScope;
  types: string[] | null;
  /** Only this user's entries. */
  actorId: string | null;
}

export interface ActivityPageParams extends ActivityFilter {
  first: number;
  after: Cursor | null;
  backward: boolean;
  /** What the selection reads of each entry (readPlan): which actors and studies to join. */
  plan: ReadPlan;
}

/** Entries after a cursor, oldest first, for a subscription's resume: of a study, or of an organization. */
export interface ActivitySinceParams {
  scope: ActivityScope;
  /** The cursor's entry id: ids grow with every entry, so "after" is `id >`. */
  afterId: string;
  types: string[] | null;
  /** Rows asked for; one more than a caller accepts tells it the cursor is too old. */
  limit: number;
}

/** Newest first: keyset on (created_at, id) descending. */
export const ACTIVITY_ORDER = keysetOrder<ActivityRow>('activity:created_at:desc', {
  value: 'a.created_at',
  id: 'a.id',
  direction: 'desc',
  valueType: 'timestamptz',
  idType: 'bigint',
});
/** Entries read for a subscription's events come with their actors (what every event shows). */
const WITH_ACTORS: ReadPlan = { costly: [], columns: null, joins: [{ field: 'actor', costly: [], columns: null }] };
const ACTIVITY_COLUMNS = [
  'id',
  'organization_id',
  'study_id',
  'user_id',
  'activity_type',
  'details',
  'created_at',
] as const;
/** As ActivityPageArgs allows. */
const MAX_ACTIVITY_TYPES = 20;

/**
 * A page's arguments from an activity field's (`first`, `after`, `types`) and its selection's plan: the one
 * way they are made, for Study.activity and Organization.activity as for a fold. null: a page size, cursor
 * or type list the field's validation would refuse (a fold leaves it to the field).
 */
export function activityPageArgs(
  filter: Pick<ActivityFilter, 'scope' | 'actorId'>,
  field: FieldArguments,
  plan: ReadPlan,
): ActivityPageParams | null {
  const page = foldablePage(field);
  if (!page) return null;
  const { types: asked } = field as { types?: unknown };
  const requested = Array.isArray(asked) ? (asked as string[]) : [];
  if (requested.length > MAX_ACTIVITY_TYPES) return null;
  const types = requested.length > 0 ? [...new Set(requested)].sort() : null;
  const after = decodeAfter(page.after, ACTIVITY_ORDER);
  return {
    scope: filter.scope,
    actorId: filter.actorId,
    types,
    first: page.first,
    after,
    backward: page.backward,
    plan,
  };
}

function activityStatement(args: ActivityPageParams): PageStatement<ActivityRow> {
  const parentColumn = `a.${PARENT_COLUMN[args.scope]}` as const;
  return {
    parents: args.scope === 'study' ? 'studies' : 'organizations',
    children: (eb) => {
      let page = eb
        .selectFrom('collaboration_activity as a')
        .select(planColumns('a', ACTIVITY_COLUMNS, 'Activity', args.plan))
        .whereRef(parentColumn, '=', 'p.id');
      if (args.types && args.types.length > 0) page = page.where('a.activity_type', 'in', args.types);
      if (args.actorId) page = page.where('a.user_id', '=', args.actorId);
      return page;
    },
    order: ACTIVITY_ORDER.columns,
    window: args,
    joins: { node: 'Activity', plan: args.plan },
  };
}

/** A study's log, folded into pages of studies like its comments. */
declareFoldable<ActivityPageParams, ActivityRow>('Study', 'activity', {
  loader: 'activityPage',
  node: 'Activity',
  path: CONNECTION_NODES,
  table: 'collaboration_activity',
  parentColumn: 'study_id',
  argsFrom: (field, plan) => activityPageArgs({ scope: 'study', actorId: null }, field, plan),
  statement: activityStatement,
  ownColumns: (args) => planColumnNames(ACTIVITY_COLUMNS, 'Activity', args.plan),
});

export function createActivityLoaders(db: Kysely<Database>, settings: LoaderSettings, prime: EntityPrimer) {
  return {
    /** Pages of a study's or an organization's activity log, with the actors and studies the selection reads (primed). */
    activityPage: definePageLoader(db, settings, prime, {
      name: 'activityPage',
      statement: activityStatement,
      parentColumn: (args: ActivityPageParams) => PARENT_COLUMN[args.scope],
    }),

    /** Entries by id, with their actors (primed): what a subscription event resolves. */
    activityById: defineLoader<string, ActivityRow | null>(settings, 'activityById', async (ids) => {
      const rows = await db
        .selectFrom('collaboration_activity as a')
        .selectAll('a')
        .$call((query) => withToOneJoins(query, 'a', 'Activity', WITH_ACTORS))
        .where('a.id', '=', anyBigint(ids))
        .execute();
      primeToOneJoins(rows, 'Activity', WITH_ACTORS, prime);
      return byKey(ids, rows, 'id');
    }),

    /** A study's or organization's entries after a cursor, oldest first (see ActivitySinceParams). */
    activitySince: createParentLoader<ActivitySinceParams, ActivityRow[]>(
      settings,
      'activitySince',
      async (parentIds, args) => {
        const column = args.scope === 'study' ? 'a.study_id' : 'a.organization_id';
        let query = db
          .selectFrom('collaboration_activity as a')
          .selectAll('a')
          .$call((query) => withToOneJoins(query, 'a', 'Activity', WITH_ACTORS))
          .where(column, '=', anyUuid(parentIds))
          .where('a.id', '>', args.afterId);
        if (args.types && args.types.length > 0) query = query.where('a.activity_type', 'in', args.types);
        // A resume is one subscription's: one parent, so the limit is that parent's.
        const rows = await query
          .orderBy('a.id')
          .limit(args.limit * parentIds.length)
          .execute();
        primeToOneJoins(rows, 'Activity', WITH_ACTORS, prime);
        return groupBy(rows, args.scope === 'study' ? 'study_id' : 'organization_id');
      },
      () => [],
    ),

    activityTotal: createParentLoader<ActivityFilter, number>(
      settings,
      'activityTotal',
      async (parentIds, args, argsKey) => {
        const column = PARENT_COLUMN[args.scope];
        const rows = await selectByShape(db, settings, `activityTotal|${argsKey}`, parentIds, (ids) => {
          let query = db
            .selectFrom('collaboration_activity')
            .select((eb) => [eb.ref(column).as('parent'), eb.fn.countAll<string>().as('count')])
            .where(column, '=', anyUuid(ids));
          if (args.types && args.types.length > 0) query = query.where('activity_type', 'in', args.types);
          if (args.actorId) query = query.where('user_id', '=', args.actorId);
          return query.groupBy(column);
        });
        return countsByParent(rows as { parent: string; count: string }[]);
      },
      () => 0,
    ),
  };
}
