import { getArgumentValues, isObjectType, type FieldNode, type GraphQLField, type GraphQLResolveInfo } from 'graphql';
import { sql, type AliasedExpression, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../src/db/types';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../schema/input-limits';
import { joinedColumns, primeToOneJoins, type EntityPrimer } from './joins';
import { pageOfEnclosingParent, pageOrderColumns, type PageStatement } from './pages';
import { pageOf } from './loader-toolkit';
import type { CountedRelation } from './counts';
import { COLUMN_KINDS, type ColumnKind, type NodeTypeName } from './relations';
import {
  atPosition,
  fieldsAt,
  forEachField,
  readPlan,
  readsPage,
  type ReadPlan,
  type SelectionFilter,
} from './selection';

/**
 * A to-many relation whose pages can be folded into the statement of their parents (grafast's way: the
 * level above fetches the level below). One declaration serves the relation's own page loader, the
 * resolver that reads it, and the fold: the loader's arguments are made by `argsFrom` in both places, so
 * what a fold primes is exactly what the resolver then asks for.
 */
export interface FoldableRelation<Args, Row = unknown> {
  /** The page loader the relation's pages are kept in (Loaders.primeFolded). */
  loader: 'commentsPage' | 'approvalsByStudy' | 'collaboratorsByStudy' | 'activityPage' | 'studiesPage' | 'membersPage';
  /** The GraphQL type of its rows and where they are below the field (a connection's nodes, a list's items). */
  node: NodeTypeName;
  path: readonly string[];
  table: keyof Database;
  /**
   * The column of its rows that names the parent: a fold does not carry it (every row of a parent's fold
   * has that parent's id), its rows get it back when they are read.
   */
  parentColumn: string;
  /**
   * The loader's arguments from the field's (as GraphQL coerced them) and its selection's read plan; null
   * when they cannot be folded (a page size or cursor the field's own validation would refuse).
   */
  argsFrom(field: FieldArguments, plan: ReadPlan, selection: SelectionInfo): Args | null;
  /** The page statement for these arguments (pages.ts), the same for the loader and the fold. */
  statement(args: Args): PageStatement<Row>;
  /** The columns of its own table the statement's rows carry. */
  ownColumns(args: Args): readonly string[];
  /** What the relation's loader does with its rows besides keeping the page (priming them by id). */
  received?(rows: Record<string, unknown>[], args: Args, primeEntity: EntityPrimer): void;
  /**
   * The folds of its own rows its arguments carry (a page of studies folds each study's comments): folded
   * in turn inside this fold, so the level above fetches every level below in one statement.
   */
  foldsOf?(args: Args): readonly Fold[];
}

/** The count loaders a fold can prime. */
export type FoldedCountLoader = 'commentTotal' | 'memberTotal' | 'studyTotal' | 'activityTotal';

/**
 * A count of a relation that can be folded into the statement of its parents, one scalar subquery per parent
 * row: a connection's `totalCount` or a field that is itself a count (`memberCount`). The count loader and
 * the fold count the same rows (`counted`), and the field's resolver makes the loader's arguments with the
 * same `argsFrom`, so what a fold primes is exactly what the resolver asks for.
 */
export interface FoldableCount<Args> {
  counted: CountedRelation<Args> & { loader: FoldedCountLoader };
  /** Where below the field the count is read: ['totalCount'] for a connection's, [] when the field is the count. */
  path: readonly string[];
  /** The loader's arguments from the field's (as GraphQL coerced them); null when they cannot be folded. */
  argsFrom(field: FieldArguments): Args | null;
}

/** What a field's selection is read from: its nodes, the document's fragments, the schema and the variables. */
export type SelectionInfo = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'schema' | 'variableValues'>;

/** A field's arguments: as GraphQL coerced them (a fold), or type-graphql's args object (a resolver). */
export type FieldArguments = object;

/** A relation folded into a parent statement, as plain data (it is part of that statement's arguments). */
export interface Fold {
  /** The relation's field on the parent type. */
  field: string;
  args: unknown;
  /** The relation's count (FoldableCount), not its rows. */
  count?: true;
}

/**
 * The page a connection field's arguments ask for (PageArgs): `first` rows after `after`, or, backward,
 * the last `last` rows before `before`, as cursor text; the default page size when no size is given. null
 * when its own validation would refuse them, or when they mix the two directions.
 */
export function foldablePage(field: FieldArguments): { first: number; after: string | null; backward: boolean } | null {
  const { first, after, last, before } = field as {
    first?: unknown;
    after?: unknown;
    last?: unknown;
    before?: unknown;
  };
  const given = (value: unknown) => value !== null && value !== undefined;
  const backward = given(last) || given(before);
  if (backward && (given(first) || given(after))) return null;
  const size = backward ? (last ?? DEFAULT_PAGE_SIZE) : (first ?? DEFAULT_PAGE_SIZE);
  const cursor = backward ? before : after;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) return null;
  if (given(cursor) && (typeof cursor !== 'string' || cursor.length > 512)) return null;
  // An empty cursor is no cursor, as for every connection.
  return { first: size, after: typeof cursor === 'string' && cursor.length > 0 ? cursor : null, backward };
}

/** What can be folded under each field of a type: the relation's rows, its count, or both. */
interface FoldableField {
  relation?: FoldableRelation<unknown>;
  count?: FoldableCount<unknown>;
}

const registry = new Map<NodeTypeName, Map<string, FoldableField>>();

function declared(parent: NodeTypeName, field: string): FoldableField {
  let fields = registry.get(parent);
  if (!fields) registry.set(parent, (fields = new Map<string, FoldableField>()));
  let foldable = fields.get(field);
  if (!foldable) fields.set(field, (foldable = {}));
  return foldable;
}

/** Declares `relation` foldable under `field` of `parent` (each loader module declares its own). */
export function declareFoldable<Args, Row>(
  parent: NodeTypeName,
  field: string,
  relation: FoldableRelation<Args, Row>,
): FoldableRelation<Args, Row> {
  declared(parent, field).relation = relation;
  return relation;
}

/** Declares the count `count` foldable under `field` of `parent`. */
export function declareFoldableCount<Args>(
  parent: NodeTypeName,
  field: string,
  count: FoldableCount<Args>,
): FoldableCount<Args> {
  declared(parent, field).count = count;
  return count;
}

function relationOf(parent: NodeTypeName, fold: Fold): FoldableRelation<unknown> {
  const relation = registry.get(parent)?.get(fold.field)?.relation;
  if (!relation) throw new Error(`${parent}.${fold.field} is not a foldable relation`);
  return relation;
}

function countOf(parent: NodeTypeName, fold: Fold): FoldableCount<unknown> {
  const count = registry.get(parent)?.get(fold.field)?.count;
  if (!count) throw new Error(`${parent}.${fold.field} is not a foldable count`);
  return count;
}

/** Pages (or lists) folded per parent statement: each is a subquery per parent row. */
const MAX_FOLDS = 4;
/** Counts folded per parent statement besides: each a scalar subquery per parent row, the same work as its own grouped count. */
const MAX_COUNT_FOLDS = 8;

/**
 * The foldable relations a selection reads below `path` (the parent rows' position), one fold per response
 * key: `a: comments(first: 5)` and `b: comments(first: 10)` are two folds, as they are two fields for the
 * resolvers. Arguments come from the document and variables as GraphQL coerces them; a field whose
 * arguments cannot be read or would be refused is not folded (its resolver then loads it, and reports).
 */
export function foldsOf(info: SelectionInfo, parent: NodeTypeName, path: readonly string[]): Fold[] {
  const folds: Fold[] = [];
  let pages = 0;
  let counts = 0;
  // `memberCount` and an unfiltered `members { totalCount }` are one count: folded once.
  const countsFolded = new Set<string>();
  for (const candidate of foldCandidates(info, parent, path)) {
    const selection: SelectionInfo = {
      fieldNodes: candidate.group,
      fragments: info.fragments,
      schema: info.schema,
      variableValues: info.variableValues,
    };
    const field = candidate.group[0].name.value;
    const { relation, count } = candidate;
    // The same objects for every request with the same values of the variables below (atPosition).
    if (relation && pages < MAX_FOLDS) {
      const args = foldableArgs(() =>
        atPosition(selection, 'fold', () =>
          relation.argsFrom(
            getArgumentValues(candidate.definition, candidate.group[0], info.variableValues),
            readPlan(selection, relation.node, relation.path),
            selection,
          ),
        ),
      );
      if (args !== null) {
        folds.push({ field, args });
        pages += 1;
      }
    }
    if (count && counts < MAX_COUNT_FOLDS) {
      const args = foldableArgs(() =>
        atPosition(selection, 'fold count', () =>
          count.argsFrom(getArgumentValues(candidate.definition, candidate.group[0], info.variableValues)),
        ),
      );
      const key = `${count.counted.loader}|${JSON.stringify(args)}`;
      if (args !== null && !countsFolded.has(key)) {
        countsFolded.add(key);
        folds.push({ field, args, count: true });
        counts += 1;
      }
    }
  }
  return folds;
}

/** A fold's arguments, or null when they cannot be read or would be refused (the field's resolver then reports). */
function foldableArgs(make: () => unknown): unknown {
  try {
    return make();
  } catch {
    return null;
  }
}

/**
 * A field below a position that could be folded: its relation (when its rows can be), its count (when the
 * selection reads a count that can be), its definition and its nodes (one response key).
 */
interface FoldCandidate {
  relation?: FoldableRelation<unknown>;
  count?: FoldableCount<unknown>;
  definition: GraphQLField<unknown, unknown>;
  group: FieldNode[];
}

/**
 * The foldable fields below a position, by response key: what the document alone decides, found once per
 * position (the same nodes array, so the read plans of the groups are memoized too); only the arguments,
 * which may come from variables, are read again, once per values of those variables (atPosition in foldsOf).
 */
const candidatesByPosition = new WeakMap<readonly FieldNode[], Map<string, FoldCandidate[]>>();

function foldCandidates(info: SelectionInfo, parent: NodeTypeName, path: readonly string[]): FoldCandidate[] {
  let byParent = candidatesByPosition.get(info.fieldNodes);
  if (!byParent) candidatesByPosition.set(info.fieldNodes, (byParent = new Map<string, FoldCandidate[]>()));
  const memoKey = `${parent}|${path.join('.')}`;
  const known = byParent.get(memoKey);
  if (known) return known;
  const candidates: FoldCandidate[] = [];
  byParent.set(memoKey, candidates);
  const foldable = registry.get(parent);
  const type = info.schema.getType(parent);
  if (!foldable || !isObjectType(type)) return candidates;
  // Only what is sure to be executed: a fold does its work before the resolvers, priced or not (SelectionFilter).
  const sure: SelectionFilter = { unconditional: true };
  const parentNodes = path.length === 0 ? info.fieldNodes : fieldsAt(info, path, info.fieldNodes, sure);
  const byResponseKey = new Map<string, FieldNode[]>();
  const seenFragments = new Set<string>();
  const collect = (field: FieldNode) => {
    if (!foldable.has(field.name.value)) return;
    const key = field.alias?.value ?? field.name.value;
    const group = byResponseKey.get(key);
    if (group) group.push(field);
    else byResponseKey.set(key, [field]);
  };
  const ofParent: SelectionFilter = { unconditional: true, type: { name: parent, schema: info.schema } };
  for (const node of parentNodes)
    if (node.selectionSet) forEachField(info, node.selectionSet, seenFragments, collect, ofParent);
  for (const group of byResponseKey.values()) {
    const definition = type.getFields()[group[0].name.value];
    const { relation, count } = foldable.get(group[0].name.value)!;
    const below = { ...info, fieldNodes: group };
    // Each is folded only where the selection reads it: a connection's totalCount is seldom asked, and one
    // that asks only for it needs no page.
    const pageRead = relation !== undefined && readsPage(below);
    const countRead =
      count !== undefined && (count.path.length === 0 || fieldsAt(below, count.path, group, sure).length > 0);
    if (definition && (pageRead || countRead))
      candidates.push({
        relation: pageRead ? relation : undefined,
        count: countRead ? count : undefined,
        definition,
        group,
      });
  }
  return candidates;
}

interface FoldedColumn {
  name: string;
  /** A nested fold's column carries its JSON (or count) as it is. */
  kind: ColumnKind | 'fold';
}

function foldedColumns(relation: FoldableRelation<unknown>, args: unknown): FoldedColumn[] {
  const kinds = COLUMN_KINDS[relation.table] ?? {};
  const statement = relation.statement(args);
  const own = relation
    .ownColumns(args)
    .filter((name) => name !== relation.parentColumn)
    .map((name) => ({ name, kind: kinds[name] ?? 'value' }));
  const joined = statement.joins
    ? joinedColumns(statement.joins.node, statement.joins.plan).map(([name, kind]) => ({ name, kind }))
    : [];
  const nested = (relation.foldsOf?.(args) ?? []).map((_, index) => ({
    name: foldAlias(index),
    kind: 'fold' as const,
  }));
  return [...own, ...joined, ...nested];
}

function encoded(column: FoldedColumn): RawBuilder<unknown> {
  const ref = sql.id('folded', column.name);
  if (column.kind === 'timestamp') return sql`floor(extract(epoch FROM ${ref}) * 1000)`;
  if (column.kind === 'bigint') return sql`${ref}::text`;
  return sql`${ref}`;
}

/**
 * The `index`th fold of a statement whose parent rows' ids `parentId` names: the relation's page for each
 * parent row as one JSON array of positional arrays (PostgreSQL builds arrays at less than half the cost of
 * objects with keys), in page order.
 */
export function foldSelection(
  db: Kysely<Database>,
  parent: NodeTypeName,
  fold: Fold,
  parentId: string,
  index: number,
): AliasedExpression<unknown, string> {
  if (fold.count) return countSelection(db, countOf(parent, fold).counted, fold.args, parentId, index);
  const relation = relationOf(parent, fold);
  const statement = relation.statement(fold.args);
  const [value, id] = pageOrderColumns(statement.order);
  const direction = sql.raw(statement.order.direction);
  const values = foldedColumns(relation, fold.args).map(encoded);
  const nested = relation.foldsOf?.(fold.args) ?? [];
  const page = pageOfEnclosingParent(db, statement, parentId).$if(nested.length > 0, (query) =>
    query.select(nested.map((inner, at) => foldSelection(db, relation.node, inner, 'page.id', at))),
  );
  return sql`(SELECT coalesce(json_agg(json_build_array(${sql.join(values)}) ORDER BY ${sql.id('folded', value)} ${direction}, ${sql.id('folded', id)} ${direction}), '[]'::json)
    FROM (${page}) AS folded)`.as(foldAlias(index));
}

/** The `index`th fold of a statement when it is a count: the parent row's count, as text (bigint). */
function countSelection(
  db: Kysely<Database>,
  counted: CountedRelation<unknown>,
  args: unknown,
  parentId: string,
  index: number,
): AliasedExpression<unknown, string> {
  return counted
    .rows(db, args)
    .select(sql<string>`count(*)`.as('count'))
    .where(sql.ref(counted.parentColumn(args)), '=', sql.ref(parentId))
    .as(foldAlias(index));
}

function foldAlias(index: number): string {
  return `fold_${index}`;
}

/** The loaders a fold primes: a relation's pages or lists, or its counts. */
export type FoldedLoader = FoldableRelation<unknown>['loader'] | FoldedCountLoader;

/** Where a fold's rows (or counts) go: the relation's loader, under the key its resolver will ask. */
export type FoldPrimer = (loader: FoldedLoader, parentId: string, args: unknown, value: unknown) => void;

/**
 * Reads one parent's fold back into rows as the relation's own statement returns them. Made once per fold
 * and statement.
 */
function foldReaderFor(
  relation: FoldableRelation<unknown>,
  args: unknown,
): (parentId: string, folded: unknown[][]) => Record<string, unknown>[] {
  const columns = foldedColumns(relation, args);
  return (parentId, folded) =>
    folded.map((tuple) => {
      const row: Record<string, unknown> = { [relation.parentColumn]: parentId };
      for (let index = 0; index < columns.length; index += 1) {
        const value = tuple[index];
        row[columns[index].name] =
          columns[index].kind === 'timestamp' && value !== null ? new Date(value as number) : value;
      }
      return row;
    });
}

/**
 * Each parent row's folds handed to their relations' loaders (each page, or list, under the key its
 * resolver will ask), and taken off the row (they are read once); the entities the folded rows joined are
 * primed once for the whole statement (a user who collaborates on every study of a page is primed once).
 */
export function primeFoldsOfRows(
  parent: NodeTypeName,
  rows: readonly Record<string, unknown>[],
  folds: readonly Fold[],
  primeEntity: EntityPrimer,
  primeLoader: FoldPrimer,
): void {
  folds.forEach((fold, index) => {
    const alias = foldAlias(index);
    if (fold.count) {
      const { loader } = countOf(parent, fold).counted;
      for (const row of rows) {
        primeLoader(loader, row.id as string, fold.args, Number(row[alias]));
        row[alias] = undefined;
      }
      return;
    }
    const relation = relationOf(parent, fold);
    const statement = relation.statement(fold.args);
    // Which rows per parent are answers (null: all); one more than `first` only tells of a further page.
    const { window } = statement;
    const read = foldReaderFor(relation, fold.args);
    const everyRow: Record<string, unknown>[] = [];
    for (const row of rows) {
      const folded = row[alias];
      row[alias] = undefined;
      if (!Array.isArray(folded)) continue;
      const parentId = row.id as string;
      const children = read(parentId, folded as unknown[][]);
      for (const child of children) everyRow.push(child);
      primeLoader(relation.loader, parentId, fold.args, window === null ? children : pageOf(children, window));
    }
    if (statement.joins) primeToOneJoins(everyRow, statement.joins.node, statement.joins.plan, primeEntity);
    const nested = relation.foldsOf?.(fold.args) ?? [];
    if (nested.length > 0) primeFoldsOfRows(relation.node, everyRow, nested, primeEntity, primeLoader);
    relation.received?.(everyRow, fold.args, primeEntity);
  });
}
