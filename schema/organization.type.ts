import { Node } from './node.type';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { Cost } from './cost-directives';
import { CacheInherit, CachePrivate, CACHE_SECONDS } from './cache-control';
import { Connection } from './connection.type';
import { OrganizationPlan } from './enums';

@CachePrivate(CACHE_SECONDS.membership)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'An organization that runs studies. Visible to its members only.',
})
export class Organization {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  slug!: string;

  @Field(() => String)
  name!: string;

  @Field(() => OrganizationPlan)
  plan!: OrganizationPlan;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true })
export class OrganizationConnection extends Connection('Organization', Organization) {}
