import { ArrayMaxSize, IsOptional, Matches, MaxLength, MinLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { ApprovalDecision, CollaboratorRole } from './enums';
import { MAX_COMMENT_LENGTH, PERMISSION_PATTERN } from './input-limits';
import { UuidField } from './uuid-field';

@InputType({ description: 'Who joins which study, with which role and permissions.' })
export class AddCollaboratorInput {
  @UuidField({ description: 'The study to add them to.' })
  studyId!: string;

  @UuidField({ description: 'A member of the study’s organization.' })
  userId!: string;

  @Field(() => CollaboratorRole, {
    description: 'Their role on the study; an organization VIEWER can only be a study VIEWER.',
  })
  role!: CollaboratorRole;

  @Field(() => [String], {
    nullable: true,
    description: 'Fine-grained permissions such as `data:export` (`area:action`, at most 20); default: none.',
  })
  @IsOptional()
  @ArrayMaxSize(20)
  @Matches(PERMISSION_PATTERN, { each: true, message: 'each permission must look like `area:action`' })
  permissions?: string[] | null;
}

@InputType({ description: 'Who leaves which study.' })
export class RemoveCollaboratorInput {
  @UuidField({ description: 'The study to remove them from.' })
  studyId!: string;

  @UuidField({ description: 'The collaborating user (their user id, not the Collaborator id).' })
  userId!: string;
}

@InputType({ description: 'A new comment on a study.' })
export class AddCommentInput {
  @UuidField({ description: 'The study to comment on.' })
  studyId!: string;

  @Field(() => String, {
    description: `The text, 1 to ${MAX_COMMENT_LENGTH} characters; surrounding blanks are removed, and a blank text is refused.`,
  })
  @MinLength(1)
  @MaxLength(MAX_COMMENT_LENGTH)
  body!: string;
}

@InputType({ description: 'Which comment to mark resolved.' })
export class ResolveCommentInput {
  @UuidField({ description: 'An open comment; one already resolved is BAD_USER_INPUT.' })
  commentId!: string;
}

@InputType({ description: 'Which study to have approved, and by whom.' })
export class RequestApprovalInput {
  @UuidField({ description: 'The study to approve.' })
  studyId!: string;

  @UuidField({ description: 'A member of the study’s organization; not the requester.' })
  reviewerId!: string;
}

@InputType({ description: "A reviewer's decision on a pending approval." })
export class DecideApprovalInput {
  @UuidField({ description: 'The pending approval, requested of the viewer.' })
  approvalId!: string;

  @Field(() => ApprovalDecision, { description: 'Approve or reject.' })
  decision!: ApprovalDecision;
}
