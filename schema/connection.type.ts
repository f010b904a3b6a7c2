import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { Cost } from './cost-directives';
import { CacheInherit } from './cache-control';

@Cost(0)
@CacheInherit()
@ObjectType({
  simpleResolvers: true,
  description: 'Relay page information: whether more items follow or precede a page, and its cursors.',
})
export class PageInfo {
  @Field(() => Boolean, {
    description: 'True when items follow this page in the list: pass `endCursor` as `after` to read them.',
  })
  hasNextPage!: boolean;

  @Field(() => Boolean, {
    description: 'True when items come before this page in the list.',
  })
  hasPreviousPage!: boolean;

  // Getters (see toConnection): a resolver of their own catches what they throw, which graphql-jit's
  // inline read of a plain field would not (the request would never settle).
  @Field(() => String, {
    nullable: true,
    simple: false,
    description: "The first edge's cursor; null when the page is empty.",
  })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    simple: false,
    description: "The last edge's cursor, to pass as `after` for the next page; null when the page is empty.",
  })
  endCursor!: string | null;
}

export interface Edge<TNode> {
  cursor: string;
  node: TNode;
}

/** What connection resolvers return; `totalCount` may be a lazy getter so it costs nothing unless asked. */
export interface ConnectionPayload<TNode> {
  edges: Edge<TNode>[];
  pageInfo: PageInfo;
  readonly totalCount: number | Promise<number>;
}

/**
 * A Relay connection type `<name>Connection` with edges `<name>Edge`, described, priced and cached as every
 * connection is: declare one with `export const <name>Connection = Connection('<name>', <name>)`.
 */
export function Connection<TNode extends object>(name: string, nodeType: ClassType<TNode>) {
  @Cost(0)
  @CacheInherit()
  @ObjectType(`${name}Edge`, {
    simpleResolvers: true,
    description: `An edge of a ${name}Connection: one ${name} and the cursor that continues after it.`,
  })
  class EdgeType {
    // A getter too (computed only when selected), with a resolver of its own for the same reason.
    @Field(() => String, {
      simple: false,
      description: 'Opaque cursor; pass it as `after` to continue after this edge.',
    })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${name} at this position of the list.` })
    node!: TNode;
  }

  @Cost(0)
  @CacheInherit()
  @ObjectType(`${name}Connection`, {
    simpleResolvers: true,
    description: `One page of a list of ${name} items (a Relay connection): its edges, where it stands, and the size of the whole list.`,
  })
  class ConnectionType {
    /** The `<name>Edge` type, for fields that return one edge (a subscription's events). */
    static readonly Edge = EdgeType;

    @Field(() => [EdgeType], {
      description: "This page's items with their cursors, in the list's order; empty past the end.",
    })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: 'Whether more items follow or precede this page, and its cursors.' })
    pageInfo!: PageInfo;

    // A count statement of its own. A lazy getter that may give a promise: it keeps a resolver, since
    // graphql-jit reads a plain field's value inline and would neither wait for it nor catch a throw.
    @Cost(1)
    @Field(() => Int, { simple: false, description: 'Number of items in the whole list, across all pages.' })
    totalCount!: number;
  }

  return ConnectionType;
}
