import { sql, type Compilable, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import { primeToOneJoins, withToOneJoins, type EntityPrimer } from './joins';
import { createPageLoader, createParentLoader, groupBy, type LoaderSettings, type PageWindow } from './loader-toolkit';
import type { NodeTypeName } from './relations';
import type { ReadPlan } from './selection';
import { anyUuid, keysetAfter, selectByShape } from './sql';

/** Tables whose rows own pages of others, each keyed by a uuid `id`. */
export type PageParentTable = 'organizations' | 'studies' | 'users' | 'webhooks';

/** A page's keyset order: a value column and the id column, as refs inside the children's query. */
export interface PageOrder {
  value: string;
  id: string;
  direction: 'asc' | 'desc';
  valueType: 'timestamptz' | 'text';
  idType: 'uuid' | 'bigint';
}

/** A page's window as a statement reads it. */
export interface StatementWindow {
  first: number;
  after: Cursor | null;
  /** Relay's `last`/`before`: the last `first` children before the cursor `after` (still in list order). */
  backward: boolean;
}

/** What one page statement is made of; the children's query is the relation's own (its table, columns, filters). */
export interface PageStatement<Row> {
  parents: PageParentTable;
  /** The children of parent `p` (filters applied, columns selected); ordering, cursor and limit are added here. */
  children: (eb: ExpressionBuilder<Database & { p: Database['organizations'] }, 'p'>) => Compilable<Row>;
  order: PageOrder;
  /** Which children: a page's window (its loader's arguments carry one), or null for every child. */
  window: StatementWindow | null;
  /** The rows' GraphQL type and what the selection reads of them: the to-one relations to join (none without). */
  joins?: { node: NodeTypeName; plan: ReadPlan };
}

type AnySelect = SelectQueryBuilder<Record<string, Record<string, unknown>>, string, Record<string, unknown>>;

/** The column a ref names ("c.created_at" → "created_at"): what the page's rows call it. */
function columnOf(ref: string): string {
  return ref.slice(ref.lastIndexOf('.') + 1);
}

/**
 * The one skeleton of every page loader: for each parent among `ids`, its first `first + 1` children after
 * the cursor in keyset order (a LATERAL subquery, so PostgreSQL walks each parent's index from the cursor
 * on), with the to-one relations the plan reads joined (joins.ts), in page order per parent. The extra row
 * only tells that a next page exists (createPageLoader). The builder's types cannot follow a relation named
 * by its caller: the query is widened here and its rows typed by the children's query.
 */
export function pagesOfParents<Row>(db: Kysely<Database>, statement: PageStatement<Row>, ids: readonly string[]) {
  const parents = db.selectFrom(`${statement.parents} as p` as 'organizations as p').where('p.id', '=', anyUuid(ids));
  return pagesFrom(parents as unknown as AnySelect, statement);
}

/**
 * The same page for one parent of an enclosing statement, whose id `parentId` names there (see folds.ts).
 * The parent is a one-row derived table `p`: inside, `page` and `p` are this page's own names, and the
 * enclosing statement's row is reached only through `parentId`, before those names exist.
 */
export function pageOfEnclosingParent<Row>(db: Kysely<Database>, statement: PageStatement<Row>, parentId: string) {
  const parent = db.selectFrom(sql<{ id: string }>`(SELECT ${sql.ref(parentId)} AS id)`.as('p'));
  return pagesFrom(parent as unknown as AnySelect, statement);
}

/** The columns a page's rows are ordered by, as its rows name them. */
export function pageOrderColumns(order: PageOrder): [string, string] {
  return [columnOf(order.value), columnOf(order.id)];
}

function pagesFrom<Row>(parents: AnySelect, statement: PageStatement<Row>) {
  const { order, window } = statement;
  const direction = order.direction;
  // Backward, the children are walked from the cursor (or the end) the other way; the page is then
  // restated in list order like any other.
  const walk = window?.backward ? (direction === 'asc' ? 'desc' : 'asc') : direction;
  return (
    parents
      .innerJoinLateral(
        (eb) => {
          let page = statement.children(eb) as unknown as AnySelect;
          if (window?.after)
            page = page.where(keysetAfter(order.value, order.id, walk, window.after, order.valueType, order.idType));
          page = page.orderBy(sql.ref(order.value), walk).orderBy(sql.ref(order.id), walk);
          return (window === null ? page : page.limit(window.first + 1)).as('page');
        },
        (join) => join.onTrue(),
      )
      .selectAll('page')
      .$call((query) =>
        statement.joins ? withToOneJoins(query, 'page', statement.joins.node, statement.joins.plan) : query,
      )
      // The joins may reorder rows: the page order is restated (groupBy keeps it per parent).
      .orderBy(sql.ref(`page.${columnOf(order.value)}`), direction)
      .orderBy(sql.ref(`page.${columnOf(order.id)}`), direction) as unknown as SelectQueryBuilder<
      Database,
      'organizations',
      Row
    >
  );
}

/**
 * The page loader of a relation read through the skeleton (pagesOfParents): one statement per shape for
 * the parents of a batch, the to-one relations its statement joins primed into their loaders, the rows
 * grouped by `parentColumn`. Without batching (the unbatched baseline) nothing is joined.
 */
export function definePageLoader<Args extends PageWindow, Row>(
  db: Kysely<Database>,
  settings: LoaderSettings,
  prime: EntityPrimer,
  relation: {
    name: string;
    statement: (args: Args) => PageStatement<Row>;
    parentColumn: keyof Row | ((args: Args) => keyof Row);
  },
) {
  return createPageLoader<Args, Row>(settings, relation.name, async (parentIds, args, argsKey) => {
    const { parentColumn } = relation;
    const column = typeof parentColumn === 'function' ? parentColumn(args) : parentColumn;
    return childrenByParent(db, settings, prime, relation.name, relation.statement(args), parentIds, argsKey, column);
  });
}

/**
 * The loader of a relation read whole per parent (a study's approvals, its collaborators: tens of rows, no
 * window) through the same skeleton: every child of each parent, in list order, the plan's to-one relations
 * joined and primed. Without batching nothing is joined.
 */
export function defineListLoader<Args, Row>(
  db: Kysely<Database>,
  settings: LoaderSettings,
  prime: EntityPrimer,
  relation: { loader: string; statement(args: Args): PageStatement<Row>; parentColumn: string },
) {
  return createParentLoader<Args, Row[]>(
    settings,
    relation.loader,
    (parentIds, args, argsKey) =>
      childrenByParent(
        db,
        settings,
        prime,
        relation.loader,
        relation.statement(args),
        parentIds,
        argsKey,
        relation.parentColumn as keyof Row,
      ),
    () => [],
  );
}

/** One batch of a page or list loader: its statement for the parents, the joins primed, the rows by parent. */
async function childrenByParent<Row>(
  db: Kysely<Database>,
  settings: LoaderSettings,
  prime: EntityPrimer,
  name: string,
  built: PageStatement<Row>,
  parentIds: readonly string[],
  argsKey: string,
  parentColumn: keyof Row,
): Promise<Map<string, Row[]>> {
  const statement = settings.batch ? built : { ...built, joins: undefined };
  const rows = await selectByShape(db, settings, `${name}|${argsKey}`, parentIds, (ids) =>
    pagesOfParents(db, statement, ids),
  );
  if (statement.joins) primeToOneJoins(rows, statement.joins.node, statement.joins.plan, prime);
  return groupBy(rows, parentColumn);
}
