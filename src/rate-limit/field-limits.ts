import { GraphQLError, type GraphQLSchema } from 'graphql';
import { rateLimitDirective, type RateLimitArgs } from 'graphql-rate-limit-directive';
import { RateLimiterMemory, RateLimiterRedis, type IRateLimiterRedisOptions } from 'rate-limiter-flexible';
import type { GatewayContext } from '../context/context';
import { ErrorCode } from '../graphql/errors';
import type { Metrics } from '../observability/metrics';
import type { RedisClient } from '../redis';
import { principalOf } from './principal';

/**
 * @rateLimit(limit, duration) on heavy fields (graphql-rate-limit-directive over rate-limiter-flexible):
 * counters in Redis, with an in-process limiter of the same size taking over while Redis fails.
 */
export function fieldRateLimits(
  redis: RedisClient | undefined,
  metrics: Metrics,
): (schema: GraphQLSchema) => GraphQLSchema {
  class RedisWithInsurance extends RateLimiterRedis {
    constructor(options: IRateLimiterRedisOptions) {
      super({
        ...options,
        storeClient: redis,
        useRedisPackage: true,
        keyPrefix: 'studygraph:rl:field',
        insuranceLimiter: new RateLimiterMemory({
          points: options.points,
          duration: options.duration,
          keyPrefix: 'studygraph:rl:field',
        }),
      });
    }
  }
  const { rateLimitDirectiveTransformer } = rateLimitDirective<GatewayContext>({
    limiterClass: redis ? RedisWithInsurance : RateLimiterMemory,
    keyGenerator: (args: RateLimitArgs, _source, _args, ctx, info) =>
      `${principalOf(ctx).key}:${info.parentType.name}.${info.fieldName}:${args.limit}/${args.duration}`,
    onLimit: (response, args, _source, _args, _ctx, info) => {
      metrics.throttled.inc({ reason: 'field' });
      const retryAfter = Math.max(1, Math.ceil(response.msBeforeNext / 1000));
      throw new GraphQLError(
        `${info.parentType.name}.${info.fieldName} may be called ${args.limit} times per ${args.duration} s; retry in ${retryAfter} s.`,
        {
          extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: retryAfter },
        },
      );
    },
  });
  return rateLimitDirectiveTransformer;
}
