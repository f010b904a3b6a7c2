import { loadVisibleStudy, requireOrganizationRole, requireStudyRole, requireViewer } from '../auth/access';
import type { GatewayContext } from '../context/context';
import type { StudyRow, StudyStatus } from '../db/types';
import { canTransition, STUDY_TRANSITIONS } from '../domain/study-lifecycle';
import { badUserInput } from '../graphql/errors';
import { forgetWritten } from './written';

/** A study write changes the study, its lists and totals, the activity log and the figures made from it. */
function studyWritten(ctx: GatewayContext, row: StudyRow): StudyRow {
  forgetWritten(ctx, 'studies');
  ctx.loaders.studyById.prime(row.id, row);
  return row;
}

/** A draft study in an organization the viewer is a member (or more) of; its creator becomes its owner. */
export async function createStudy(
  ctx: GatewayContext,
  input: { organizationId: string; title: string; description: string | null },
): Promise<StudyRow> {
  requireOrganizationRole(ctx, input.organizationId, 'member', 'create studies');
  const row = await ctx.repositories.insertStudy({ ...input, actorId: requireViewer(ctx).id });
  ctx.loaders.forget('collaborators');
  return studyWritten(ctx, row);
}

/** Title and/or description, by the study's owners and editors (and organization admins). */
export async function updateStudy(
  ctx: GatewayContext,
  input: { id: string; title?: string; description?: string | null },
): Promise<StudyRow> {
  const study = await loadVisibleStudy(ctx, input.id, 'input.id');
  await requireStudyRole(ctx, study, ['owner', 'editor'], 'edit this study');
  if (input.title === undefined && input.description === undefined)
    throw badUserInput('Nothing to change: pass `title` and/or `description`.', 'input');
  return studyWritten(
    ctx,
    await ctx.repositories.updateStudyFields({ ...input, id: study.id, actorId: requireViewer(ctx).id }),
  );
}

/** A step of the study lifecycle; approving takes a study owner or reviewer (or an organization admin). */
export async function changeStudyStatus(
  ctx: GatewayContext,
  input: { id: string; status: StudyStatus },
): Promise<StudyRow> {
  const study = await loadVisibleStudy(ctx, input.id, 'input.id');
  const approving = input.status === 'approved';
  await requireStudyRole(
    ctx,
    study,
    approving ? ['owner', 'reviewer'] : ['owner', 'editor'],
    approving ? 'approve this study' : 'change its status',
  );
  if (!canTransition(study.status, input.status)) {
    const allowed = STUDY_TRANSITIONS[study.status].map((s) => s.toUpperCase()).join(', ');
    throw badUserInput(
      `A ${study.status.toUpperCase()} study cannot become ${input.status.toUpperCase()}; allowed: ${allowed}.`,
      'input.status',
    );
  }
  return studyWritten(
    ctx,
    await ctx.repositories.updateStudyStatus({
      id: study.id,
      from: study.status,
      to: input.status,
      actorId: requireViewer(ctx).id,
    }),
  );
}
