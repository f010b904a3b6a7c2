import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../src/db/types';

/** The rows a count reads, as one relation's builder made them (its table, its alias, its filters). */
export type CountedRows = SelectQueryBuilder<Record<string, Record<string, unknown>>, string, object>;

/** A relation's rows widened for counting: a count reads its parent column by name, whatever the table. */
export function countedRows<DB, Table extends keyof DB, Output>(
  rows: SelectQueryBuilder<DB, Table, Output>,
): CountedRows {
  return rows as unknown as CountedRows;
}

/**
 * How many rows of a relation each parent has under some arguments (a connection's `totalCount`, an
 * organization's `memberCount`): declared once, read by the relation's count loader (one grouped count per
 * batch) and by a parent statement that folds the count in (folds.ts), so both count the same rows.
 */
export interface CountedRelation<Args> {
  /** The count loader's name: its statements' shapes, and where a fold primes its counts. */
  loader: string;
  /**
   * The rows counted under `args`, without the parent condition (the caller adds it). Their table has an
   * alias and every column is qualified with it: inside a parent's statement an unqualified name the table
   * lacks would silently name the parent's column.
   */
  rows(db: Kysely<Database>, args: Args): CountedRows;
  /** The column of those rows that names their parent, as a ref inside `rows`. */
  parentColumn(args: Args): string;
}
