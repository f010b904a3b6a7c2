import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { CollaborationWriteLimit } from '../schema/cost-directives';
import { AddCollaboratorInput, RemoveCollaboratorInput } from '../schema/collaboration.input';
import { Collaborator } from '../schema/collaborator.type';
import { Study } from '../schema/study.type';
import { User } from '../schema/user.type';
import { parseUuid } from '../src/auth/access';
import { addCollaborator, removeCollaborator } from '../src/services/collaboration.service';
import type { GatewayContext, Viewer } from '../src/context/context';
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
  @Mutation(() => Collaborator, {
    description: 'Adds a member of the study’s organization to the study. Study owners, organization admins.',
  })
  async addCollaborator(
    @Arg('input', () => AddCollaboratorInput) input: AddCollaboratorInput,
    @CurrentViewer() _viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Collaborator> {
    const row = await addCollaborator(ctx, {
      studyId: input.studyId,
      userId: parseUuid(input.userId, 'input.userId'),
      role: input.role,
      permissions: input.permissions ?? [],
    });
    return toCollaborator(row);
  }

  @CollaborationWriteLimit()
  @Mutation(() => Study, {
    description:
      'Removes a collaborator and returns the study. Study owners, organization admins; a study keeps one owner.',
  })
  async removeCollaborator(
    @Arg('input', () => RemoveCollaboratorInput) input: RemoveCollaboratorInput,
    @CurrentViewer() _viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<Study> {
    return toStudy(
      await removeCollaborator(ctx, { studyId: input.studyId, userId: parseUuid(input.userId, 'input.userId') }),
    );
  }
}
