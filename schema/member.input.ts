import { IsEmail, IsOptional, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { OrganizationRole } from './enums';
import { UuidField } from './uuid-field';

@InputType({
  description:
    'Adds a user you already share an organization with, named by id or by email, to an organization. Anyone else is invited by email (InviteMemberInput).',
})
export class AddMemberInput {
  @UuidField({ description: 'The organization to add them to; the viewer must be an admin or owner of it.' })
  organizationId!: string;

  @UuidField({ nullable: true, description: 'The user to add, by id; pass this or `email`, not both.' })
  userId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The user to add, by email address (any case); pass this or `userId`, not both.',
  })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string | null;

  @Field(() => OrganizationRole, {
    defaultValue: OrganizationRole.MEMBER,
    description: 'Their role in the organization; only owners give OWNER.',
  })
  role!: OrganizationRole;
}

@InputType({ description: "A member's new role in an organization." })
export class ChangeMemberRoleInput {
  @UuidField({ description: 'The organization; the viewer must be an admin or owner of it.' })
  organizationId!: string;

  @UuidField({ description: 'The member, by user id (not the Member id).' })
  userId!: string;

  @Field(() => OrganizationRole, {
    description: 'The new role; only owners grant or take OWNER, and the last owner keeps it.',
  })
  role!: OrganizationRole;
}

@InputType({
  description:
    'Invites an email address to an organization; the person joins when they accept, signed in with that address.',
})
export class InviteMemberInput {
  @UuidField({ description: 'The inviting organization; the viewer must be an admin or owner of it.' })
  organizationId!: string;

  @Field(() => String, {
    description: "The invitee's email address (any case, at most 320 characters); not a member's already.",
  })
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @Field(() => OrganizationRole, {
    defaultValue: OrganizationRole.MEMBER,
    description: 'The role they get on accepting; only owners invite owners.',
  })
  role!: OrganizationRole;
}

@InputType({ description: 'The invitation to accept.' })
export class AcceptInvitationInput {
  @UuidField({ description: 'An open invitation addressed to the viewer’s email address (the `invitations` query).' })
  invitationId!: string;
}

@InputType({ description: 'The invitation to decline.' })
export class DeclineInvitationInput {
  @UuidField({ description: 'An open invitation addressed to the viewer’s email address (the `invitations` query).' })
  invitationId!: string;
}
