import { Node } from './node.type';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { CachePrivate, CACHE_SECONDS } from './cache-control';
import { Connection } from './connection.type';
import { OrganizationPlan } from './enums';

@CachePrivate(CACHE_SECONDS.membership)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'An organization that runs studies. Visible to its members only.',
})
export class Organization {
  @Field(() => ID, { description: "The organization's UUID." })
  id!: string;

  @Field(() => String, {
    description:
      'Unique, URL-friendly name: lower-case letters and digits in hyphen-separated words, at most 64 characters; `organization(slug:)` finds the organization by it.',
  })
  slug!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => OrganizationPlan, {
    description: 'Billing plan; members of an ENTERPRISE organization get three times the rate-limit budget.',
  })
  plan!: OrganizationPlan;

  @Field(() => GraphQLISODateTime, { description: 'When the organization was created.' })
  createdAt!: Date;
}

export const OrganizationConnection = Connection('Organization', Organization);
