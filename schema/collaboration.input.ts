import { ArrayMaxSize, IsOptional, Matches, MaxLength, MinLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { ApprovalDecision, CollaboratorRole } from './enums';
import { MAX_COMMENT_LENGTH, PERMISSION_PATTERN, UUID_PATTERN } from './validation';

const uuid = { message: '$property must be a UUID' };

@InputType()
export class AddCollaboratorInput {
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  studyId!: string;

  @Field(() => ID, { description: 'A member of the study’s organization.' })
  @Matches(UUID_PATTERN, uuid)
  userId!: string;

  @Field(() => CollaboratorRole)
  role!: CollaboratorRole;

  @Field(() => [String], { nullable: true, description: 'Fine-grained permissions such as `data:export`.' })
  @IsOptional()
  @ArrayMaxSize(20)
  @Matches(PERMISSION_PATTERN, { each: true, message: 'each permission must look like `area:action`' })
  permissions?: string[] | null;
}

@InputType()
export class RemoveCollaboratorInput {
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  studyId!: string;

  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  userId!: string;
}

@InputType()
export class AddCommentInput {
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  studyId!: string;

  @Field(() => String)
  @MinLength(1)
  @MaxLength(MAX_COMMENT_LENGTH)
  body!: string;
}

@InputType()
export class ResolveCommentInput {
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  commentId!: string;
}

@InputType()
export class RequestApprovalInput {
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  studyId!: string;

  @Field(() => ID, { description: 'A member of the study’s organization; not the requester.' })
  @Matches(UUID_PATTERN, uuid)
  reviewerId!: string;
}

@InputType()
export class DecideApprovalInput {
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  approvalId!: string;

  @Field(() => ApprovalDecision)
  decision!: ApprovalDecision;
}
