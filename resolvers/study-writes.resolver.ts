import { Resolver } from 'type-graphql';
import { CollaborationWrite } from '../schema/collaboration-write';
import { Study } from '../schema/study.type';
import { ChangeStudyStatusInput, CreateStudyInput, UpdateStudyInput } from '../schema/study.input';
import { parseUuid } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import { badUserInput } from '../src/graphql/errors';
import { changeStudyStatus, createStudy, updateStudy } from '../src/services/studies.service';
import { toApproval, toCollaborator, toComment, toStudy } from './mappers';
import {
  AddCollaboratorInput,
  AddCommentInput,
  DecideApprovalInput,
  RemoveCollaboratorInput,
  RequestApprovalInput,
  ResolveCommentInput,
} from '../schema/collaboration.input';
import { Collaborator } from '../schema/collaborator.type';
import { addCollaborator, removeCollaborator } from '../src/services/collaboration.service';
import { Comment } from '../schema/comment.type';
import { addComment, resolveComment } from '../src/services/comments.service';
import { Approval } from '../schema/approval.type';
import { decideApproval, requestApproval } from '../src/services/approvals.service';

function requiredText(value: string, argument: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badUserInput(`\`${argument}\` must not be blank.`, argument);
  return trimmed;
}

function optionalText(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed.length === 0 ? null : trimmed;
}

/** Every write on a study and its parts (collaborators, comments, approvals), each through its service. */
@Resolver()
export class StudyWritesResolver {
  @CollaborationWrite(() => Study, {
    description: 'Creates a draft study; its creator becomes its owner. Organization members and above.',
    inputDescription: 'The organization, title and description.',
  })
  async createStudy(input: CreateStudyInput, ctx: GatewayContext): Promise<Study> {
    const row = await createStudy(ctx, {
      organizationId: parseUuid(input.organizationId, 'input.organizationId'),
      title: requiredText(input.title, 'input.title'),
      description: optionalText(input.description) ?? null,
    });
    return toStudy(row);
  }

  @CollaborationWrite(() => Study, {
    description: 'Changes title and/or description. Study owners and editors, organization admins.',
    inputDescription: 'The study and the fields to change.',
  })
  async updateStudy(input: UpdateStudyInput, ctx: GatewayContext): Promise<Study> {
    const row = await updateStudy(ctx, {
      id: input.id,
      ...(input.title != null ? { title: requiredText(input.title, 'input.title') } : {}),
      ...(input.description !== undefined ? { description: optionalText(input.description) } : {}),
    });
    return toStudy(row);
  }

  @CollaborationWrite(() => Study, {
    description:
      'Moves a study through its lifecycle (DRAFT → ACTIVE → IN_REVIEW → APPROVED → COMPLETED, review back to ACTIVE, ARCHIVED and back). Approving takes a study owner or reviewer, or an organization admin.',
    inputDescription: 'The study and its new status.',
  })
  async changeStudyStatus(input: ChangeStudyStatusInput, ctx: GatewayContext): Promise<Study> {
    return toStudy(await changeStudyStatus(ctx, { id: input.id, status: input.status }));
  }

  @CollaborationWrite(() => Collaborator, {
    description: 'Adds a member of the study’s organization to the study. Study owners, organization admins.',
    inputDescription: 'The study, the user, and their role and permissions.',
  })
  async addCollaborator(input: AddCollaboratorInput, ctx: GatewayContext): Promise<Collaborator> {
    const row = await addCollaborator(ctx, {
      studyId: input.studyId,
      userId: parseUuid(input.userId, 'input.userId'),
      role: input.role,
      permissions: input.permissions ?? [],
    });
    return toCollaborator(row);
  }

  @CollaborationWrite(() => Study, {
    description:
      'Removes a collaborator and returns the study. Study owners, organization admins; a study keeps one owner.',
    inputDescription: 'The study and the collaborating user.',
  })
  async removeCollaborator(input: RemoveCollaboratorInput, ctx: GatewayContext): Promise<Study> {
    return toStudy(
      await removeCollaborator(ctx, { studyId: input.studyId, userId: parseUuid(input.userId, 'input.userId') }),
    );
  }

  @CollaborationWrite(() => Comment, {
    description: 'Comments on a study. Organization members and above, and study collaborators other than viewers.',
    inputDescription: 'The study and the text.',
  })
  async addComment(input: AddCommentInput, ctx: GatewayContext): Promise<Comment> {
    const body = input.body.trim();
    if (body.length === 0) throw badUserInput('`input.body` must not be blank.', 'input.body');
    return toComment(await addComment(ctx, { studyId: input.studyId, body }));
  }

  @CollaborationWrite(() => Comment, {
    description: 'Marks a comment resolved. Its author, study owners and editors, organization admins.',
    inputDescription: 'The comment to resolve.',
  })
  async resolveComment(input: ResolveCommentInput, ctx: GatewayContext): Promise<Comment> {
    return toComment(await resolveComment(ctx, { commentId: parseUuid(input.commentId, 'input.commentId') }));
  }

  @CollaborationWrite(() => Approval, {
    description: 'Asks an organization member to approve a study. Study owners and editors, organization admins.',
    inputDescription: 'The study and the reviewer.',
  })
  async requestApproval(input: RequestApprovalInput, ctx: GatewayContext): Promise<Approval> {
    return toApproval(
      await requestApproval(ctx, {
        studyId: input.studyId,
        reviewerId: parseUuid(input.reviewerId, 'input.reviewerId'),
      }),
    );
  }

  @CollaborationWrite(() => Approval, {
    description:
      'Approves or rejects a pending request. Only its reviewer, while a member (not a viewer) of the organization.',
    inputDescription: 'The approval and the decision.',
  })
  async decideApproval(input: DecideApprovalInput, ctx: GatewayContext): Promise<Approval> {
    return toApproval(
      await decideApproval(ctx, {
        approvalId: parseUuid(input.approvalId, 'input.approvalId'),
        decision: input.decision,
      }),
    );
  }
}
