import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { CollaborationWriteLimit } from '../schema/cost-directives';
import { StudyStatus } from '../schema/enums';
import { Study } from '../schema/study.type';
import { ChangeStudyStatusInput, CreateStudyInput, UpdateStudyInput } from '../schema/study.input';
import { loadVisibleStudy, parseUuid, requireOrganizationRole, requireStudyRole } from '../src/auth/access';
import type { GatewayContext, Viewer } from '../src/context/context';
import type { StudyRow } from '../src/db/types';
import { badUserInput } from '../src/graphql/errors';
import { canTransition, STUDY_TRANSITIONS } from '../src/domain/study-lifecycle';
import { toStudy } from './mappers';
import { CurrentViewer } from '../schema/current-viewer';

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

function changed(ctx: GatewayContext, row: StudyRow): Study {
  ctx.loaders.studyById.clear(row.id).prime(row.id, row);
  return toStudy(row);
}

@Resolver(() => Study)
export class StudyMutationResolver {
  @CollaborationWriteLimit()
  @Mutation(() => Study, { description: 'Creates a draft study; its creator becomes its owner. Organization members and above.' })
  async createStudy(
    @Arg('input', () => CreateStudyInput) input: CreateStudyInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Study> {
    const organizationId = parseUuid(input.organizationId, 'input.organizationId');
    requireOrganizationRole(ctx, organizationId, 'member', 'create studies');
    const row = await ctx.repositories.insertStudy({
      organizationId,
      title: requiredText(input.title, 'input.title'),
      description: optionalText(input.description) ?? null,
      actorId: viewer.id,
    });
    return changed(ctx, row);
  }

  @CollaborationWriteLimit()
  @Mutation(() => Study, { description: 'Changes title and/or description. Study owners and editors, organization admins.' })
  async updateStudy(
    @Arg('input', () => UpdateStudyInput) input: UpdateStudyInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Study> {
    const study = await loadVisibleStudy(ctx, input.id, 'input.id');
    await requireStudyRole(ctx, study, ['owner', 'editor'], 'edit this study');
    if (input.title == null && input.description === undefined) {
      throw badUserInput('Nothing to change: pass `title` and/or `description`.', 'input');
    }
    const row = await ctx.repositories.updateStudyFields({
      id: study.id,
      ...(input.title != null ? { title: requiredText(input.title, 'input.title') } : {}),
      ...(input.description !== undefined ? { description: optionalText(input.description) } : {}),
      actorId: viewer.id,
    });
    return changed(ctx, row);
  }

  @CollaborationWriteLimit()
  @Mutation(() => Study, {
    description:
      'Moves a study through its lifecycle (DRAFT → ACTIVE → IN_REVIEW → APPROVED → COMPLETED, review back to ACTIVE, ARCHIVED and back). Approving takes a study owner or reviewer, or an organization admin.',
  })
  async changeStudyStatus(
    @Arg('input', () => ChangeStudyStatusInput) input: ChangeStudyStatusInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Study> {
    const study = await loadVisibleStudy(ctx, input.id, 'input.id');
    const approving = input.status === StudyStatus.APPROVED;
    await requireStudyRole(ctx, study, approving ? ['owner', 'reviewer'] : ['owner', 'editor'], approving ? 'approve this study' : 'change its status');
    if (!canTransition(study.status, input.status)) {
      const allowed = STUDY_TRANSITIONS[study.status].map((s) => s.toUpperCase()).join(', ');
      throw badUserInput(`A ${study.status.toUpperCase()} study cannot become ${input.status.toUpperCase()}; allowed: ${allowed}.`, 'input.status');
    }
    const row = await ctx.repositories.updateStudyStatus({ id: study.id, from: study.status, to: input.status, actorId: viewer.id });
    return changed(ctx, row);
  }
}
