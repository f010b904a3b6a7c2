import { IsEmail, IsOptional, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { OrganizationRole } from './enums';
import { UUID_PATTERN } from './validation';

const uuid = { message: '$property must be a UUID' };

@InputType({ description: 'Adds an existing user, named by id or by email, to an organization.' })
export class AddMemberInput {
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  organizationId!: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @Matches(UUID_PATTERN, uuid)
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
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  organizationId!: string;

  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  userId!: string;

  @Field(() => OrganizationRole)
  role!: OrganizationRole;
}
