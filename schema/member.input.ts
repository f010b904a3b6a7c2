import { IsEmail, IsOptional, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { OrganizationRole } from './enums';
import { UuidField } from './uuid-field';

@InputType({ description: 'Adds an existing user, named by id or by email, to an organization.' })
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
