import { Field, GraphQLISODateTime, ObjectType } from 'type-graphql';
import { Connection } from './connection.type';
import { OrganizationRole } from './enums';

@ObjectType({ description: "A user's membership of an organization." })
export class Member {
  @Field(() => OrganizationRole)
  role!: OrganizationRole;

  @Field(() => GraphQLISODateTime)
  joinedAt!: Date;

  organizationId!: string;
  userId!: string;
  invitedById!: string | null;
}

@ObjectType()
export class MemberConnection extends Connection('Member', Member) {}
