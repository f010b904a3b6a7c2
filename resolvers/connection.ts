import { foldablePage } from '../loaders/folds';
import type { Page, PageWindow } from '../loaders/loader-toolkit';
import type { PageArgs } from '../schema/pagination.args';
import type { ConnectionPayload, Edge, PageInfo } from '../schema/connection.type';
import type { Cursor } from '../src/domain/pagination';
import { cursorOf, decodeAfter, type KeysetOrder } from '../loaders/keyset-order';
import { badUserInput } from '../src/graphql/errors';
import type { GraphQLResolveInfo } from 'graphql';
import { readsPage } from '../loaders/selection';

/**
 * A loader's arguments made from a field's (FoldableRelation.argsFrom): null only for values the field's
 * own validation refuses first, so a null here is a client's bad argument that slipped past it.
 */
export function loaderArgsOf<Args>(args: Args | null): Args {
  if (args === null)
    throw badUserInput(
      "An argument is out of its range: a page goes forward (`first`, `after`) or backward (`last`, `before`), not both; see the field's description.",
    );
  return args;
}

/**
 * The page a connection's arguments ask for (forward or backward, loaders/folds.ts foldablePage), its cursor
 * decoded for `order`: for connections whose loader arguments are made here rather than by a relation's
 * declaration.
 */
export function pageWindow<Row>(args: PageArgs, order: KeysetOrder<Row>): PageWindow & { after: Cursor | null } {
  const window = loaderArgsOf(foldablePage(args));
  return { first: window.first, after: decodeAfter(window.after, order), backward: window.backward };
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
    return (this.#cursor ??= cursorOf(this.order, this.row));
  }
}

/*
 * Connections and their page info are class instances with getters on the prototype, never object literals
 * with getters: a literal with getters built per request kept what its getters' closures reach (the page's
 * rows and edges) alive through the young-generation collections that followed, so they were copied and
 * promoted instead of dying young (see docs/architecture.md, objects dying young; test/connection-payload.test.ts
 * checks that no connection, page info or edge has accessors of its own).
 */

/** Cursors of a page, made from its edges only when a client selects them. */
class KeysetPageInfo<Row, Node> {
  readonly #edges: readonly KeysetEdge<Row, Node>[];

  constructor(
    edges: readonly KeysetEdge<Row, Node>[],
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
  ) {
    this.#edges = edges;
  }

  get startCursor(): string | null {
    return this.#edges[0]?.cursor ?? null;
  }

  get endCursor(): string | null {
    return this.#edges.at(-1)?.cursor ?? null;
  }
}

/** A connection whose `totalCount` statement runs only when a client selects it. */
export class LazyTotalConnection<Node> implements ConnectionPayload<Node> {
  readonly #countTotal: () => Promise<number>;

  constructor(
    readonly edges: Edge<Node>[],
    readonly pageInfo: PageInfo,
    countTotal: () => Promise<number>,
  ) {
    this.#countTotal = countTotal;
  }

  get totalCount(): Promise<number> {
    return this.#countTotal();
  }
}

/**
 * A Relay connection of the page `loadPage` reads, when the selection reads the page at all: one that reads
 * only `totalCount` costs its count, not a page too.
 */
export async function connectionOf<Row, Node>(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  loadPage: () => Promise<Page<Row>>,
  order: KeysetOrder<Row>,
  toNode: (row: Row) => Node,
  totalCount: () => Promise<number>,
): Promise<ConnectionPayload<Node>> {
  if (!readsPage(info)) return new LazyTotalConnection<Node>([], new KeysetPageInfo([], false, false), totalCount);
  return toConnection(await loadPage(), order, toNode, totalCount);
}

/** A Relay connection from one loaded page; cursors and the total are computed only when selected. */
export function toConnection<Row, Node>(
  page: Page<Row>,
  order: KeysetOrder<Row>,
  toNode: (row: Row) => Node,
  totalCount: () => Promise<number>,
): ConnectionPayload<Node> {
  const edges = page.rows.map((row) => new KeysetEdge(row, order, toNode(row)));
  return new LazyTotalConnection(edges, new KeysetPageInfo(edges, page.hasNextPage, page.hasPreviousPage), totalCount);
}
