import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { CollaborationWriteLimit } from '../schema/cost-directives';
import { AddCommentInput, ResolveCommentInput } from '../schema/collaboration.input';
import { Comment } from '../schema/comment.type';
import { User } from '../schema/user.type';
import { parseUuid } from '../src/auth/access';
import { addComment, resolveComment } from '../src/services/comments.service';
import type { GatewayContext, Viewer } from '../src/context/context';
import { badUserInput } from '../src/graphql/errors';
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
  @Mutation(() => Comment, {
    description: 'Comments on a study. Organization members and above, and study collaborators other than viewers.',
  })
  async addComment(
    @Arg('input', () => AddCommentInput) input: AddCommentInput,
    @CurrentViewer() _viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Comment> {
    const body = input.body.trim();
    if (body.length === 0) throw badUserInput('`input.body` must not be blank.', 'input.body');
    return toComment(await addComment(ctx, { studyId: input.studyId, body }));
  }

  @CollaborationWriteLimit()
  @Mutation(() => Comment, {
    description: 'Marks a comment resolved. Its author, study owners and editors, organization admins.',
  })
  async resolveComment(
    @Arg('input', () => ResolveCommentInput) input: ResolveCommentInput,
    @CurrentViewer() _viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Comment> {
    return toComment(await resolveComment(ctx, { commentId: parseUuid(input.commentId, 'input.commentId') }));
  }
}
