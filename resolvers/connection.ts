import type { Page } from '../loaders/loader-toolkit';
import type { ConnectionPayload } from '../schema/connection.type';
import { decodeKeysetCursor, encodeCursor, type Cursor, type CursorValue } from '../src/pagination';

export interface KeysetOrder<Row> {
  key: string;
  valueKind: 'timestamp' | 'text';
  idKind: 'uuid' | 'bigint';
  value(row: Row): CursorValue | Date;
  id(row: Row): string;
}

export function decodeAfter<Row>(after: string | null | undefined, order: KeysetOrder<Row>): Cursor | null {
  return after ? decodeKeysetCursor(after, order.key, order.valueKind, order.idKind) : null;
}

/**
 * A Relay connection from one loaded page. `totalCount` is a getter: its statement runs only when a
 * client selects it.
 */
export function toConnection<Row, Node>(
  page: Page<Row>,
  order: KeysetOrder<Row>,
  toNode: (row: Row) => Node,
  hasPreviousPage: boolean,
  totalCount: () => Promise<number>,
): ConnectionPayload<Node> {
  const edges = page.rows.map((row) => ({ cursor: encodeCursor(order.key, order.value(row), order.id(row)), node: toNode(row) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    get totalCount() {
      return totalCount();
    },
  };
}
