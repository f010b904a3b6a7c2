import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { CollaborationWrite } from '../schema/collaboration-write';
import { AddCollaboratorInput, RemoveCollaboratorInput } from '../schema/collaboration.input';
import { Collaborator } from '../schema/collaborator.type';
import { Study } from '../schema/study.type';
import { User } from '../schema/user.type';
import { parseUuid } from '../src/auth/access';
import { addCollaborator, removeCollaborator } from '../src/services/collaboration.service';
import type { GatewayContext } from '../src/context/context';
import { toCollaborator, toStudy } from './mappers';
import { optionalRelatedUser } from './relations';

@Resolver(() => Collaborator)
export class CollaboratorResolver {
  @FieldResolver(() => User, {
    nullable: true,
    description: 'Who added them; null when unknown or once that account is gone.',
  })
  addedBy(@Root() collaborator: Collaborator, @Ctx() ctx: GatewayContext): User | null | Promise<User | null> {
    return optionalRelatedUser(ctx, collaborator.addedById);
  }

  @CollaborationWrite(
    () => Collaborator,
    'Adds a member of the study’s organization to the study. Study owners, organization admins.',
  )
  async addCollaborator(
    @Arg('input', { description: 'The study, the user, and their role and permissions.' }) input: AddCollaboratorInput,
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

  @CollaborationWrite(
    () => Study,
    'Removes a collaborator and returns the study. Study owners, organization admins; a study keeps one owner.',
  )
  async removeCollaborator(
    @Arg('input', { description: 'The study and the collaborating user.' }) input: RemoveCollaboratorInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Study> {
    return toStudy(
      await removeCollaborator(ctx, { studyId: input.studyId, userId: parseUuid(input.userId, 'input.userId') }),
    );
  }
}
