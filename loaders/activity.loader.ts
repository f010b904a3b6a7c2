import type { Kysely } from 'kysely';
import type { ActivityRow, Database } from '../src/db/types';
import type { Cursor } from '../src/pagination';
import { countsByParent, createPageLoader, createParentLoader, groupBy, type LoaderSettings } from './loader-toolkit';
import { anyUuid, keysetAfter } from './sql';
import { JOINED_USER_COLUMNS, primeOptionalJoinedUser, type UserLoaders } from './user.loader';

export interface ActivityPageArgs {
  first: number;
  after: Cursor | null;
  types: string[] | null;
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
