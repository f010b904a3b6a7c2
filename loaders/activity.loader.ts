import type { Kysely } from 'kysely';
import type { ActivityRow, Database } from '../src/db/types';
import type { Cursor } from '../src/pagination';
import { byKey, countsByParent, createPageLoader, createParentLoader, defineLoader, groupBy, type LoaderSettings } from './loader-toolkit';
import { anyBigint, anyUuid, keysetAfter } from './sql';
import { JOINED_USER_COLUMNS, primeOptionalJoinedUser, type UserLoaders } from './user.loader';

export interface ActivityPageArgs {
  first: number;
  after: Cursor | null;
  types: string[] | null;
}

/** Entries after a cursor, oldest first, for a subscription's resume: of a study, or of an organization. */
export interface ActivitySinceArgs {
  scope: 'study' | 'organization';
  /** The cursor's entry id: ids grow with every entry, so "after" is `id >`. */
  afterId: string;
  types: string[] | null;
  /** Rows asked for; one more than a caller accepts tells it the cursor is too old. */
  limit: number;
}

/** Newest first: keyset on (created_at, id) descending. */
export const ACTIVITY_ORDER_KEY = 'activity:created_at:desc';

export function createActivityLoaders(db: Kysely<Database>, settings: LoaderSettings, users: UserLoaders) {
  return {
    /** Pages of a study's activity log, with their actors (primed). */
    activityPage: createPageLoader<ActivityPageArgs, ActivityRow>(settings, 'activityPage', async (studyIds, args) => {
      const rows = await db
        .selectFrom('studies as s')
        .innerJoinLateral(
          (eb) => {
            let page = eb.selectFrom('collaboration_activity as a').selectAll('a').whereRef('a.study_id', '=', 's.id');
            if (args.types && args.types.length > 0) page = page.where('a.activity_type', 'in', args.types);
            if (args.after) {
              page = page.where(keysetAfter('a.created_at', 'a.id', 'desc', args.after, 'timestamptz', 'bigint'));
            }
            return page.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(args.first + 1).as('page');
          },
          (join) => join.onTrue(),
        )
        .leftJoin('users as u', 'u.id', 'page.user_id')
        .selectAll('page')
        .select(JOINED_USER_COLUMNS)
        .where('s.id', '=', anyUuid(studyIds))
        // The join may reorder rows: the page order is restated (groupBy keeps it per study).
        .orderBy('page.created_at', 'desc')
        .orderBy('page.id', 'desc')
        .execute();
      return groupBy(
        rows.map((row) => primeOptionalJoinedUser(users.userById, row.user_id, row)),
        'study_id',
      );
    }),

    /** Entries by id, with their actors (primed): what a subscription event resolves. */
    activityById: defineLoader<string, ActivityRow | null>(settings, 'activityById', async (ids) => {
      const rows = await db
        .selectFrom('collaboration_activity as a')
        .leftJoin('users as u', 'u.id', 'a.user_id')
        .selectAll('a')
        .select(JOINED_USER_COLUMNS)
        .where('a.id', '=', anyBigint(ids))
        .execute();
      return byKey(ids, rows.map((row) => primeOptionalJoinedUser(users.userById, row.user_id, row)), 'id');
    }),

    /** A study's or organization's entries after a cursor, oldest first (see ActivitySinceArgs). */
    activitySince: createParentLoader<ActivitySinceArgs, ActivityRow[]>(
      settings,
      'activitySince',
      async (parentIds, args) => {
        const column = args.scope === 'study' ? 'a.study_id' : 'a.organization_id';
        let query = db
          .selectFrom('collaboration_activity as a')
          .leftJoin('users as u', 'u.id', 'a.user_id')
          .selectAll('a')
          .select(JOINED_USER_COLUMNS)
          .where(column, '=', anyUuid(parentIds))
          .where('a.id', '>', args.afterId);
        if (args.types && args.types.length > 0) query = query.where('a.activity_type', 'in', args.types);
        // A resume is one subscription's: one parent, so the limit is that parent's.
        const rows = await query.orderBy('a.id').limit(args.limit * parentIds.length).execute();
        return groupBy(
          rows.map((row) => primeOptionalJoinedUser(users.userById, row.user_id, row)),
          args.scope === 'study' ? 'study_id' : 'organization_id',
        ) as Map<string, ActivityRow[]>;
      },
      () => [],
    ),

    activityTotal: createParentLoader<{ types: string[] | null }, number>(
      settings,
      'activityTotal',
      async (studyIds, args) => {
        let query = db
          .selectFrom('collaboration_activity')
          .select((eb) => ['study_id as parent', eb.fn.countAll<string>().as('count')])
          .where('study_id', '=', anyUuid(studyIds));
        if (args.types && args.types.length > 0) query = query.where('activity_type', 'in', args.types);
        return countsByParent((await query.groupBy('study_id').execute()) as { parent: string; count: string }[]);
      },
      () => 0,
    ),
  };
}
