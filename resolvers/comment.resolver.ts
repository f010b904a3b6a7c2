import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { CollaborationWrite } from '../schema/collaboration-write';
import { AddCommentInput, ResolveCommentInput } from '../schema/collaboration.input';
import { Comment } from '../schema/comment.type';
import { User } from '../schema/user.type';
import { parseUuid } from '../src/auth/access';
import { addComment, resolveComment } from '../src/services/comments.service';
import type { GatewayContext } from '../src/context/context';
import { badUserInput } from '../src/graphql/errors';
import { toComment } from './mappers';
import { optionalRelatedUser, relatedUser } from './relations';

@Resolver(() => Comment)
export class CommentResolver {
  @FieldResolver(() => User, { description: 'Who wrote it.' })
  author(@Root() comment: Comment, @Ctx() ctx: GatewayContext): User | Promise<User> {
    return relatedUser(ctx, comment.authorId);
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: 'Who marked it resolved; null while open, or once that account is gone.',
  })
  resolvedBy(@Root() comment: Comment, @Ctx() ctx: GatewayContext): User | null | Promise<User | null> {
    return optionalRelatedUser(ctx, comment.resolvedById);
  }

  @CollaborationWrite(
    () => Comment,
    'Comments on a study. Organization members and above, and study collaborators other than viewers.',
  )
  async addComment(
    @Arg('input', { description: 'The study and the text.' }) input: AddCommentInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Comment> {
    const body = input.body.trim();
    if (body.length === 0) throw badUserInput('`input.body` must not be blank.', 'input.body');
    return toComment(await addComment(ctx, { studyId: input.studyId, body }));
  }

  @CollaborationWrite(
    () => Comment,
    'Marks a comment resolved. Its author, study owners and editors, organization admins.',
  )
  async resolveComment(
    @Arg('input', { description: 'The comment to resolve.' }) input: ResolveCommentInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Comment> {
    return toComment(await resolveComment(ctx, { commentId: parseUuid(input.commentId, 'input.commentId') }));
  }
}
