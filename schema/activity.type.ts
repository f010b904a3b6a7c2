import { Node } from './node.type';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { Cost } from './cost-directives';
import { CacheInherit, CachePrivate, CACHE_SECONDS } from './cache-control';
import { Connection } from './connection.type';
import { ActivityType } from './enums';

@CachePrivate(CACHE_SECONDS.study)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'One entry of the collaboration log, written with every change.',
})
export class Activity {
  @Field(() => ID)
  id!: string;

  @Field(() => ActivityType)
  type!: ActivityType;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLJSONObject)
  details!: Record<string, unknown>;

  organizationId!: string;
  studyId!: string | null;
  actorId!: string | null;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true })
export class ActivityConnection extends Connection('Activity', Activity) {}

/** One entry as an edge: its cursor resumes a subscription (`after`) or pages the connection. */
export const ActivityEdge = ActivityConnection.Edge;
export type ActivityEdge = InstanceType<typeof ActivityEdge>;
