import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { CollaborationWriteLimit } from '../schema/cost-directives';
import { AddCommentInput, ResolveCommentInput } from '../schema/collaboration.input';
import { Comment } from '../schema/comment.type';
import { User } from '../schema/user.type';
import { loadVisibleStudy, parseUuid, requireMember, requireStudyRole, viewerStudyRole } from '../src/auth/access';
import { roleAtLeast } from '../src/domain/roles';
import type { GatewayContext, Viewer } from '../src/context/context';
import { badUserInput, forbidden, notFound } from '../src/graphql/errors';
import { toComment } from './mappers';
import { optionalRelatedUser, relatedUser } from './relations';
import { CurrentViewer } from '../schema/current-viewer';

@Resolver(() => Comment)
export class CommentResolver {
  @FieldResolver(() => User)
  author(@Root() comment: Comment, @Ctx() ctx: GatewayContext): User | Promise<User> {
    return relatedUser(ctx, comment.authorId);
  }

  @FieldResolver(() => User, { nullable: true })
  resolvedBy(@Root() comment: Comment, @Ctx() ctx: GatewayContext): User | null | Promise<User | null> {
    return optionalRelatedUser(ctx, comment.resolvedById);
  }

  @CollaborationWriteLimit()
  @Mutation(() => Comment, { description: 'Comments on a study. Organization members and above, and study collaborators other than viewers.' })
  async addComment(@Arg('input', () => AddCommentInput) input: AddCommentInput, @CurrentViewer() viewer: Viewer, @Ctx() ctx: GatewayContext): Promise<Comment> {
    const study = await loadVisibleStudy(ctx, input.studyId, 'input.studyId');
    const organizationRole = requireMember(ctx, study.organization_id);
    const studyRole = await viewerStudyRole(ctx, study);
    if (!roleAtLeast(organizationRole, 'member') && (studyRole === null || studyRole === 'viewer')) {
      throw forbidden('Organization viewers can comment only on studies they collaborate on.');
    }
    const body = input.body.trim();
    if (body.length === 0) throw badUserInput('`input.body` must not be blank.', 'input.body');
    const row = await ctx.repositories.insertComment({ study, body, actorId: viewer.id });
    return toComment(row);
  }

  @CollaborationWriteLimit()
  @Mutation(() => Comment, { description: 'Marks a comment resolved. Its author, study owners and editors, organization admins.' })
  async resolveComment(
    @Arg('input', () => ResolveCommentInput) input: ResolveCommentInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Comment> {
    const comment = await ctx.loaders.commentById.load(parseUuid(input.commentId, 'input.commentId'));
    if (!comment) throw notFound('Comment', input.commentId);
    const study = await loadVisibleStudy(ctx, comment.study_id).catch(() => {
      throw notFound('Comment', input.commentId);
    });
    if (comment.author_id !== viewer.id) await requireStudyRole(ctx, study, ['owner', 'editor'], 'resolve comments of others');
    const row = await ctx.repositories.markCommentResolved({ comment, study, actorId: viewer.id });
    ctx.loaders.commentById.clear(row.id).prime(row.id, row);
    return toComment(row);
  }
}
