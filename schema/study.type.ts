import { Node } from './node.type';
import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { Cost } from './cost-directives';
import { CacheInherit, CachePrivate, CACHE_SECONDS } from './cache-control';
import { Connection } from './connection.type';
import type { Collaborator } from './collaborator.type';
import { StudyStatus } from './enums';

@CachePrivate(CACHE_SECONDS.study)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'A research study run by an organization.',
})
export class Study {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => StudyStatus)
  status!: StudyStatus;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  completedAt!: Date | null;

  organizationId!: string;
  createdById!: string;
  /**
   * Set by a page of studies whose statement brought the collaborators its selection asks for (summaries,
   * see StudyPageParams): `collaborators` answers with them. Never set on a study reached any other way.
   */
  collaboratorsAsSelected?: Collaborator[];
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true })
export class StudyConnection extends Connection('Study', Study) {}

@CachePrivate(CACHE_SECONDS.study)
@ObjectType({ simpleResolvers: true, description: 'Comment figures of one study.' })
export class CommentStats {
  @Field(() => Int)
  total!: number;

  @Field(() => Int)
  resolved!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Mean hours from creation to resolution; null when none is resolved.',
  })
  averageResolutionHours!: number | null;
}
