import { Field, GraphQLISODateTime, ObjectType } from 'type-graphql';
import { Cost } from './cost-directives';
import { CacheInherit, CachePrivate, CACHE_SECONDS } from './cache-control';
import { Connection } from './connection.type';
import { OrganizationRole } from './enums';

@CachePrivate(CACHE_SECONDS.membership)
@ObjectType({ simpleResolvers: true, description: "A user's membership of an organization." })
export class Member {
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
