import { anyUuid, definers, selectByShape, withValueAwarePlans } from './sql';
import { type Expression, type ExpressionBuilder, type Kysely, sql, type SqlBool } from 'kysely';
import { type Database, STUDY_ROW_COLUMNS, type StudyRow, type StudyStatus } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import { createPageLoader, createParentLoader, defineLoader, groupBy, type LoaderSettings } from './loader-toolkit';
import { parseSearchQuery, type SearchAlternative, typoAllowance } from '../src/domain/search-query';
import { pagesOfParents, type PageStatement } from './pages';
import {
  declareFoldable,
  declareFoldableCount,
  type FieldArguments,
  type Fold,
  foldablePage,
  type FoldPrimer,
  foldSelection,
  foldsOf,
  primeFoldsOfRows,
  type SelectionInfo,
} from './folds';
import { type EntityPrimer, planColumnNames, planColumns, planReadsWholeRows, primeToOneJoins } from './joins';
import { CONNECTION_NODES, type ReadPlan } from './selection';
import { badUserInput } from '../src/graphql/errors';
import { UUID_PATTERN } from '../schema/input-limits';
import { decodeAfter, keysetOrder, type KeysetOrder } from './keyset-order';
import { countedRows, type CountedRelation } from './counts';

export type StudyOrderColumn = 'created_at' | 'updated_at' | 'title';

export interface StudyListFilter {
  statuses: StudyStatus[] | null;
  createdById: string | null;
  /** ISO timestamps, so that the args stay plain data. */
  createdAfter: string | null;
  createdBefore: string | null;
}

export interface StudyPageParams {
  first: number;
  after: Cursor | null;
  backward: boolean;
  orderBy: StudyOrderColumn;
  direction: 'asc' | 'desc';
  filter: StudyListFilter;
  /** What the selection reads of each study (readPlan): the description or not, which creators and organizations to join. */
  plan: ReadPlan;
  /** The relations of each study the selection reads that come in the page's statement (folds.ts). */
  folds: Fold[];
}

const STUDY_COLUMNS = STUDY_ROW_COLUMNS.map((column) => `s.${column}` as const);

/** A page of studies in one of the orders a client may ask for. */
export function studyOrder(orderBy: StudyOrderColumn, direction: 'asc' | 'desc'): KeysetOrder<StudyRow> {
  return keysetOrder<StudyRow>(`studies:${orderBy}:${direction}`, {
    value: `s.${orderBy}`,
    id: 's.id',
    direction,
    valueType: orderBy === 'title' ? 'text' : 'timestamptz',
    idType: 'uuid',
  });
}

type StudiesScope = ExpressionBuilder<Database & { s: Database['studies'] }, 's'>;

function filterConditions(eb: StudiesScope, filter: StudyListFilter): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (filter.statuses && filter.statuses.length > 0) conditions.push(eb('s.status', 'in', filter.statuses));
  if (filter.createdById) conditions.push(eb('s.created_by', '=', filter.createdById));
  if (filter.createdAfter) conditions.push(eb('s.created_at', '>=', new Date(filter.createdAfter)));
  if (filter.createdBefore) conditions.push(eb('s.created_at', '<', new Date(filter.createdBefore)));
  return conditions;
}

const STUDY_ORDER_COLUMNS: readonly string[] = ['created_at', 'updated_at', 'title'] satisfies StudyOrderColumn[];

/** A field's `filter` (StudyFilter) as plain data, sorted so that equal filters have equal keys. */
function studyListFilter(filter: StudyFilterArgument | null | undefined): StudyListFilter {
  if (!filter) return NO_STUDY_FILTER;
  if (filter.createdAfter && filter.createdBefore && filter.createdAfter >= filter.createdBefore) {
    throw badUserInput('`filter.createdAfter` must be earlier than `filter.createdBefore`.', 'filter');
  }
  if (filter.createdById && !UUID_PATTERN.test(filter.createdById))
    throw badUserInput('`filter.createdById` must be a UUID.', 'filter.createdById');
  return {
    statuses: filter.statuses?.length ? [...new Set(filter.statuses)].sort() : null,
    createdById: filter.createdById?.toLowerCase() ?? null,
    createdAfter: filter.createdAfter?.toISOString() ?? null,
    createdBefore: filter.createdBefore?.toISOString() ?? null,
  };
}

export const NO_STUDY_FILTER: StudyListFilter = {
  statuses: null,
  createdById: null,
  createdAfter: null,
  createdBefore: null,
};

/** What StudyFilter holds, as GraphQL coerces it (a fold) or type-graphql builds it (a resolver). */
export interface StudyFilterArgument {
  statuses?: StudyStatus[] | null;
  createdById?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

/**
 * A page's arguments from a studies field's (`first`, `after`, `orderBy`, `filter`) and its selection: the
 * one way they are made, for Query.studies and Organization.studies as for a fold. null: a page size or
 * cursor the field's validation would refuse.
 */
export function studyPageArgs(
  field: FieldArguments,
  selection: SelectionInfo,
  plan: ReadPlan,
  folding: boolean,
): StudyPageParams | null {
  const page = foldablePage(field);
  if (!page) return null;
  const { orderBy, filter } = field as {
    orderBy?: { field?: StudyOrderColumn; direction?: 'asc' | 'desc' } | null;
    filter?: StudyFilterArgument | null;
  };
  const column = orderBy?.field ?? 'created_at';
  const direction = orderBy?.direction ?? 'desc';
  // Both become SQL identifiers and keywords: only the enums' own values pass.
  if (!STUDY_ORDER_COLUMNS.includes(column) || (direction !== 'asc' && direction !== 'desc')) return null;
  return {
    first: page.first,
    after: decodeAfter(page.after, studyOrder(column, direction)),
    backward: page.backward,
    orderBy: column,
    direction,
    filter: studyListFilter(filter),
    plan,
    folds: folding ? foldsOf(selection, 'Study', CONNECTION_NODES) : [],
  };
}

function studyStatement(args: StudyPageParams): PageStatement<StudyRow> {
  return {
    parents: 'organizations',
    children: (eb) =>
      eb
        .selectFrom('studies as s')
        .select(planColumns('s', STUDY_ROW_COLUMNS, 'Study', args.plan))
        .whereRef('s.organization_id', '=', 'p.id')
        .where((w) => w.and(filterConditions(w, args.filter))),
    order: studyOrder(args.orderBy, args.direction).columns,
    window: args,
    joins: { node: 'Study', plan: args.plan },
  };
}

/**
 * An organization's studies, folded into its statement or a page of organizations' (the viewer's
 * organizations, each with its newest studies), with the relations each study folds in turn (their
 * comments, collaborators…): three levels in one statement.
 */
declareFoldable<StudyPageParams, StudyRow>('Organization', 'studies', {
  loader: 'studiesPage',
  node: 'Study',
  path: CONNECTION_NODES,
  table: 'studies',
  parentColumn: 'organization_id',
  argsFrom: (field, plan, selection) => studyPageArgs(field, selection, plan, true),
  foldsOf: (args) => args.folds,
  statement: studyStatement,
  ownColumns: (args) => planColumnNames(STUDY_ROW_COLUMNS, 'Study', args.plan),
  received(rows, args, primeEntity) {
    const whole = planReadsWholeRows('Study', args.plan);
    for (const row of rows) primeEntity('studies', row, whole);
  },
});

/** An organization's studies counted under a filter, by its loader or folded into the organization's statement. */
const STUDY_TOTALS = {
  loader: 'studyTotal',
  rows: (db, filter) => countedRows(db.selectFrom('studies as s').where((w) => w.and(filterConditions(w, filter)))),
  parentColumn: () => 's.organization_id',
} as const satisfies CountedRelation<StudyListFilter>;

/** The count's arguments from a studies field's (its fold and its resolver make them alike). */
function studyTotalArgs(field: FieldArguments): StudyListFilter {
  return studyListFilter((field as { filter?: StudyFilterArgument | null }).filter);
}

declareFoldableCount<StudyListFilter>('Organization', 'studies', {
  counted: STUDY_TOTALS,
  path: ['totalCount'],
  argsFrom: studyTotalArgs,
});
declareFoldableCount<StudyListFilter>('Organization', 'studyCount', {
  counted: STUDY_TOTALS,
  path: [],
  argsFrom: () => NO_STUDY_FILTER,
});

export interface StudySearch {
  query: string;
  organizationIds: readonly string[];
  first: number;
  offset: number;
}

export function createStudyLoaders(
  db: Kysely<Database>,
  settings: LoaderSettings,
  prime: EntityPrimer,
  primeFolded: FoldPrimer,
) {
  const primeFolds = (rows: Record<string, unknown>[], folds: readonly Fold[]) =>
    primeFoldsOfRows('Study', rows, folds, prime, primeFolded);

  const define = definers(db, settings);
  return {
    /**
     * Studies by id with the relations the selection reads below them, in one statement (a study page: the
     * study, its comments, approvals and activity); the studies are primed whole into studyById.
     */
    studyWithFolds: createParentLoader<{ folds: Fold[]; organizationIds: readonly string[] }, StudyRow | null>(
      settings,
      'studyWithFolds',
      async (studyIds, args) => {
        // Only studies of the viewer's organizations are read: their ids are bound like the keys (no shape per viewer).
        const rows = await selectByShape(
          db,
          settings,
          `studyWithFolds|${JSON.stringify(args.folds)}`,
          studyIds,
          (ids, organizationIds) =>
            db
              .selectFrom('studies as parent_row')
              .select(STUDY_ROW_COLUMNS.map((column) => `parent_row.${column}` as const))
              .select(args.folds.map((fold, index) => foldSelection(db, 'Study', fold, 'parent_row.id', index)))
              .where('parent_row.id', '=', anyUuid(ids))
              .where('parent_row.organization_id', '=', anyUuid(organizationIds)),
          [args.organizationIds],
        );
        primeFolds(rows, args.folds);
        for (const row of rows) prime('studies', row, true);
        return new Map(rows.map((row) => [row.id, row]));
      },
      () => null,
    ),

    studyById: define.byId('studyById', (ids) =>
      db.selectFrom('studies as s').select(STUDY_COLUMNS).where('s.id', '=', anyUuid(ids)),
    ),

    /**
     * Pages of an organization's studies, with the creators and organizations the selection reads (primed),
     * and the relations it reads below each study folded in (comments, approvals, collaborators…, primed
     * into their loaders): one LATERAL statement for all organizations asked. The studies themselves are
     * primed into studyById, partial ones apart (their description left out).
     */
    studiesPage: createPageLoader<StudyPageParams, StudyRow>(
      settings,
      'studiesPage',
      async (organizationIds, args, argsKey) => {
        const plan = settings.batch ? args.plan : { ...args.plan, joins: [] };
        const folds = settings.batch ? args.folds : [];
        const rows = await selectByShape(db, settings, `studiesPage|${argsKey}`, organizationIds, (ids) =>
          pagesOfParents(db, studyStatement({ ...args, plan }), ids).$if(folds.length > 0, (query) =>
            query.select(folds.map((fold, index) => foldSelection(db, 'Study', fold, 'page.id', index))),
          ),
        );
        primeToOneJoins(rows, 'Study', plan, prime);
        primeFolds(rows, folds);
        const whole = planReadsWholeRows('Study', plan);
        for (const row of rows) prime('studies', row, whole);
        return groupBy(rows, 'organization_id');
      },
    ),

    /** A search's page (see searchStudies); not batched across searches, cached per request like any read. */
    studySearch: defineLoader<StudySearch, StudyRow[], string>(
      settings,
      'studySearch',
      (searches) => Promise.all(searches.map((search) => searchStudies(db, search))),
      {
        cacheKeyFn: (search) => JSON.stringify(search),
      },
    ),

    studySearchTotal: defineLoader<StudySearch, number, string>(
      settings,
      'studySearchTotal',
      (searches) => Promise.all(searches.map((search) => countSearchMatches(db, search))),
      {
        cacheKeyFn: ({ query, organizationIds }) => JSON.stringify({ query, organizationIds }),
      },
    ),

    studyTotal: define.count(STUDY_TOTALS),
  };
}

/**
 * A wanted word: its stem in the title or description, or a title word (as the 'simple' parser splits
 * it: lower case, "night-shift" also as "night" and "shift") within its typo allowance. Stop words always
 * match, as websearch_to_tsquery drops them. On the large seed a viewer's 1,500 studies take ~17 ms for
 * two misspelt words, as long as the trigram match over the whole query took.
 */
function wordMatches(word: string): Expression<SqlBool> {
  const allowance = sql.lit(typoAllowance(word));
  return sql<SqlBool>`(numnode(plainto_tsquery('english', ${word})) = 0
    OR s.search_vector @@ plainto_tsquery('english', ${word})
    OR EXISTS (SELECT 1 FROM unnest(tsvector_to_array(to_tsvector('simple', s.title))) AS t(word)
               WHERE levenshtein_less_equal(t.word, ${word}, ${allowance}) <= ${allowance}))`;
}

function alternativeMatches(alternative: SearchAlternative): Expression<SqlBool>[] {
  return [
    ...alternative.words.map(wordMatches),
    // A phrase of stop words only ("to be") asks for nothing, as a single stop word does.
    ...alternative.phrases.map(
      (phrase) =>
        sql<SqlBool>`(numnode(phraseto_tsquery('english', ${phrase})) = 0 OR s.search_vector @@ phraseto_tsquery('english', ${phrase}))`,
    ),
    // Exclusions are exact (stems), as a search engine's are: a typo never hides a study.
    ...alternative.excludedWords.map(
      (word) => sql<SqlBool>`NOT (s.search_vector @@ plainto_tsquery('english', ${word}))`,
    ),
    ...alternative.excludedPhrases.map(
      (phrase) => sql<SqlBool>`NOT (s.search_vector @@ phraseto_tsquery('english', ${phrase}))`,
    ),
  ];
}

function searchMatches(db: Kysely<Database>, search: StudySearch) {
  const parsed = parseSearchQuery(search.query);
  const query = db
    .selectFrom('studies as s')
    .where('s.organization_id', '=', anyUuid(search.organizationIds))
    .where((eb) =>
      parsed.alternatives.length === 0
        ? sql<SqlBool>`false`
        : eb.or(parsed.alternatives.map((a) => eb.and(alternativeMatches(a)))),
    );
  const rank = sql`ts_rank(s.search_vector, websearch_to_tsquery('english', ${search.query})) + word_similarity(${parsed.wanted}, s.title)`;
  return { query, rank };
}

/**
 * Studies of the given organizations matching a web-search query (see parseSearchQuery): every wanted
 * word by its English stem in the title or description, or by a title word a typo or two away; phrases
 * and exclusions by stems. Best first (full-text rank plus title similarity); `first + 1` rows tell
 * whether more exist.
 */
function searchStudies(db: Kysely<Database>, search: StudySearch): Promise<StudyRow[]> {
  return withValueAwarePlans(db, (trx) => {
    const { query, rank } = searchMatches(trx, search);
    return query
      .select(STUDY_COLUMNS)
      .orderBy(rank, 'desc')
      .orderBy('s.id')
      .offset(search.offset)
      .limit(search.first + 1)
      .execute();
  });
}

function countSearchMatches(db: Kysely<Database>, search: StudySearch): Promise<number> {
  return withValueAwarePlans(db, async (trx) => {
    const { query } = searchMatches(trx, search);
    const row = await query.select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  });
}
