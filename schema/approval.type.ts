import { Node } from './node.type';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { CachePrivate, CACHE_SECONDS } from './cache-control';
import { ApprovalStatus } from './enums';

@CachePrivate(CACHE_SECONDS.study)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'A request for a reviewer to approve a study.',
})
export class Approval {
  @Field(() => ID)
  id!: string;

  @Field(() => ApprovalStatus)
  status!: ApprovalStatus;

  @Field(() => GraphQLISODateTime)
  requestedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  decidedAt!: Date | null;

  studyId!: string;
  requestedById!: string;
  reviewerId!: string;
}
