import { getArgumentValues, isObjectType, type FieldNode, type GraphQLField, type GraphQLResolveInfo } from 'graphql';
import { sql, type AliasedRawBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../src/db/types';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../schema/input-limits';
import { joinedColumns, primeToOneJoins, type EntityPrimer } from './joins';
import { pageOfEnclosingParent, pageOrderColumns, type PageStatement } from './pages';
import { pageOf } from './loader-toolkit';
import { COLUMN_KINDS, type ColumnKind, type NodeTypeName } from './relations';
import { atPosition, fieldsAt, forEachField, readPlan, type ReadPlan } from './selection';

/**
 * A to-many relation whose pages can be folded into the statement of their parents (grafast's way: the
 * level above fetches the level below). One declaration serves the relation's own page loader, the
 * resolver that reads it, and the fold: the loader's arguments are made by `argsFrom` in both places, so
 * what a fold primes is exactly what the resolver then asks for.
 */
export interface FoldableRelation<Args, Row = unknown> {
  /** The page loader the relation's pages are kept in (Loaders.primeFolded). */
  loader: 'commentsPage' | 'approvalsByStudy' | 'collaboratorsByStudy' | 'activityPage' | 'studiesPage';
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

const registry = new Map<NodeTypeName, Map<string, FoldableRelation<unknown>>>();

/** Declares `relation` foldable under `field` of `parent` (each loader module declares its own). */
export function declareFoldable<Args, Row>(
  parent: NodeTypeName,
  field: string,
  relation: FoldableRelation<Args, Row>,
): FoldableRelation<Args, Row> {
  let fields = registry.get(parent);
  if (!fields) registry.set(parent, (fields = new Map<string, FoldableRelation<unknown>>()));
  fields.set(field, relation);
  return relation;
}

function relationOf(parent: NodeTypeName, fold: Fold): FoldableRelation<unknown> {
  const relation = registry.get(parent)?.get(fold.field);
  if (!relation) throw new Error(`${parent}.${fold.field} is not a foldable relation`);
  return relation;
}

/** Folds per parent statement: each is a subquery per parent row. */
const MAX_FOLDS = 4;

/**
 * The foldable relations a selection reads below `path` (the parent rows' position), one fold per response
 * key: `a: comments(first: 5)` and `b: comments(first: 10)` are two folds, as they are two fields for the
 * resolvers. Arguments come from the document and variables as GraphQL coerces them; a field whose
 * arguments cannot be read or would be refused is not folded (its resolver then loads it, and reports).
 */
export function foldsOf(info: SelectionInfo, parent: NodeTypeName, path: readonly string[]): Fold[] {
  const folds: Fold[] = [];
  for (const candidate of foldCandidates(info, parent, path)) {
    if (folds.length === MAX_FOLDS) break;
    const selection: SelectionInfo = {
      fieldNodes: candidate.group,
      fragments: info.fragments,
      schema: info.schema,
      variableValues: info.variableValues,
    };
    let args: unknown;
    try {
      // The same object for every request with the same values of the variables below (atPosition).
      args = atPosition(selection, 'fold', () =>
        candidate.relation.argsFrom(
          getArgumentValues(candidate.definition, candidate.group[0], info.variableValues),
          readPlan(selection, candidate.relation.node, candidate.relation.path),
          selection,
        ),
      );
    } catch {
      continue;
    }
    if (args !== null) folds.push({ field: candidate.group[0].name.value, args });
  }
  return folds;
}

/** A field below a position that could be folded: its relation, its definition and its nodes (one response key). */
interface FoldCandidate {
  relation: FoldableRelation<unknown>;
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
  const declared = registry.get(parent);
  const type = info.schema.getType(parent);
  if (!declared || !isObjectType(type)) return candidates;
  const parentNodes = path.length === 0 ? info.fieldNodes : fieldsAt(info, path);
  const byResponseKey = new Map<string, FieldNode[]>();
  const seenFragments = new Set<string>();
  const collect = (field: FieldNode) => {
    if (!declared.has(field.name.value)) return;
    const key = field.alias?.value ?? field.name.value;
    const group = byResponseKey.get(key);
    if (group) group.push(field);
    else byResponseKey.set(key, [field]);
  };
  for (const node of parentNodes) if (node.selectionSet) forEachField(info, node.selectionSet, seenFragments, collect);
  for (const group of byResponseKey.values()) {
    const definition = type.getFields()[group[0].name.value];
    if (definition) candidates.push({ relation: declared.get(group[0].name.value)!, definition, group });
  }
  return candidates;
}

interface FoldedColumn {
  name: string;
  kind: ColumnKind;
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
  return [...own, ...joined];
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
): AliasedRawBuilder<unknown, string> {
  const relation = relationOf(parent, fold);
  const statement = relation.statement(fold.args);
  const [value, id] = pageOrderColumns(statement.order);
  const direction = sql.raw(statement.order.direction);
  const values = foldedColumns(relation, fold.args).map(encoded);
  return sql`(SELECT coalesce(json_agg(json_build_array(${sql.join(values)}) ORDER BY ${sql.id('folded', value)} ${direction}, ${sql.id('folded', id)} ${direction}), '[]'::json)
    FROM (${pageOfEnclosingParent(db, statement, parentId)}) AS folded)`.as(foldAlias(index));
}

function foldAlias(index: number): string {
  return `fold_${index}`;
}

/** Where the rows of a folded relation go: the relation's loader, under the key its resolver will ask. */
export type FoldPrimer = (relation: FoldableRelation<unknown>, parentId: string, args: unknown, value: unknown) => void;

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
      primeLoader(relation, parentId, fold.args, window === null ? children : pageOf(children, window));
    }
    if (statement.joins) primeToOneJoins(everyRow, statement.joins.node, statement.joins.plan, primeEntity);
    relation.received?.(everyRow, fold.args, primeEntity);
  });
}
