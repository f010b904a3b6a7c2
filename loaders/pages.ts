import { sql, type Compilable, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../src/db/types';
import type { Cursor } from '../src/pagination';
import { withToOneJoins } from './joins';
import type { NodeTypeName } from './relations';
import type { ReadPlan } from './selection';
import { anyUuid, keysetAfter } from './sql';

/** Tables whose rows own pages of others, each keyed by a uuid `id`. */
export type PageParentTable = 'organizations' | 'studies' | 'users';

/** A page's keyset order: a value column and the id column, as refs inside the children's query. */
export interface PageOrder {
  value: string;
  id: string;
  direction: 'asc' | 'desc';
  valueType: 'timestamptz' | 'text';
  idType: 'uuid' | 'bigint';
}

/** What one page statement is made of; the children's query is the relation's own (its table, columns, filters). */
export interface PageStatement<Row> {
  parents: PageParentTable;
  /** The children of parent `p` (filters applied, columns selected); ordering, cursor and limit are added here. */
  children: (eb: ExpressionBuilder<Database & { p: Database['organizations'] }, 'p'>) => Compilable<Row>;
  order: PageOrder;
  first: number;
  after: Cursor | null;
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
  const { order } = statement;
  const direction = order.direction;
  const parents = db.selectFrom(`${statement.parents} as p` as 'organizations as p') as unknown as AnySelect;
  return (
    parents
      .innerJoinLateral(
        (eb) => {
          let page = statement.children(eb) as unknown as AnySelect;
          if (statement.after) page = page.where(keysetAfter(order.value, order.id, direction, statement.after, order.valueType, order.idType));
          return page
            .orderBy(sql.ref(order.value), direction)
            .orderBy(sql.ref(order.id), direction)
            .limit(statement.first + 1)
            .as('page');
        },
        (join) => join.onTrue(),
      )
      .selectAll('page')
      .$call((query) => (statement.joins ? withToOneJoins(query, 'page', statement.joins.node, statement.joins.plan) : query))
      .where('p.id', '=', anyUuid(ids))
      // The joins may reorder rows: the page order is restated (groupBy keeps it per parent).
      .orderBy(sql.ref(`page.${columnOf(order.value)}`), direction)
      .orderBy(sql.ref(`page.${columnOf(order.id)}`), direction) as unknown as SelectQueryBuilder<Database, 'organizations', Row>
  );
}
