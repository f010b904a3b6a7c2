import { sql, type Kysely } from 'kysely';
import type { CommentRow, Database } from '../src/db/types';
import type { Cursor } from '../src/pagination';
import { byKey, countsByParent, createPageLoader, createParentLoader, defineLoader, groupBy, type LoaderSettings } from './loader-toolkit';
import { anyUuid, keysetAfter, selectByShape } from './sql';
import { planColumns, primeToOneJoins, withToOneJoins, type EntityPrimer } from './joins';
import type { ReadPlan } from './selection';

/** Every column of a comment row (body is costly: read only when selected, see NODES.Comment). */
const COMMENT_COLUMNS = ['id', 'study_id', 'organization_id', 'author_id', 'body', 'created_at', 'resolved_at', 'resolved_by'] as const;

export interface CommentPageParams {
  first: number;
  after: Cursor | null;
  /** null: all comments; true: resolved only; false: open only. */
  resolved: boolean | null;
  /** What the selection reads of each comment (readPlan): body or not, which authors and resolvers to join. */
  plan: ReadPlan;
}

/** Comments in the order they were written: keyset on (created_at, id). */
export const COMMENTS_ORDER_KEY = 'comments:created_at';

export interface CommentStatsRow {
  total: number;
  resolved: number;
  averageResolutionHours: number | null;
}

export function createCommentLoaders(db: Kysely<Database>, settings: LoaderSettings, prime: EntityPrimer) {
  return {
    commentById: defineLoader<string, CommentRow | null>(settings, 'commentById', async (ids) =>
      byKey(ids, await db.selectFrom('comments').selectAll().where('id', '=', anyUuid(ids)).execute(), 'id'),
    ),

    commentsPage: createPageLoader<CommentPageParams, CommentRow>(settings, 'commentsPage', async (studyIds, args, argsKey) => {
      const plan = settings.batch ? args.plan : { ...args.plan, joins: [] };
      const rows = await selectByShape(db, settings, `commentsPage|${argsKey}`, studyIds, (ids) =>
        db
          .selectFrom('studies as s')
          .innerJoinLateral(
            (eb) => {
              let page = eb
                .selectFrom('comments as c')
                .select(planColumns('c', COMMENT_COLUMNS, 'Comment', plan))
                .whereRef('c.study_id', '=', 's.id');
              if (args.resolved !== null) page = page.where('c.resolved_at', args.resolved ? 'is not' : 'is', null);
              if (args.after) {
                page = page.where(keysetAfter('c.created_at', 'c.id', 'asc', args.after, 'timestamptz', 'uuid'));
              }
              return page
                .orderBy('c.created_at')
                .orderBy('c.id')
                .limit(args.first + 1)
                .as('page');
            },
            (join) => join.onTrue(),
          )
          .selectAll('page')
          .$call((query) => withToOneJoins(query, 'page', 'Comment', plan))
          .where('s.id', '=', anyUuid(ids))
          // The join may reorder rows: the page order is restated (groupBy keeps it per study).
          .orderBy('page.created_at')
          .orderBy('page.id'),
      );
      primeToOneJoins(rows, 'Comment', plan, prime);
      return groupBy(rows as CommentRow[], 'study_id');
    }),

    commentTotal: createParentLoader<{ resolved: boolean | null }, number>(
      settings,
      'commentTotal',
      async (studyIds, args) => {
        let query = db
          .selectFrom('comments')
          .select((eb) => ['study_id as parent', eb.fn.countAll<string>().as('count')])
          .where('study_id', '=', anyUuid(studyIds));
        if (args.resolved !== null) query = query.where('resolved_at', args.resolved ? 'is not' : 'is', null);
        return countsByParent(await query.groupBy('study_id').execute());
      },
      () => 0,
    ),

    commentStats: defineLoader<string, CommentStatsRow>(
      settings,

      'commentStats',
      async (studyIds) => {
        const rows = await db
          .selectFrom('comments')
          .select([
            'study_id',
            sql<number>`count(*)::int`.as('total'),
            sql<number>`count(resolved_at)::int`.as('resolved'),
            sql<number | null>`(avg(extract(epoch FROM resolved_at - created_at)) / 3600)::float8`.as('average_hours'),
          ])
          .where('study_id', '=', anyUuid(studyIds))
          .groupBy('study_id')
          .execute();
        const found = new Map(rows.map((row) => [row.study_id, row]));
        return studyIds.map((id) => {
          const row = found.get(id);
          return row
            ? { total: row.total, resolved: row.resolved, averageResolutionHours: row.average_hours }
            : { total: 0, resolved: 0, averageResolutionHours: null };
        });
      },
    ),
  };
}
