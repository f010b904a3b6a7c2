import { Node } from './node.type';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { InvitationStatus, OrganizationRole } from './enums';

// No cache hint: an invitation is written by one person and read by another (the invitee), so no
// cached answer of either could be retired when the other acts; these answers are never cached.
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description:
    'An invitation of an email address to join an organization. The person joins by accepting it, signed in with that address.',
})
export class MemberInvitation {
  @Field(() => ID, { description: "The invitation's UUID; acceptInvitation and declineInvitation take it." })
  id!: string;

  @Field(() => String, { description: 'The address invited.' })
  email!: string;

  @Field(() => OrganizationRole, { description: 'The role the invitee gets on accepting.' })
  role!: OrganizationRole;

  @Field(() => InvitationStatus, { description: 'Open, answered or expired.' })
  status!: InvitationStatus;

  @Field(() => ID, { description: 'The inviting organization; readable by the invitee once they accept.' })
  organizationId!: string;

  @Field(() => String, {
    description:
      'The name of the inviting organization (the invitee is not a member yet and cannot read it otherwise).',
  })
  organizationName!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it was sent, or last renewed by inviting the address again.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, {
    description: 'When it stops being open: a week after it was sent or renewed.',
  })
  expiresAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the invitee accepted or declined.' })
  respondedAt!: Date | null;

  invitedById!: string | null;
}
