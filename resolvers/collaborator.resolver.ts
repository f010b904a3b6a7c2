import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { CollaboratorRole } from '../schema/enums';
import { CollaborationWriteLimit } from '../schema/cost-directives';
import { AddCollaboratorInput, RemoveCollaboratorInput } from '../schema/collaboration.input';
import { Collaborator } from '../schema/collaborator.type';
import { Study } from '../schema/study.type';
import { User } from '../schema/user.type';
import { loadVisibleStudy, parseUuid, requireStudyRole } from '../src/auth/access';
import { roleAtLeast } from '../src/domain/roles';
import type { GatewayContext, Viewer } from '../src/context/context';
import { badUserInput } from '../src/graphql/errors';
import { membershipKey } from '../loaders/membership.loader';
import { toCollaborator, toStudy } from './mappers';
import { optionalRelatedUser } from './relations';
import { CurrentViewer } from '../schema/current-viewer';

@Resolver(() => Collaborator)
export class CollaboratorResolver {
  @FieldResolver(() => User, { nullable: true })
  addedBy(@Root() collaborator: Collaborator, @Ctx() ctx: GatewayContext): User | null | Promise<User | null> {
    return optionalRelatedUser(ctx, collaborator.addedById);
  }

  @CollaborationWriteLimit()
  @Mutation(() => Collaborator, { description: 'Adds a member of the study’s organization to the study. Study owners, organization admins.' })
  async addCollaborator(
    @Arg('input', () => AddCollaboratorInput) input: AddCollaboratorInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Collaborator> {
    const study = await loadVisibleStudy(ctx, input.studyId, 'input.studyId');
    await requireStudyRole(ctx, study, ['owner'], 'add collaborators');
    const userId = parseUuid(input.userId, 'input.userId');
    // The user too, before the write: the answer carries it, and nothing is read after the commit.
    const [membership, user] = await Promise.all([
      ctx.loaders.membership.load(membershipKey(study.organization_id, userId)),
      ctx.loaders.userById.load(userId),
    ]);
    if (!membership || !user) throw badUserInput('Collaborators must be members of the study’s organization.', 'input.userId');
    if (input.role !== CollaboratorRole.VIEWER && !roleAtLeast(membership.role, 'member')) {
      throw badUserInput('An organization viewer can only be a study VIEWER.', 'input.role');
    }
    const row = await ctx.repositories.insertCollaborator({
      study,
      userId,
      role: input.role,
      permissions: [...new Set(input.permissions ?? [])],
      actorId: viewer.id,
    });
    ctx.loaders.collaboratorsChanged(study.id);
    return toCollaborator({ ...row, user });
  }

  @CollaborationWriteLimit()
  @Mutation(() => Study, { description: 'Removes a collaborator and returns the study. Study owners, organization admins; a study keeps one owner.' })
  async removeCollaborator(
    @Arg('input', () => RemoveCollaboratorInput) input: RemoveCollaboratorInput,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Study> {
    const study = await loadVisibleStudy(ctx, input.studyId, 'input.studyId');
    await requireStudyRole(ctx, study, ['owner'], 'remove collaborators');
    await ctx.repositories.deleteCollaborator({ study, userId: parseUuid(input.userId, 'input.userId'), actorId: viewer.id });
    ctx.loaders.collaboratorsChanged(study.id);
    return toStudy(study);
  }
}
