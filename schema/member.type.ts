import { Node } from './node.type';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { pairNodeId } from '../src/domain/node-ids';
import { CachePrivate, CACHE_SECONDS } from './cache-control';
import { Connection } from './connection.type';
import { OrganizationRole } from './enums';

@CachePrivate(CACHE_SECONDS.membership)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: "A user's membership of an organization.",
})
export class Member {
  @Field(() => ID, { description: 'Opaque and stable: the membership (organization, user), not the user’s id.' })
  get id(): string {
    return pairNodeId('Member', this.organizationId, this.userId);
  }

  @Field(() => OrganizationRole, { description: 'What the member may do in the organization (changeMemberRole).' })
  role!: OrganizationRole;

  @Field(() => GraphQLISODateTime, { description: 'When they joined: were added, or accepted an invitation.' })
  joinedAt!: Date;

  organizationId!: string;
  userId!: string;
  invitedById!: string | null;
}

export const MemberConnection = Connection('Member', Member);
