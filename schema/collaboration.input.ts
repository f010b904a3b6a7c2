import { ArrayMaxSize, IsOptional, Matches, MaxLength, MinLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { ApprovalDecision, CollaboratorRole } from './enums';
import { MAX_COMMENT_LENGTH, PERMISSION_PATTERN } from './input-limits';
import { UuidField } from './uuid-field';

@InputType()
export class AddCollaboratorInput {
  @UuidField()
  studyId!: string;

  @UuidField({ description: 'A member of the study’s organization.' })
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
  @UuidField()
  studyId!: string;

  @UuidField()
  userId!: string;
}

@InputType()
export class AddCommentInput {
  @UuidField()
  studyId!: string;

  @Field(() => String)
  @MinLength(1)
  @MaxLength(MAX_COMMENT_LENGTH)
  body!: string;
}

@InputType()
export class ResolveCommentInput {
  @UuidField()
  commentId!: string;
}

@InputType()
export class RequestApprovalInput {
  @UuidField()
  studyId!: string;

  @UuidField({ description: 'A member of the study’s organization; not the requester.' })
  reviewerId!: string;
}

@InputType()
export class DecideApprovalInput {
  @UuidField()
  approvalId!: string;

  @Field(() => ApprovalDecision)
  decision!: ApprovalDecision;
}
