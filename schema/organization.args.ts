import { ArgsType, Field, ID } from 'type-graphql';
import { OrganizationRole } from './enums';
import { PageArgs } from './pagination.args';

@ArgsType()
export class OrganizationLookupArgs {
  @Field(() => ID, { nullable: true })
  id?: string | null;

  @Field(() => String, { nullable: true })
  slug?: string | null;
}

@ArgsType()
export class MemberPageArgs extends PageArgs {
  @Field(() => OrganizationRole, { nullable: true, description: 'Only members with this role.' })
  role?: OrganizationRole | null;
}
