import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { Cost } from './cost-directives';
import { CacheInherit } from './cache-control';

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true, description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  // Getters (see toConnection): a resolver of their own catches what they throw, which graphql-jit's
  // inline read of a plain field would not (the request would never settle).
  @Field(() => String, { nullable: true, simple: false })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, simple: false })
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

/** A Relay connection type `<name>Connection` with edges `<name>Edge`. */
export function Connection<TNode extends object>(name: string, nodeType: ClassType<TNode>) {
  @Cost(0)
  @CacheInherit()
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class EdgeType {
    // A getter too (computed only when selected), with a resolver of its own for the same reason.
    @Field(() => String, {
      simple: false,
      description: 'Opaque cursor; pass it as `after` to continue after this edge.',
    })
    cursor!: string;

    @Field(() => nodeType)
    node!: TNode;
  }

  // Abstract: only the concrete `<name>Connection` subclasses reach the schema.
  @ObjectType({ simpleResolvers: true })
  abstract class ConnectionType {
    /** The `<name>Edge` type, for fields that return one edge (a subscription's events). */
    static readonly Edge = EdgeType;

    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    // A count statement of its own. A lazy getter that may give a promise: it keeps a resolver, since
    // graphql-jit reads a plain field's value inline and would neither wait for it nor catch a throw.
    @Cost(1)
    @Field(() => Int, { simple: false, description: 'Number of items in the whole list, across all pages.' })
    totalCount!: number;
  }

  return ConnectionType;
}
