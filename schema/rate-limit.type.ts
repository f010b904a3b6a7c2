import { Field, Float, GraphQLISODateTime, Int, ObjectType } from 'type-graphql';
import { CachePrivate } from './cache-control';
import { Cost } from './cost-directives';

@CachePrivate(0)
@Cost(0)
@ObjectType({
  simpleResolvers: true,
  description:
    "The caller's point budget and what this operation costs (GitHub's rateLimit, Shopify's throttleStatus).",
})
export class RateLimitStatus {
  @Field(() => Int, {
    description: 'Estimated cost of this whole operation; with dryRun, what it would cost (nothing is charged or run).',
  })
  cost!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Size of the budget (maximumAvailable); null when rate limits are off.',
  })
  limit!: number | null;

  @Field(() => Int, { nullable: true, description: 'Points left now (currentlyAvailable).' })
  remaining!: number | null;

  @Field(() => Float, { nullable: true, description: 'Points restored per second.' })
  restoreRate!: number | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the budget will be full again.' })
  resetAt!: Date | null;
}
