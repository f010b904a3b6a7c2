import { anyUuid, definers } from './sql';
import { type Kysely, sql } from 'kysely';
import type { CommentRow, Database } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import { defineLoader, type LoaderSettings } from './loader-toolkit';
import { definePageLoader } from './pages';
import { declareFoldable, declareFoldableCount, foldablePage, type FieldArguments } from './folds';
import { countedRows } from './counts';
import { type EntityPrimer, planColumnNames, planColumns } from './joins';
import { CONNECTION_NODES, type ReadPlan } from './selection';
import { decodeAfter, keysetOrder } from './keyset-order';

/** Every column of a comment row (body is costly: read only when selected, see NODES.Comment). */
const COMMENT_COLUMNS = [
  'id',
  'study_id',
  'organization_id',
  'author_id',
  'body',
  'created_at',
  'resolved_at',
  'resolved_by',
] as const;

export interface CommentPageParams {
  first: number;
  after: Cursor | null;
  backward: boolean;
  /** null: all comments; true: resolved only; false: open only. */
  resolved: boolean | null;
  /** What the selection reads of each comment (readPlan): body or not, which authors and resolvers to join. */
  plan: ReadPlan;
}

/** Comments in the order they were written: keyset on (created_at, id). */
export const COMMENT_ORDER = keysetOrder<CommentRow>('comments:created_at', {
  value: 'c.created_at',
  id: 'c.id',
  direction: 'asc',
  valueType: 'timestamptz',
  idType: 'uuid',
});

/** A study's comments: one declaration for the page loader, Study.comments and the folds of pages of studies. */
export const COMMENT_PAGES = declareFoldable<CommentPageParams, CommentRow>('Study', 'comments', {
  loader: 'commentsPage',
  node: 'Comment',
  path: CONNECTION_NODES,
  table: 'comments',
  parentColumn: 'study_id',
  argsFrom(field, plan) {
    const page = foldablePage(field);
    if (!page) return null;
    const { resolved: asked } = field as { resolved?: unknown };
    const resolved = typeof asked === 'boolean' ? asked : null;
    const after = decodeAfter(page.after, COMMENT_ORDER);
    return { first: page.first, after, backward: page.backward, resolved, plan };
  },
  statement: (args) => ({
    parents: 'studies',
    children: (eb) => {
      const page = eb
        .selectFrom('comments as c')
        .select(planColumns('c', COMMENT_COLUMNS, 'Comment', args.plan))
        .whereRef('c.study_id', '=', 'p.id');
      return args.resolved === null ? page : page.where('c.resolved_at', args.resolved ? 'is not' : 'is', null);
    },
    order: COMMENT_ORDER.columns,
    window: args,
    joins: { node: 'Comment', plan: args.plan },
  }),
  ownColumns: (args) => planColumnNames(COMMENT_COLUMNS, 'Comment', args.plan),
});

/** Which comments a count counts: null all, true the resolved ones, false the open ones. */
export interface CommentTotalParams {
  resolved: boolean | null;
}

/** The count's arguments from Study.comments' (its fold and its resolver make them alike). */
export function commentTotalArgs(field: FieldArguments): CommentTotalParams {
  const { resolved } = field as { resolved?: unknown };
  return { resolved: typeof resolved === 'boolean' ? resolved : null };
}

/** A study's comments counted: Study.comments' totalCount, by its loader or folded into the study's statement. */
const COMMENT_TOTALS = declareFoldableCount<CommentTotalParams>('Study', 'comments', {
  counted: {
    loader: 'commentTotal',
    rows: (db, { resolved }) => {
      const rows = db.selectFrom('comments as c');
      return countedRows(resolved === null ? rows : rows.where('c.resolved_at', resolved ? 'is not' : 'is', null));
    },
    parentColumn: () => 'c.study_id',
  },
  path: ['totalCount'],
  argsFrom: commentTotalArgs,
});

export interface CommentStatsRow {
  total: number;
  resolved: number;
  averageResolutionHours: number | null;
}

export function createCommentLoaders(db: Kysely<Database>, settings: LoaderSettings, prime: EntityPrimer) {
  const define = definers(db, settings);
  return {
    commentById: define.byId('commentById', (ids) =>
      db.selectFrom('comments').selectAll().where('id', '=', anyUuid(ids)),
    ),

    commentsPage: definePageLoader(db, settings, prime, {
      name: 'commentsPage',
      statement: (args: CommentPageParams) => COMMENT_PAGES.statement(args),
      parentColumn: 'study_id',
    }),

    commentTotal: define.count(COMMENT_TOTALS.counted),

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
