import { Node } from './node.type';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { CachePrivate, CACHE_SECONDS } from './cache-control';
import { Connection } from './connection.type';
import { MAX_COMMENT_LENGTH } from './input-limits';

@CachePrivate(CACHE_SECONDS.study)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'A comment on a study.',
})
export class Comment {
  @Field(() => ID, { description: "The comment's UUID." })
  id!: string;

  @Field(() => String, {
    description: `The text as written, without surrounding blanks; at most ${MAX_COMMENT_LENGTH} characters.`,
  })
  body!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it was written.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it was marked resolved; null while open.' })
  resolvedAt!: Date | null;

  studyId!: string;
  authorId!: string;
  resolvedById!: string | null;
}

export const CommentConnection = Connection('Comment', Comment);
