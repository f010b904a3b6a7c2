import { Node } from './node.type';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { CachePrivate, CACHE_SECONDS } from './cache-control';
import { Connection } from './connection.type';
import { ActivityType } from './enums';

@CachePrivate(CACHE_SECONDS.study)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'One entry of the collaboration log, written with every change.',
})
export class Activity {
  @Field(() => ID, {
    description:
      "The entry's number in the log, as a string of digits; within an organization, a later entry has a greater number.",
  })
  id!: string;

  @Field(() => ActivityType, { description: 'What happened; `details` carries the specifics.' })
  type!: ActivityType;

  @Field(() => GraphQLISODateTime, { description: 'When the change was made.' })
  createdAt!: Date;

  @Field(() => GraphQLJSONObject, {
    description:
      'The specifics of the change, by `type` (see ActivityType), such as `{ "from": "active", "to": "in_review" }` for STATUS_CHANGED; roles and statuses in their lower-case stored spelling.',
  })
  details!: Record<string, unknown>;

  organizationId!: string;
  studyId!: string | null;
  actorId!: string | null;
}

export const ActivityConnection = Connection('Activity', Activity);

/** One entry as an edge: its cursor resumes a subscription (`after`) or pages the connection. */
export const ActivityEdge = ActivityConnection.Edge;
export type ActivityEdge = InstanceType<typeof ActivityEdge>;
