import DataLoader from 'dataloader';
import { inSpan } from '../src/observability/tracing';

/** How every loader of a request is built: batched or not, and who is told each batch's size. */
export interface LoaderSettings {
  /** false: one key per statement (the benchmark's unbatched baseline). */
  batch: boolean;
  onBatch?: (loader: string, keys: number) => void;
  /** Check each reuse of a compiled statement against a fresh build (see selectByShape); off in production. */
  verifyShapes?: boolean;
}

/**
 * A DataLoader that keeps primed values as values and hands them out synchronously (loadNow). DataLoader
 * keeps a prime as a resolved promise, and a load of a cached key still costs it a new promise and a wait
 * for the next batch: a page of 20 studies with their collaborators primes and reaches a hundred users
 * that way, each one an await in a resolver. Primed values keep DataLoader's rules: a prime of a key
 * already primed, loaded or loading changes nothing; clear and clearAll forget them; load gives them too
 * (resolved at once). Errors and promises are primed into DataLoader's own cache, as before.
 */
export class PrimingLoader<K, V, C = K> extends DataLoader<K, V, C> {
  private readonly primed = new Map<C, V>();
  private readonly partial = new Map<C, V>();
  private readonly cached: Map<C, Promise<V>>;
  private readonly cacheKeyOf: (key: K) => C;
  private readonly caches: boolean;

  constructor(batchLoad: DataLoader.BatchLoadFn<K, V>, options: DataLoader.Options<K, V, C> = {}) {
    const cacheMap = new Map<C, Promise<V>>();
    super(batchLoad, { ...options, cacheMap });
    this.cached = cacheMap;
    this.cacheKeyOf = options.cacheKeyFn ?? ((key) => key as unknown as C);
    this.caches = options.cache !== false;
  }

  /** The value itself when it was primed, else load's promise. */
  loadNow(key: K): V | Promise<V> {
    const cacheKey = this.cacheKeyOf(key);
    return this.primed.has(cacheKey) ? (this.primed.get(cacheKey) as V) : super.load(key);
  }

  override load(key: K): Promise<V> {
    const cacheKey = this.cacheKeyOf(key);
    return this.primed.has(cacheKey) ? Promise.resolve(this.primed.get(cacheKey) as V) : super.load(key);
  }

  override prime(key: K, value: V | PromiseLike<V> | Error): this {
    const cacheKey = this.cacheKeyOf(key);
    if (this.primed.has(cacheKey)) return this;
    if (this.caches && !(value instanceof Error) && !isPromiseLike(value)) {
      if (!this.cached.has(cacheKey)) this.primed.set(cacheKey, value);
      return this;
    }
    return super.prime(key, value);
  }

  /**
   * Keeps a row that lacks columns (a statement fetched only what its selection reads): it answers
   * loadPartialNow and the reads it covers (loadCoveringNow), never load or loadNow, so a partial row cannot
   * answer a read that needs a whole one. Partial rows of one key are merged: two selections of the same
   * user (its name here, its email there) are both answered by what the request brought.
   */
  primePartial(key: K, value: V): this {
    if (!this.caches) return this;
    const cacheKey = this.cacheKeyOf(key);
    const known = this.partial.get(cacheKey) as Record<string, unknown> | undefined;
    if (!known) this.partial.set(cacheKey, value);
    else {
      const brought = value as Record<string, unknown>;
      for (const column in brought) if (!(column in known)) known[column] = brought[column];
    }
    return this;
  }

  /** A whole row when one is at hand, else a partial one (primePartial), else load's promise of a whole one. */
  loadPartialNow(key: K): V | Promise<V> {
    const cacheKey = this.cacheKeyOf(key);
    if (this.primed.has(cacheKey)) return this.primed.get(cacheKey) as V;
    return this.partial.has(cacheKey) ? (this.partial.get(cacheKey) as V) : super.load(key);
  }

  /**
   * A whole row when one is at hand, else a partial one (primePartial) that holds every one of `columns`
   * (null: a whole row is needed), else load's promise of a whole one.
   */
  loadCoveringNow(key: K, columns: readonly string[] | null): V | Promise<V> {
    const cacheKey = this.cacheKeyOf(key);
    if (this.primed.has(cacheKey)) return this.primed.get(cacheKey) as V;
    if (columns !== null) {
      const row = this.partial.get(cacheKey) as object | undefined;
      if (row && holdsEvery(row, columns)) return row as V;
    }
    return super.load(key);
  }

  override clear(key: K): this {
    const cacheKey = this.cacheKeyOf(key);
    this.primed.delete(cacheKey);
    this.partial.delete(cacheKey);
    return super.clear(key);
  }

  override clearAll(): this {
    this.primed.clear();
    this.partial.clear();
    return super.clearAll();
  }
}

function holdsEvery(row: object, columns: readonly string[]): boolean {
  for (let index = 0; index < columns.length; index += 1) if (!(columns[index] in row)) return false;
  return true;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** `map` applied to a value now, or once it arrives: resolvers stay synchronous where their data is at hand. */
export function whenLoaded<T, R>(value: T | Promise<T>, map: (loaded: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(map) : map(value);
}

/** A loader whose batches are reported (by name) to `settings.onBatch`. */
export function defineLoader<K, V, C = K>(
  settings: LoaderSettings,
  name: string,
  load: DataLoader.BatchLoadFn<K, V>,
  options: Omit<DataLoader.Options<K, V, C>, 'batch' | 'name' | 'cacheMap'> = {},
): PrimingLoader<K, V, C> {
  // Each batch is a span (when the request is traced): its statements nest under it.
  const observed: DataLoader.BatchLoadFn<K, V> = (keys) => {
    settings.onBatch?.(name, keys.length);
    return inSpan('dataloader.batch', { 'dataloader.name': name, 'dataloader.keys': keys.length }, async () =>
      load(keys),
    );
  };
  return new PrimingLoader<K, V, C>(observed, { ...options, batch: settings.batch, name });
}

/** One page of a parent's one-to-many relation. */
export interface Page<Row> {
  rows: Row[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/**
 * Which rows of a keyset order a page holds: the `first` after the cursor `after`, or, `backward` (Relay's
 * `last`/`before`), the last `first` before it. A page statement reads one row more than `first`, beyond the
 * page's far end, only to tell whether the list goes on there.
 */
export interface PageWindow {
  first: number;
  after: unknown;
  backward: boolean;
}

/**
 * A page from the rows a page statement read for one parent, in list order. The extra row is at the end
 * going forward and at the start going backward; the near side has more when a cursor was given (Relay's
 * spec lets a server answer so, as GitHub's API does).
 */
export function pageOf<Row>(rows: Row[], window: PageWindow): Page<Row> {
  const more = rows.length > window.first;
  const cursorGiven = window.after !== null && window.after !== undefined;
  return window.backward
    ? { rows: more ? rows.slice(rows.length - window.first) : rows, hasNextPage: cursorGiven, hasPreviousPage: more }
    : { rows: more ? rows.slice(0, window.first) : rows, hasNextPage: more, hasPreviousPage: cursorGiven };
}

/**
 * A key of a relation read for many parents at once. `args` is plain data (page size, decoded cursor,
 * filters): parents asked with equal args share one statement, different args get one statement each.
 */
export interface ParentKey<Args> {
  parentId: string;
  args: Args;
}

/** `argsKey` names the args as text (equal args, equal key): with the fetch's name, a statement's shape (see selectByShape). */
export type FetchByParents<Args, Value> = (
  parentIds: readonly string[],
  args: Args,
  argsKey: string,
) => Promise<Map<string, Value>>;

/**
 * Args as text, once per args object: a level's resolvers share one args object (atPosition in selection.ts), and a
 * page's args carry its read plan and folds, whose text was 1.3% of a worker's busy time made afresh for
 * every key.
 */
const argsKeys = new WeakMap<object, string>();
function argsKeyOf(args: unknown): string {
  if (typeof args !== 'object' || args === null) return JSON.stringify(args);
  let key = argsKeys.get(args);
  if (key === undefined) argsKeys.set(args, (key = JSON.stringify(args)));
  return key;
}

/** A loader of one value per (parent, args), fetched for all parents of equal args in one statement. */
export function createParentLoader<Args, Value>(
  settings: LoaderSettings,
  name: string,
  fetch: FetchByParents<Args, Value>,
  missing: () => Value,
): PrimingLoader<ParentKey<Args>, Value, string> {
  return defineLoader<ParentKey<Args>, Value, string>(
    settings,
    name,
    async (keys) => {
      const groups = new Map<string, { args: Args; parentIds: Set<string> }>();
      for (const key of keys) {
        const argsKey = argsKeyOf(key.args);
        const group = groups.get(argsKey) ?? { args: key.args, parentIds: new Set<string>() };
        group.parentIds.add(key.parentId);
        groups.set(argsKey, group);
      }
      const results = new Map<string, Map<string, Value>>();
      await Promise.all(
        [...groups].map(async ([argsKey, group]) => {
          results.set(argsKey, await fetch([...group.parentIds], group.args, argsKey));
        }),
      );
      return keys.map((key) => results.get(argsKeyOf(key.args))?.get(key.parentId) ?? missing());
    },
    { cacheKeyFn: (key) => `${key.parentId}|${argsKeyOf(key.args)}` },
  );
}

/**
 * Pages of a one-to-many relation: `fetch` returns, per parent, at most `first + 1` rows in list order; the
 * extra row only tells that the list goes on beyond the page (pageOf).
 */
export function createPageLoader<Args extends PageWindow, Row>(
  settings: LoaderSettings,
  name: string,
  fetch: FetchByParents<Args, Row[]>,
): PrimingLoader<ParentKey<Args>, Page<Row>, string> {
  return createParentLoader<Args, Page<Row>>(
    settings,
    name,
    async (parentIds, args, argsKey) => {
      const pages = new Map<string, Page<Row>>();
      for (const [parentId, rows] of await fetch(parentIds, args, argsKey)) {
        pages.set(parentId, pageOf(rows, args));
      }
      return pages;
    },
    () => ({ rows: [], hasNextPage: false, hasPreviousPage: false }),
  );
}

/** Groups rows by a parent column, keeping their order. */
export function groupBy<Row, K extends keyof Row>(rows: Row[], column: K): Map<string, Row[]> {
  const grouped = new Map<string, Row[]>();
  for (const row of rows) {
    const parent = String(row[column]);
    const list = grouped.get(parent);
    if (list) list.push(row);
    else grouped.set(parent, [row]);
  }
  return grouped;
}

/** One list per parent, in the parents' order (as DataLoader requires), empty where no row came back. */
export function listsByParent<Row, K extends keyof Row>(parentIds: readonly string[], rows: Row[], column: K): Row[][] {
  const grouped = groupBy(rows, column);
  return parentIds.map((id) => grouped.get(id) ?? []);
}

/** Orders loaded rows as DataLoader requires: one result per key, null where none was found. */
export function byKey<Row, K extends keyof Row>(keys: readonly string[], rows: Row[], column: K): (Row | null)[] {
  return byKeyOf(keys, rows, (row) => String(row[column]));
}

/** byKey for a key made of several columns (`keyOf` writes it as the keys are written). */
export function byKeyOf<Row>(keys: readonly string[], rows: Row[], keyOf: (row: Row) => string): (Row | null)[] {
  const found = new Map<string, Row>();
  for (const row of rows) found.set(keyOf(row), row);
  return keys.map((key) => found.get(key) ?? null);
}

/** `{ parent, count }` rows as a map; parents without rows are left to the loader's `missing`. */
export function countsByParent(rows: { parent: string; count: number | string }[]): Map<string, number> {
  return new Map(rows.map((row) => [row.parent, Number(row.count)]));
}
