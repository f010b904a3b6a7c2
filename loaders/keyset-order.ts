import { decodeKeysetCursor, encodeCursor, type Cursor, type CursorValue } from '../src/domain/pagination';
import type { PageOrder } from './pages';

/**
 * A list's keyset order, declared once for both of its ends: the page statement's columns (ORDER BY and the
 * cursor's predicate) and the cursor of a row, under the key that keeps one order's cursors out of another.
 */
export interface KeysetOrder<Row> {
  readonly key: string;
  readonly columns: PageOrder;
  readonly valueKind: 'timestamp' | 'text';
  readonly idKind: 'uuid' | 'bigint';
  valueOf(row: Row): CursorValue | Date;
  idOf(row: Row): string;
}

/** The order's columns are refs into the list's query (`alias.column`); the row holds them as `column`. */
export function keysetOrder<Row>(key: string, columns: PageOrder): KeysetOrder<Row> {
  const value = unqualified(columns.value) as keyof Row;
  const id = unqualified(columns.id) as keyof Row;
  return {
    key,
    columns,
    valueKind: columns.valueType === 'text' ? 'text' : 'timestamp',
    idKind: columns.idType,
    valueOf: (row) => row[value] as CursorValue | Date,
    idOf: (row) => String(row[id]),
  };
}

/** A client's `after` (or `before`) cursor for this order; a cursor of another order is refused. */
export function decodeAfter<Row>(after: string | null | undefined, order: KeysetOrder<Row>): Cursor | null {
  return after ? decodeKeysetCursor(after, order.key, order.valueKind, order.idKind) : null;
}

/** The cursor a row carries in this order (an edge's `cursor`). */
export function cursorOf<Row>(order: KeysetOrder<Row>, row: Row): string {
  return encodeCursor(order.key, order.valueOf(row), order.idOf(row));
}

function unqualified(ref: string): string {
  return ref.slice(ref.lastIndexOf('.') + 1);
}
