import { LRUCache } from 'lru-cache';
import {
  CompiledQuery,
  sql,
  type Compilable,
  type Kysely,
  type RawBuilder,
  type SqlBool,
  type Transaction,
} from 'kysely';
import type { Database } from '../src/db/types';
import type { CountedRelation } from './counts';
import type { Cursor } from '../src/domain/pagination';
import {
  byKey,
  byKeyOf,
  countsByParent,
  createParentLoader,
  defineLoader,
  listsByParent,
  type LoaderSettings,
  type ParentKey,
  type PrimingLoader,
} from './loader-toolkit';

/**
 * `= any($1::uuid[])`: one parameter for a whole batch, so statements keep one shape whatever the batch
 * size. The array itself is the parameter (selectByShape finds it by identity): callers pass a copy.
 */
export function anyUuid(ids: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${sql.val(ids)}::uuid[])`;
}

/** The same for text keys (an organization's slug, a user's email). */
export function anyText(keys: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${sql.val(keys)}::text[])`;
}

/** The same for bigint keys (activity entries), which both drivers hand over as text. */
export function anyBigint(ids: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${sql.val(ids)}::bigint[])`;
}

/**
 * `(a, b) IN (SELECT * FROM unnest($1::ta[], $2::tb[]))`: rows whose two-column key is one of `keys`, each
 * written `<a>:<b>` (a member of an organization, a user's notification of an entry).
 */
export function pairIn(
  columns: readonly [string, string],
  types: readonly ['uuid' | 'bigint', 'uuid'],
  keys: readonly string[],
): RawBuilder<SqlBool> {
  const pairs = keys.map((key) => key.split(':') as [string, string]);
  const [first, second] = [pairs.map((pair) => pair[0]), pairs.map((pair) => pair[1])];
  return sql<SqlBool>`(${sql.ref(columns[0])}, ${sql.ref(columns[1])}) IN (SELECT * FROM unnest(${sql.val(first)}::${sql.raw(types[0])}[], ${sql.val(second)}::uuid[]))`;
}

/** What is kept of a compiled statement: its text and parameters (not Kysely's syntax tree). */
interface CompiledShape {
  sql: string;
  parameters: readonly unknown[];
  /** Where the batch's keys are among the parameters. */
  keysAt: number;
  /** Where each bound list (see selectByShape) is among them. */
  boundAt: readonly number[];
}

/** Shapes kept per database: a few per loader and arguments in use (a page's cursor makes a shape of its own). */
const SHAPES_PER_DATABASE = 2000;
/**
 * And at most this many bytes of them: a shape's key carries a client's arguments (a cursor, a filter's
 * dates, folds with theirs) and a folded statement's text is several KB, so a count alone did not bound
 * what clients can make it keep.
 */
export const SHAPE_CACHE_MAX_BYTES = 8 * 1024 * 1024;
const shapesByDatabase = new WeakMap<object, LRUCache<string, CompiledShape>>();

/** Estimated bytes of a kept shape: its key and text as UTF-16, its parameters as their text. */
function shapeBytes(shape: CompiledShape, key: string): number {
  return 2 * (key.length + shape.sql.length) + JSON.stringify(shape.parameters).length + 64;
}

function shapesOf(db: Kysely<Database>): LRUCache<string, CompiledShape> {
  let shapes = shapesByDatabase.get(db);
  if (!shapes) {
    shapes = new LRUCache<string, CompiledShape>({
      max: SHAPES_PER_DATABASE,
      maxSize: SHAPE_CACHE_MAX_BYTES,
      sizeCalculation: shapeBytes,
    });
    shapesByDatabase.set(db, shapes);
  }
  return shapes;
}

/** The bytes the shapes kept for `db` are estimated to take (tests). */
export function shapeCacheBytes(db: Kysely<Database>): number {
  return shapesByDatabase.get(db)?.calculatedSize ?? 0;
}

type ShapeBuilder<Row> = (keys: readonly string[], ...bound: (readonly string[])[]) => Compilable<Row>;

/** Where `marker` is among the parameters, if exactly once (else -1: the statement cannot be reused). */
function onlyPlaceOf(parameters: readonly unknown[], marker: unknown): number {
  const at = parameters.indexOf(marker);
  return at !== -1 && parameters.lastIndexOf(marker) === at ? at : -1;
}

function compileShape<Row>(
  build: ShapeBuilder<Row>,
  keys: readonly string[],
  bound: readonly (readonly string[])[],
): { query: CompiledQuery<Row>; keysAt: number; boundAt: number[] } {
  // Fresh arrays: their identity marks their parameters (anyUuid/anyBigint pass them on as they are).
  const marker = [...keys];
  const boundMarkers = bound.map((list) => [...list]);
  const query = build(marker, ...boundMarkers).compile();
  return {
    query,
    keysAt: onlyPlaceOf(query.parameters, marker),
    boundAt: boundMarkers.map((list) => onlyPlaceOf(query.parameters, list)),
  };
}

/**
 * Runs a loader's batch statement whose SQL is fixed by `shape` (the loader's name and everything its
 * builder reads besides the keys: arguments, settings), the batch's keys being one array parameter
 * (anyUuid/anyBigint). Kysely builds and compiles it for the first batch of a shape only; later batches
 * bind their keys into the compiled statement. Building and compiling one statement was ~5% of a worker's
 * busy time on the dashboard. `bound` lists vary per call like the keys (the viewer's organizations) and
 * are bound the same way, so they make no shape of their own. Outside production every reuse is checked
 * against a fresh build, so a builder that reads something its shape does not name fails the tests.
 */
export async function selectByShape<Row>(
  db: Kysely<Database>,
  settings: LoaderSettings,
  loaderShape: string,
  keys: readonly string[],
  build: ShapeBuilder<Row>,
  bound: readonly (readonly string[])[] = [],
): Promise<Row[]> {
  // Batching changes what a builder joins and folds: a shape is one mode's.
  const shape = settings.batch ? loaderShape : `unbatched|${loaderShape}`;
  const shapes = shapesOf(db);
  const known = shapes.get(shape);
  if (known) {
    const parameters = [...known.parameters];
    parameters[known.keysAt] = [...keys];
    known.boundAt.forEach((at, index) => (parameters[at] = [...bound[index]]));
    if (settings.verifyShapes) verifyShape(shape, known, compileShape(build, keys, bound), parameters);
    return (await db.executeQuery<Row>(CompiledQuery.raw(known.sql, parameters))).rows;
  }
  const { query, keysAt, boundAt } = compileShape(build, keys, bound);
  if (keysAt !== -1 && !boundAt.includes(-1))
    shapes.set(shape, { sql: query.sql, parameters: query.parameters, keysAt, boundAt });
  return (await db.executeQuery(query)).rows;
}

function verifyShape(
  shape: string,
  known: CompiledShape,
  fresh: { query: CompiledQuery; keysAt: number; boundAt: number[] },
  parameters: readonly unknown[],
): void {
  const same =
    fresh.query.sql === known.sql &&
    fresh.keysAt === known.keysAt &&
    JSON.stringify(fresh.boundAt) === JSON.stringify(known.boundAt) &&
    JSON.stringify(fresh.query.parameters) === JSON.stringify(parameters);
  if (!same)
    throw new Error(
      `statement shape "${shape}" changed with something its key does not name:\n${known.sql}\n---\n${fresh.query.sql}`,
    );
}

/**
 * Rows strictly after `cursor` in the order `(orderColumn, idColumn) direction`: a row comparison, so
 * PostgreSQL walks the matching index from the cursor on.
 */
export function keysetAfter(
  orderColumn: string,
  idColumn: string,
  direction: 'asc' | 'desc',
  cursor: Cursor,
  valueType: 'timestamptz' | 'text',
  idType: 'uuid' | 'bigint',
): RawBuilder<SqlBool> {
  const comparison = sql.raw(direction === 'desc' ? '<' : '>');
  const value = sql`cast(${String(cursor.value)} as ${sql.raw(valueType)})`;
  const id = sql`cast(${cursor.id} as ${sql.raw(idType)})`;
  return sql<SqlBool>`(${sql.ref(orderColumn)}, ${sql.ref(idColumn)}) ${comparison} (${value}, ${id})`;
}

/**
 * Runs `read` in a transaction whose statements are planned for their parameters' values. The gateway's
 * connections plan each statement once (see createPostgresPool), right for keyed lookups; a search's best
 * plan depends on its words (value-blind plans measured ~20% slower on the large seed).
 */
export function withValueAwarePlans<T>(
  db: Kysely<Database>,
  read: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL plan_cache_mode = force_custom_plan`.execute(trx);
    return read(trx);
  });
}

/**
 * A loader of rows by a unique column (their id, a slug, an email): one statement per batch, compiled once
 * for its shape (selectByShape), the rows matched back to the keys asked (null for a key that has none).
 */
function defineByKeyLoader<Row, Column extends keyof Row>(
  db: Kysely<Database>,
  settings: LoaderSettings,
  name: string,
  column: Column,
  build: (keys: readonly string[]) => Compilable<Row>,
): PrimingLoader<string, Row | null> {
  return defineLoader<string, Row | null>(settings, name, async (keys) =>
    byKey(keys, await selectByShape(db, settings, name, keys, build), column),
  );
}

/**
 * How many rows of a relation each parent has under the loader's arguments (a connection's `totalCount`): one
 * grouped count per batch and arguments, compiled once per shape; 0 for a parent without rows.
 */
function defineCountLoader<Args>(
  db: Kysely<Database>,
  settings: LoaderSettings,
  counted: CountedRelation<Args>,
): PrimingLoader<ParentKey<Args>, number, string> {
  return createParentLoader<Args, number>(
    settings,
    counted.loader,
    async (parentIds, args, argsKey) => {
      const parent = sql.ref(counted.parentColumn(args));
      const rows = await selectByShape(db, settings, `${counted.loader}|${argsKey}`, parentIds, (ids) =>
        counted
          .rows(db, args)
          .select([sql<string>`${parent}`.as('parent'), sql<string>`count(*)`.as('count')])
          .where(parent, '=', anyUuid(ids))
          .groupBy(parent),
      );
      return countsByParent(rows);
    },
    () => 0,
  );
}

/** defineByKeyLoader by `id`. */
function defineByIdLoader<Row extends { id: string }>(
  db: Kysely<Database>,
  settings: LoaderSettings,
  name: string,
  build: (ids: readonly string[]) => Compilable<Row>,
): PrimingLoader<string, Row | null> {
  return defineByKeyLoader(db, settings, name, 'id', build);
}

/**
 * The loader definitions every relation shares, bound to one request's database handle and settings: a
 * loader file states a relation's name, keys and statement, and nothing of how a batch is run.
 */
export function definers(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    byId: <Row extends { id: string }>(name: string, build: (ids: readonly string[]) => Compilable<Row>) =>
      defineByIdLoader<Row>(db, settings, name, build),
    byKey: <Column extends string, Row extends Record<Column, unknown>>(
      name: string,
      column: Column,
      build: (keys: readonly string[]) => Compilable<Row>,
    ) => defineByKeyLoader<Row, Column>(db, settings, name, column, build),
    /** Each parent's rows in the statement's order, by the rows' parent column (none: an empty list). */
    listsByParent: <Column extends string, Row extends Record<Column, unknown>>(
      name: string,
      column: Column,
      build: (parentIds: readonly string[]) => Compilable<Row>,
    ) =>
      defineLoader<string, Row[]>(settings, name, async (parentIds) =>
        listsByParent(parentIds, await selectByShape(db, settings, name, parentIds, build), column),
      ),
    count: <Args>(counted: CountedRelation<Args>) => defineCountLoader<Args>(db, settings, counted),
    /** Rows by a two-column key written `<a>:<b>` (pairIn); `keyOf` writes a row's key the same way. */
    byPair: <Row>(name: string, build: (keys: readonly string[]) => Compilable<Row>, keyOf: (row: Row) => string) =>
      defineLoader<string, Row | null>(settings, name, async (keys) =>
        byKeyOf(keys, (await db.executeQuery(build(keys).compile())).rows, keyOf),
      ),
  };
}
