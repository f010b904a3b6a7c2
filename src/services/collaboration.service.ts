import { loadVisibleStudy, requireStudyRole, requireViewer } from '../auth/access';
import type { GatewayContext } from '../context/context';
import type { CollaboratorRole, CollaboratorRow, StudyRow } from '../db/types';
import { roleAtLeast } from '../domain/roles';
import { badUserInput } from '../graphql/errors';
import { membershipKey } from '../../loaders/membership.loader';
import { forgetWritten } from './written';

/** A study's collaborators are read again after a change (their lists, wherever a statement folded them in). */
function collaboratorsWritten(ctx: GatewayContext): void {
  forgetWritten(ctx, 'collaborators');
}

/**
 * Adds a member of the study's organization to the study, by its owners (and organization admins); an
 * organization viewer can only be a study viewer. Returns the collaborator; its user, read before the write, stays
 * in userById for the response.
 */
export async function addCollaborator(
  ctx: GatewayContext,
  input: { studyId: string; userId: string; role: CollaboratorRole; permissions: string[] },
): Promise<CollaboratorRow> {
  const study = await loadVisibleStudy(ctx, input.studyId, 'input.studyId');
  await requireStudyRole(ctx, study, ['owner'], 'add collaborators');
  const [membership, user] = await Promise.all([
    ctx.loaders.membership.load(membershipKey(study.organization_id, input.userId)),
    ctx.loaders.userById.load(input.userId),
  ]);
  if (!membership || !user)
    throw badUserInput('Collaborators must be members of the study’s organization.', 'input.userId');
  if (input.role !== 'viewer' && !roleAtLeast(membership.role, 'member'))
    throw badUserInput('An organization viewer can only be a study VIEWER.', 'input.role');
  const row = await ctx.repositories.insertCollaborator({
    study,
    userId: input.userId,
    role: input.role,
    permissions: [...new Set(input.permissions)],
    actorId: requireViewer(ctx).id,
  });
  collaboratorsWritten(ctx);
  return row;
}

/** Removes a collaborator, by the study's owners (and organization admins); a study keeps one owner. */
export async function removeCollaborator(
  ctx: GatewayContext,
  input: { studyId: string; userId: string },
): Promise<StudyRow> {
  const study = await loadVisibleStudy(ctx, input.studyId, 'input.studyId');
  await requireStudyRole(ctx, study, ['owner'], 'remove collaborators');
  await ctx.repositories.deleteCollaborator({ study, userId: input.userId, actorId: requireViewer(ctx).id });
  collaboratorsWritten(ctx);
  return study;
}
