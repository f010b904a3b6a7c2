import { Arg, Ctx, Resolver } from 'type-graphql';
import { CollaborationWrite } from '../schema/collaboration-write';
import { Study } from '../schema/study.type';
import { ChangeStudyStatusInput, CreateStudyInput, UpdateStudyInput } from '../schema/study.input';
import { parseUuid } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import { badUserInput } from '../src/graphql/errors';
import { changeStudyStatus, createStudy, updateStudy } from '../src/services/studies.service';
import { toStudy } from './mappers';

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

@Resolver(() => Study)
export class StudyMutationResolver {
  @CollaborationWrite(
    () => Study,
    'Creates a draft study; its creator becomes its owner. Organization members and above.',
  )
  async createStudy(
    @Arg('input', { description: 'The organization, title and description.' }) input: CreateStudyInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Study> {
    const row = await createStudy(ctx, {
      organizationId: parseUuid(input.organizationId, 'input.organizationId'),
      title: requiredText(input.title, 'input.title'),
      description: optionalText(input.description) ?? null,
    });
    return toStudy(row);
  }

  @CollaborationWrite(() => Study, 'Changes title and/or description. Study owners and editors, organization admins.')
  async updateStudy(
    @Arg('input', { description: 'The study and the fields to change.' }) input: UpdateStudyInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Study> {
    const row = await updateStudy(ctx, {
      id: input.id,
      ...(input.title != null ? { title: requiredText(input.title, 'input.title') } : {}),
      ...(input.description !== undefined ? { description: optionalText(input.description) } : {}),
    });
    return toStudy(row);
  }

  @CollaborationWrite(
    () => Study,
    'Moves a study through its lifecycle (DRAFT → ACTIVE → IN_REVIEW → APPROVED → COMPLETED, review back to ACTIVE, ARCHIVED and back). Approving takes a study owner or reviewer, or an organization admin.',
  )
  async changeStudyStatus(
    @Arg('input', { description: 'The study and its new status.' }) input: ChangeStudyStatusInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Study> {
    return toStudy(await changeStudyStatus(ctx, { id: input.id, status: input.status }));
  }
}
