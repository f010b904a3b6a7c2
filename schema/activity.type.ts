import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { Connection } from './connection.type';
import { ActivityType } from './enums';

@ObjectType({ description: 'One entry of the collaboration log, written with every change.' })
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

@ObjectType()
export class ActivityConnection extends Connection('Activity', Activity) {}
