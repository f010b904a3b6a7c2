import type { Kysely } from 'kysely';
import type { ActivityRow, Database } from '../src/db/types';
import type { Cursor } from '../src/pagination';
import { countsByParent, createPageLoader, createParentLoader, groupBy, type LoaderSettings } from './page';
import { anyUuid, keysetAfter } from './sql';

export interface ActivityPageArgs {
  first: number;
  after: Cursor | null;
  types: string[] | null;
}

/** Newest first: keyset on (created_at, id) descending. */
export const ACTIVITY_ORDER_KEY = 'activity:created_at:desc';

export function createActivityLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    /** Pages of a study's activity log. */
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
        .selectAll('page')
        .where('s.id', '=', anyUuid(studyIds))
        .execute();
      return groupBy(rows, 'study_id');
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
