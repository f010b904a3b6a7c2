import { ArgsType, Field, ID } from 'type-graphql';
import { OrganizationRole } from './enums';
import { PageArgs } from './pagination.args';

@ArgsType()
export class OrganizationLookupArgs {
  @Field(() => ID, { nullable: true, description: "The organization's id; pass this or `slug`, not both." })
  id?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The organization's slug, in any case; pass this or `id`, not both.",
  })
  slug?: string | null;
}

@ArgsType()
export class MemberPageArgs extends PageArgs {
  @Field(() => OrganizationRole, { nullable: true, description: 'Only members with this role.' })
  role?: OrganizationRole | null;
}
