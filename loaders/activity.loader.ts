import type { Kysely } from 'kysely';
import type { ActivityRow, Database } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import { byKey, createParentLoader, defineLoader, groupBy } from './loader-toolkit';
import type { LoaderSettings } from './loader-toolkit';
import { anyBigint, anyUuid, definers } from './sql';
import { definePageLoader, type PageStatement } from './pages';
import { declareFoldable, declareFoldableCount, foldablePage, type FieldArguments } from './folds';
import { countedRows, type CountedRelation } from './counts';
import { UUID_PATTERN } from '../schema/input-limits';
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
  const selected = activityFilter(filter, field);
  if (!page || !selected) return null;
  const after = decodeAfter(page.after, ACTIVITY_ORDER);
  return { ...selected, first: page.first, after, backward: page.backward, plan };
}

/**
 * Which entries an activity field's arguments select, as plain data (types deduplicated and sorted, so equal
 * filters have equal keys): for its page and for its count alike. null: a type list the field's validation
 * would refuse.
 */
export function activityFilter(
  filter: Pick<ActivityFilter, 'scope' | 'actorId'>,
  field: FieldArguments,
): ActivityFilter | null {
  const { types: asked } = field as { types?: unknown };
  const requested = Array.isArray(asked) ? (asked as string[]) : [];
  if (requested.length > MAX_ACTIVITY_TYPES) return null;
  const types = requested.length > 0 ? [...new Set(requested)].sort() : null;
  return { scope: filter.scope, actorId: filter.actorId, types };
}

/** Organization.activity's filter: its `actorId` (a UUID, else the field refuses it) besides the types. */
function organizationActivityFilter(field: FieldArguments): ActivityFilter | null {
  const { actorId } = field as { actorId?: unknown };
  if (actorId !== undefined && actorId !== null && (typeof actorId !== 'string' || !UUID_PATTERN.test(actorId)))
    return null;
  return activityFilter({ scope: 'organization', actorId: actorId ?? null }, field);
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

/** An organization's log, folded into its statement (or a page of organizations') like its members. */
declareFoldable<ActivityPageParams, ActivityRow>('Organization', 'activity', {
  loader: 'activityPage',
  node: 'Activity',
  path: CONNECTION_NODES,
  table: 'collaboration_activity',
  parentColumn: 'organization_id',
  argsFrom(field, plan) {
    const filter = organizationActivityFilter(field);
    return filter && activityPageArgs(filter, field, plan);
  },
  statement: activityStatement,
  ownColumns: (args) => planColumnNames(ACTIVITY_COLUMNS, 'Activity', args.plan),
});

/** A log's entries counted (its totalCount), by their loader or folded into the study's or organization's statement. */
const ACTIVITY_TOTALS = {
  loader: 'activityTotal',
  rows: (db, args) => {
    let rows = db.selectFrom('collaboration_activity as a');
    if (args.types && args.types.length > 0) rows = rows.where('a.activity_type', 'in', args.types);
    if (args.actorId) rows = rows.where('a.user_id', '=', args.actorId);
    return countedRows(rows);
  },
  parentColumn: (args) => `a.${PARENT_COLUMN[args.scope]}`,
} as const satisfies CountedRelation<ActivityFilter>;

declareFoldableCount<ActivityFilter>('Study', 'activity', {
  counted: ACTIVITY_TOTALS,
  path: ['totalCount'],
  argsFrom: (field) => activityFilter({ scope: 'study', actorId: null }, field),
});
declareFoldableCount<ActivityFilter>('Organization', 'activity', {
  counted: ACTIVITY_TOTALS,
  path: ['totalCount'],
  argsFrom: organizationActivityFilter,
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

    activityTotal: definers(db, settings).count(ACTIVITY_TOTALS),
  };
}
