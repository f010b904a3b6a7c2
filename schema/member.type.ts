import { Node } from './node.type';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { pairNodeId } from '../src/domain/node-ids';
import { Cost } from './cost-directives';
import { CacheInherit, CachePrivate, CACHE_SECONDS } from './cache-control';
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

  @Field(() => OrganizationRole)
  role!: OrganizationRole;

  @Field(() => GraphQLISODateTime)
  joinedAt!: Date;

  organizationId!: string;
  userId!: string;
  invitedById!: string | null;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true })
export class MemberConnection extends Connection('Member', Member) {}
