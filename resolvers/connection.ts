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

/** An edge whose cursor is encoded only when a client selects it (a dashboard page asks for none). */
class KeysetEdge<Row, Node> {
  #cursor: string | undefined;

  constructor(
    private readonly row: Row,
    private readonly order: KeysetOrder<Row>,
    readonly node: Node,
  ) {}

  get cursor(): string {
    return (this.#cursor ??= encodeCursor(this.order.key, this.order.value(this.row), this.order.id(this.row)));
  }
}

/**
 * A Relay connection from one loaded page. `totalCount` is a getter: its statement runs only when a
 * client selects it; cursors too are made only when selected.
 */
export function toConnection<Row, Node>(
  page: Page<Row>,
  order: KeysetOrder<Row>,
  toNode: (row: Row) => Node,
  hasPreviousPage: boolean,
  totalCount: () => Promise<number>,
): ConnectionPayload<Node> {
  const edges = page.rows.map((row) => new KeysetEdge(row, order, toNode(row)));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
    },
    get totalCount() {
      return totalCount();
    },
  };
}
