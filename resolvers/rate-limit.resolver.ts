import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { Cost } from '../schema/cost-directives';
import { RateLimitStatus } from '../schema/rate-limit.type';
import type { GatewayContext } from '../src/context/context';

@Resolver(() => RateLimitStatus)
export class RateLimitResolver {
  @Cost(0)
  @Query(() => RateLimitStatus, {
    description: 'The caller’s budget after this operation was charged, and its cost. Never cached.',
  })
  rateLimit(
    @Arg('dryRun', () => Boolean, {
      defaultValue: false,
      description: 'Only price the rest of the operation: run and charge nothing.',
    })
    _dryRun: boolean,
    @Ctx() ctx: GatewayContext,
  ): RateLimitStatus {
    const cost = ctx.cost;
    const throttle = cost?.throttle ?? null;
    const secondsToFull = throttle
      ? (throttle.maximumAvailable - throttle.currentlyAvailable) / throttle.restoreRate
      : 0;
    return Object.assign(new RateLimitStatus(), {
      cost: cost?.requested ?? 0,
      limit: throttle?.maximumAvailable ?? null,
      remaining: throttle?.currentlyAvailable ?? null,
      restoreRate: throttle?.restoreRate ?? null,
      resetAt: throttle ? new Date(Date.now() + Math.ceil(secondsToFull) * 1000) : null,
    });
  }
}
