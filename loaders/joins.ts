import { sql, type SelectQueryBuilder } from 'kysely';
import {
  COLUMN_KINDS,
  ENTITIES,
  NODES,
  type ColumnKind,
  type EntityName,
  type NodeTypeName,
  type ToOneRelation,
} from './relations';
import type { ReadPlan } from './selection';

/** Hands a row a statement brought of an entity to that entity's loader: whole, or partial (costly columns left out). */
export type EntityPrimer = (entity: EntityName, row: Record<string, unknown>, whole: boolean) => void;

/** A join of a plan, resolved against the declarations once per plan (see resolveJoins). */
interface ResolvedJoin {
  relation: ToOneRelation;
  alias: string;
  /** [column of the reached entity, name it has in the statement's rows] */
  columns: readonly (readonly [string, string])[];
  whole: boolean;
}

/**
 * Resolved once per plan and node: a plan is made once per field position (selection.ts readPlan) and its
 * joins were resolved again for every parent whose fold was primed (each study's comments, every request).
 */
const resolvedJoins = new WeakMap<ReadPlan, Map<NodeTypeName, readonly ResolvedJoin[]>>();

function resolveJoins(node: NodeTypeName, plan: ReadPlan): readonly ResolvedJoin[] {
  // wholeRows() makes a plan per call, without joins: nothing to keep for it.
  if (plan.joins.length === 0) return [];
  let byNode = resolvedJoins.get(plan);
  if (!byNode) resolvedJoins.set(plan, (byNode = new Map<NodeTypeName, readonly ResolvedJoin[]>()));
  let joins = byNode.get(node);
  if (!joins) byNode.set(node, (joins = joinsOfPlan(node, plan)));
  return joins;
}

function joinsOfPlan(node: NodeTypeName, plan: ReadPlan): ResolvedJoin[] {
  return plan.joins.map((join, index) => {
    const relation = NODES[node].toOne.find((candidate) => candidate.field === join.field);
    if (!relation) throw new Error(`${node}.${join.field} is not a declared to-one relation`);
    const entity = ENTITIES[relation.target];
    const read = (column: string) =>
      (join.columns === null || join.columns.includes(column)) &&
      !(Object.values(entity.costly).includes(column) && !join.costly.includes(column));
    const columns = entity.columns.filter(read);
    return {
      relation,
      alias: `j${index}`,
      columns: columns.map((column) => [column, `${join.field}.${column}`] as const),
      whole: columns.length === entity.columns.length,
    };
  });
}

/**
 * The columns of a list's own rows that a plan reads: those its fields read and the keys where the node
 * declares them (NODES[node].fields), else every one but the costly ones its selection leaves.
 */
export function planColumns<Alias extends string, Column extends string>(
  alias: Alias,
  all: readonly Column[],
  node: NodeTypeName,
  plan: ReadPlan,
): `${Alias}.${Column}`[] {
  return planColumnNames(all, node, plan).map((column): `${Alias}.${Column}` => `${alias}.${column}`);
}

/** The same columns, by name alone (what the rows call them). */
export function planColumnNames<Column extends string>(
  all: readonly Column[],
  node: NodeTypeName,
  plan: ReadPlan,
): Column[] {
  const left = new Set<string>(Object.values(NODES[node].costly).filter((column) => !plan.costly.includes(column)));
  const { columns } = plan;
  return all.filter((column) => !left.has(column) && (columns === null || columns.includes(column)));
}

/** Whether the rows a plan reads are whole (every costly column fetched). */
export function planReadsWholeRows(node: NodeTypeName, plan: ReadPlan): boolean {
  return plan.costly.length === Object.keys(NODES[node].costly).length;
}

/**
 * `query` with each to-one relation of the plan joined on `from`'s foreign key, its entity's columns
 * (costly ones only when read) selected as "<field>.<column>". Each join is a LEFT JOIN LATERAL of at most
 * one row, so PostgreSQL looks each key up in the entity's primary key for the page's rows alone: as a plain
 * join, a plan made once for every page size (force_generic_plan guesses a tenth of the table behind a
 * LIMIT parameter) hashed the whole users or studies table for twenty rows (17 ms instead of 0.4 ms for an
 * activity page with actors and studies on the medium seed). A LEFT JOIN keeps rows whose key is null or
 * whose entity is gone; primeToOneJoins tells them apart. The builder's own types cannot follow tables
 * named at run time: the query is widened for the joins and handed back as it came.
 */
export function withToOneJoins<QB>(query: QB, from: string, node: NodeTypeName, plan: ReadPlan): QB {
  let joined = query as unknown as SelectQueryBuilder<
    Record<string, Record<string, unknown>>,
    string,
    Record<string, unknown>
  >;
  for (const join of resolveJoins(node, plan)) {
    const table = ENTITIES[join.relation.target].table;
    const { alias } = join;
    joined = joined
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom(sql<Record<string, unknown>>`${sql.table(table)}`.as(alias))
            .select(join.columns.map(([column]) => sql.ref(`${alias}.${column}`).as(column)))
            .where(sql<boolean>`${sql.ref(`${alias}.id`)} = ${sql.ref(`${from}.${join.relation.column}`)}`)
            .limit(sql.lit<number>(1))
            .as(alias),
        (on) => on.onTrue(),
      )
      .select(join.columns.map(([column, name]) => sql.ref(`${alias}.${column}`).as(name)));
  }
  return joined as unknown as QB;
}

/**
 * Takes each joined entity off the rows (withToOneJoins) and primes it into its loader, so the next level
 * reads it without a statement; an entity several rows reach (one author of many comments) is primed
 * once per join. The rows keep their joined columns: nothing reads them, and copying every row to drop them
 * cost more than they weigh.
 */
export function primeToOneJoins(
  rows: readonly object[],
  node: NodeTypeName,
  plan: ReadPlan,
  prime: EntityPrimer,
): void {
  if (plan.joins.length === 0) return;
  const joins = resolveJoins(node, plan);
  const primed = joins.map(() => new Set<unknown>());
  for (const row of rows as readonly Record<string, unknown>[]) {
    for (let index = 0; index < joins.length; index += 1) {
      const join = joins[index];
      const id = row[join.columns[0][1]];
      // Every entity has a non-null id: a null one is a null key, or an entity that is gone.
      if (id == null || primed[index].has(id)) continue;
      primed[index].add(id);
      const entity: Record<string, unknown> = {};
      for (const [column, name] of join.columns) entity[column] = row[name];
      prime(join.relation.target, entity, join.whole);
    }
  }
}

/** The columns withToOneJoins adds to a statement's rows: their names there and their entities' columns' kinds. */
export function joinedColumns(node: NodeTypeName, plan: ReadPlan): [string, ColumnKind][] {
  return resolveJoins(node, plan).flatMap((join) => {
    const kinds = COLUMN_KINDS[ENTITIES[join.relation.target].table] ?? {};
    return join.columns.map(([column, name]): [string, ColumnKind] => [name, kinds[column] ?? 'value']);
  });
}
