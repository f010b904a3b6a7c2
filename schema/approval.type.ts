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
  @Field(() => ID, { description: "The approval's UUID; decideApproval takes it." })
  id!: string;

  @Field(() => ApprovalStatus, { description: 'PENDING until the reviewer decides, then APPROVED or REJECTED.' })
  status!: ApprovalStatus;

  @Field(() => GraphQLISODateTime, { description: 'When it was requested.' })
  requestedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the reviewer decided; null while PENDING.' })
  decidedAt!: Date | null;

  studyId!: string;
  requestedById!: string;
  reviewerId!: string;
}
