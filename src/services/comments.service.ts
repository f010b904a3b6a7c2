import { loadVisibleStudy, requireMember, requireStudyRole, requireViewer, viewerStudyRole } from '../auth/access';
import type { GatewayContext } from '../context/context';
import type { CommentRow } from '../db/types';
import { roleAtLeast } from '../domain/roles';
import { forbidden, notFound } from '../graphql/errors';
import { forgetWritten } from './written';

/** A comment changes its study's comment pages and counts, the activity log and the figures made from it. */
function commentWritten(ctx: GatewayContext, row: CommentRow): CommentRow {
  forgetWritten(ctx, 'comments');
  ctx.loaders.commentById.prime(row.id, row);
  return row;
}

/** Organization members and above comment on any study they see; organization viewers only as its collaborators (not as viewers). */
export async function addComment(ctx: GatewayContext, input: { studyId: string; body: string }): Promise<CommentRow> {
  const study = await loadVisibleStudy(ctx, input.studyId, 'input.studyId');
  const organizationRole = requireMember(ctx, study.organization_id);
  const studyRole = await viewerStudyRole(ctx, study);
  if (!roleAtLeast(organizationRole, 'member') && (studyRole === null || studyRole === 'viewer')) {
    throw forbidden('Organization viewers can comment only on studies they collaborate on.');
  }
  return commentWritten(
    ctx,
    await ctx.repositories.insertComment({ study, body: input.body, actorId: requireViewer(ctx).id }),
  );
}

/** By its author, the study's owners and editors, or organization admins. */
export async function resolveComment(ctx: GatewayContext, input: { commentId: string }): Promise<CommentRow> {
  const viewer = requireViewer(ctx);
  const comment = await ctx.loaders.commentById.load(input.commentId);
  if (!comment) throw notFound('Comment', input.commentId);
  const study = await loadVisibleStudy(ctx, comment.study_id).catch(() => {
    throw notFound('Comment', input.commentId);
  });
  if (comment.author_id !== viewer.id)
    await requireStudyRole(ctx, study, ['owner', 'editor'], 'resolve comments of others');
  return commentWritten(ctx, await ctx.repositories.markCommentResolved({ comment, study, actorId: viewer.id }));
}
