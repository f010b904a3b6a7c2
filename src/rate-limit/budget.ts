import { LRUCache } from 'lru-cache';
import { withDeadline } from '../deadline';
import type { Logger } from '../observability/logger';
import type { RedisClient } from '../redis';

/** A token bucket: up to `capacity` points, refilled continuously at `refillPerSecond`. */
export interface BucketPolicy {
  capacity: number;
  refillPerSecond: number;
}

export interface BucketCharge {
  key: string;
  policy: BucketPolicy;
  /** Points to take (> 0), give back (< 0), or 0 to read the level. */
  cost: number;
  /**
   * Take the points even if the bucket lacks them (down to minus its capacity): settling work already
   * done, such as an answer that cost more than its estimate. The debt delays the principal's next requests.
   */
  force?: boolean;
}

export interface BucketLevel {
  allowed: boolean;
  /** Points left after this call. */
  remaining: number;
}

/**
 * Every bucket of one call is checked and charged together, atomically: if any bucket lacks the points,
 * none is charged. Refills are computed from Redis's clock (TIME), so processes on different machines
 * agree. A continuous bucket has no window edge at which a client could spend two windows at once.
 */
const TOKEN_BUCKETS_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local levels = {}
local allowed = 1
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[(i - 1) * 4 + 1])
  local rate = tonumber(ARGV[(i - 1) * 4 + 2])
  local cost = tonumber(ARGV[(i - 1) * 4 + 3])
  local force = ARGV[(i - 1) * 4 + 4] == '1'
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(state[1]) or capacity
  local ts = tonumber(state[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - ts) / 1000 * rate)
  levels[i] = tokens
  if cost > 0 and not force and tokens < cost then allowed = 0 end
end
local result = { allowed }
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[(i - 1) * 4 + 1])
  local rate = tonumber(ARGV[(i - 1) * 4 + 2])
  local cost = tonumber(ARGV[(i - 1) * 4 + 3])
  local force = ARGV[(i - 1) * 4 + 4] == '1'
  local tokens = levels[i]
  if allowed == 1 or cost < 0 or force then tokens = math.max(-capacity, math.min(capacity, tokens - cost)) end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(2 * capacity / rate * 1000) + 1000)
  result[i + 1] = tostring(tokens)
end
return result
`;

class MemoryBuckets {
  private readonly buckets = new LRUCache<string, { tokens: number; ts: number }>({ max: 100_000 });

  charge(charges: BucketCharge[]): BucketLevel[] {
    const now = Date.now();
    const levels = charges.map(({ key, policy }) => {
      const state = this.buckets.get(key);
      const tokens = state
        ? Math.min(policy.capacity, state.tokens + (Math.max(0, now - state.ts) / 1000) * policy.refillPerSecond)
        : policy.capacity;
      return tokens;
    });
    const allowed = charges.every((charge, i) => charge.cost <= 0 || charge.force || levels[i] >= charge.cost);
    return charges.map((charge, i) => {
      const { capacity } = charge.policy;
      const tokens =
        allowed || charge.cost < 0 || charge.force
          ? Math.max(-capacity, Math.min(capacity, levels[i] - charge.cost))
          : levels[i];
      this.buckets.set(charge.key, { tokens, ts: now });
      return { allowed, remaining: tokens };
    });
  }
}

/**
 * Point budgets in Redis when configured (shared and atomic across processes), in memory otherwise. If
 * Redis fails, the in-process buckets take over at once, and Redis is tried again after a second.
 */
export class Budgets {
  private readonly memory = new MemoryBuckets();
  private redisDownUntil = 0;

  constructor(
    private readonly redis: RedisClient | undefined,
    private readonly logger: Logger,
    private readonly timeoutMs = 1000,
  ) {}

  get usingRedis(): boolean {
    return this.redis !== undefined && Date.now() >= this.redisDownUntil;
  }

  async charge(charges: BucketCharge[]): Promise<BucketLevel[]> {
    if (this.redis && this.usingRedis) {
      try {
        const reply = (await withDeadline(
          this.redis.eval(TOKEN_BUCKETS_LUA, {
            keys: charges.map((c) => c.key),
            arguments: charges.flatMap((c) => [
              String(c.policy.capacity),
              String(c.policy.refillPerSecond),
              String(c.cost),
              c.force ? '1' : '0',
            ]),
          }),
          this.timeoutMs,
          'rate-limit store',
        )) as unknown as (number | string)[];
        const allowed = Number(reply[0]) === 1;
        return charges.map((_, i) => ({ allowed, remaining: Number(reply[i + 1]) }));
      } catch (error) {
        this.redisDownUntil = Date.now() + 1000;
        this.logger.warn({ err: error }, 'rate-limit store unavailable: counting in this process until it is back');
      }
    }
    return this.memory.charge(charges);
  }
}
