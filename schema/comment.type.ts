import { Node } from './node.type';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { Cost } from './cost-directives';
import { CacheInherit, CachePrivate, CACHE_SECONDS } from './cache-control';
import { Connection } from './connection.type';

@CachePrivate(CACHE_SECONDS.study)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'A comment on a study.',
})
export class Comment {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  body!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  resolvedAt!: Date | null;

  studyId!: string;
  authorId!: string;
  resolvedById!: string | null;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true })
export class CommentConnection extends Connection('Comment', Comment) {}
