import { Node } from './node.type';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { pairNodeId } from '../src/domain/node-ids';
import { CachePrivate, CACHE_SECONDS } from './cache-control';
import { CollaboratorRole } from './enums';

@CachePrivate(CACHE_SECONDS.membership)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'A user working on a study, with their role and permissions on it.',
})
export class Collaborator {
  @Field(() => ID, { description: 'Opaque and stable: the collaboration (study, user), not the user’s id.' })
  get id(): string {
    return pairNodeId('Collaborator', this.studyId, this.userId);
  }

  @Field(() => CollaboratorRole, { description: 'What they may do on this study.' })
  role!: CollaboratorRole;

  @Field(() => [String], {
    description: 'Fine-grained permissions given when added, such as `data:export` (`area:action`); empty when none.',
  })
  permissions!: string[];

  @Field(() => GraphQLISODateTime, { description: 'When they were added to the study.' })
  addedAt!: Date;

  studyId!: string;
  userId!: string;
  addedById!: string | null;
}
