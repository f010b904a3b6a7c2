import { ArrayMaxSize, ArrayMinSize, IsIn, Max, Min } from 'class-validator';
import { Field, GraphQLISODateTime, InputType, Int, ObjectType } from 'type-graphql';
import { MAX_REQUIRED_APPROVALS } from '../src/domain/approval-policy';
import { CachePrivate, CACHE_SECONDS } from './cache-control';
import { OrganizationRole } from './enums';
import { UuidField } from './uuid-field';

@CachePrivate(CACHE_SECONDS.membership)
@ObjectType({
  simpleResolvers: true,
  description:
    'When a study in review is approved: once `requiredApprovals` reviewers of the current review round approved and none rejected, it moves to APPROVED by itself; a rejection moves it back to ACTIVE. Each move is an activity entry with no actor, naming the policy.',
})
export class ApprovalPolicy {
  @Field(() => Int, {
    description: `Distinct reviewers who must approve, 1 to ${MAX_REQUIRED_APPROVALS}; one who also requested an approval of the round does not count.`,
  })
  requiredApprovals!: number;

  @Field(() => [OrganizationRole], {
    description: 'Roles whose members may be asked to review (never VIEWER); others cannot be asked.',
  })
  reviewerRoles!: OrganizationRole[];

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When an admin last set it; null while the organization has the default (1 approval, any member).',
  })
  updatedAt!: Date | null;
}

@InputType({ description: 'An organization’s approval policy, set by its admins and owners.' })
export class SetApprovalPolicyInput {
  @UuidField({ description: 'The organization whose policy this is.' })
  organizationId!: string;

  @Field(() => Int, { description: `Distinct approvals a study in review needs, 1 to ${MAX_REQUIRED_APPROVALS}.` })
  @Min(1)
  @Max(MAX_REQUIRED_APPROVALS)
  requiredApprovals!: number;

  @Field(() => [OrganizationRole], { description: 'Roles that may be asked to review: OWNER, ADMIN and/or MEMBER.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @IsIn([OrganizationRole.OWNER, OrganizationRole.ADMIN, OrganizationRole.MEMBER], {
    each: true,
    message: 'reviewerRoles may name OWNER, ADMIN and MEMBER only (viewers never review)',
  })
  reviewerRoles!: OrganizationRole[];
}
