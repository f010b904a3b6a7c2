import { IsEmail, IsOptional, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { OrganizationRole } from './enums';
import { UuidField } from './uuid-field';

@InputType({
  description:
    'Adds a user you already share an organization with, named by id or by email, to an organization. Anyone else is invited by email (InviteMemberInput).',
})
export class AddMemberInput {
  @UuidField()
  organizationId!: string;

  @UuidField({ nullable: true })
  userId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string | null;

  @Field(() => OrganizationRole, { defaultValue: OrganizationRole.MEMBER })
  role!: OrganizationRole;
}

@InputType()
export class ChangeMemberRoleInput {
  @UuidField()
  organizationId!: string;

  @UuidField()
  userId!: string;

  @Field(() => OrganizationRole)
  role!: OrganizationRole;
}

@InputType({
  description:
    'Invites an email address to an organization; the person joins when they accept, signed in with that address.',
})
export class InviteMemberInput {
  @UuidField()
  organizationId!: string;

  @Field(() => String)
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @Field(() => OrganizationRole, { defaultValue: OrganizationRole.MEMBER })
  role!: OrganizationRole;
}

@InputType()
export class AcceptInvitationInput {
  @UuidField()
  invitationId!: string;
}

@InputType()
export class DeclineInvitationInput {
  @UuidField()
  invitationId!: string;
}
