import { Node } from './node.type';
import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { CachePrivate, CACHE_SECONDS } from './cache-control';
import { Connection } from './connection.type';
import { StudyStatus } from './enums';
import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH } from './input-limits';

@CachePrivate(CACHE_SECONDS.study)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'A research study run by an organization.',
})
export class Study {
  @Field(() => ID, { description: "The study's UUID." })
  id!: string;

  @Field(() => String, { description: `The study's title, 1 to ${MAX_TITLE_LENGTH} characters.` })
  title!: string;

  @Field(() => String, {
    nullable: true,
    description: `Free text about the study, at most ${MAX_DESCRIPTION_LENGTH} characters; null when it has none.`,
  })
  description!: string | null;

  @Field(() => StudyStatus, { description: 'Where the study is in its lifecycle (changeStudyStatus moves it).' })
  status!: StudyStatus;

  @Field(() => GraphQLISODateTime, { description: 'When the study was created.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, {
    description: 'When the study itself (title, description or status) last changed.',
  })
  updatedAt!: Date;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When it last became COMPLETED (kept if it is archived later); null if it never was.',
  })
  completedAt!: Date | null;

  organizationId!: string;
  createdById!: string;
}

export const StudyConnection = Connection('Study', Study);

@CachePrivate(CACHE_SECONDS.study)
@ObjectType({ simpleResolvers: true, description: 'Comment figures of one study.' })
export class CommentStats {
  @Field(() => Int, { description: 'All comments on the study, open and resolved.' })
  total!: number;

  @Field(() => Int, { description: 'Comments marked resolved.' })
  resolved!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Mean hours from creation to resolution; null when none is resolved.',
  })
  averageResolutionHours!: number | null;
}
