import KeyvRedis from '@keyv/redis';
import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import Keyv, { type DeserializedData, type Deserialize, type Serialize } from 'keyv';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { isRedisReady, type RedisClient } from '../redis';
import { ResilientCache } from './resilient-cache';

export interface CacheStore {
  readonly kind: 'redis' | 'memory';
  /** Responses and persisted queries. */
  readonly cache: ResilientCache;
  /**
   * The invalidation generations: in Redis with the rest, in process a store of their own, so that
   * responses and persisted queries (which clients choose) never evict them. Evicted anyway, a generation
   * is replaced by a fresh one (see OrganizationGenerations), but each eviction costs its tenant a cold cache.
   */
  readonly generations: ResilientCache;
}

/**
 * One generation takes ~128 characters in the LRU (namespaced key, Keyv's JSON around a UUID): this keeps
 * ~65,000 of them. Keys are only made for the subject of a verified token and its organizations, never for
 * what a request names, so this is room for every tenant of a single-process deployment.
 */
const GENERATION_STORE_MAX_BYTES = 8 * 1024 * 1024;

/** A value under our prefix that is not JSON is someone else's (or corrupt): a miss, not a store failure. */
const serialize: Serialize = (data) => JSON.stringify(data);
const deserialize: Deserialize = <Value>(data: string) => {
  try {
    const parsed = JSON.parse(data) as unknown;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- keyv's Deserialize is generic in Value: the parsed object stands for it
    return parsed !== null && typeof parsed === 'object' ? (parsed as DeserializedData<Value>) : undefined;
  } catch {
    return undefined;
  }
};
const serialization = { serialize, deserialize };

/**
 * Keyv over Redis (REDIS_URL) or over a bounded in-process LRU, behind the Apollo KeyValueCache interface
 * (KeyvAdapter batches concurrent gets into one MGET), made resilient: a Redis outage turns into misses.
 */
export function createCacheStore(
  config: Config,
  redis: RedisClient | undefined,
  logger: Logger,
  metrics: Metrics,
): CacheStore {
  const log = logger.child({ component: 'cache' });
  const resilient = (keyv: Keyv<string>) => {
    keyv.on('error', (error: unknown) => log.debug({ err: error }, 'keyv error'));
    return new ResilientCache(new KeyvAdapter(keyv, { disableBatchReads: false }), {
      timeoutMs: config.cacheTimeoutMs,
      cooldownMs: 1000,
      onError: (operation, error) => {
        metrics.cacheErrors.inc({ operation });
        log.warn({ err: error, operation }, 'cache store unavailable: serving without it');
      },
      onRecover: () => log.info('cache store answers again'),
      connected: redis ? () => isRedisReady(redis) : undefined,
    });
  };
  if (redis) {
    const store = new KeyvRedis<string>(redis, {
      throwOnConnectError: false,
      throwOnErrors: true,
      connectionTimeout: 1000,
    });
    const cache = resilient(
      new Keyv<string>({ store, namespace: 'studygraph', throwOnErrors: true, ...serialization }),
    );
    return { kind: 'redis', cache, generations: cache };
  }
  return {
    kind: 'memory',
    cache: resilient(inProcessKeyv(config.responseCacheMaxBytes)),
    generations: resilient(inProcessKeyv(GENERATION_STORE_MAX_BYTES)),
  };
}

function inProcessKeyv(maxBytes: number): Keyv<string> {
  const lru = new LRUCache<string, string>({
    maxSize: maxBytes,
    sizeCalculation: (value, key) => value.length + key.length,
  });
  // Keyv calls set(key, value, ttlMs) on Map-like stores; lru-cache takes its ttl in an options object.
  const store = {
    get: (key: string) => lru.get(key),
    set: (key: string, value: string, ttl?: number) => lru.set(key, value, ttl ? { ttl } : undefined),
    delete: (key: string) => lru.delete(key),
    has: (key: string) => lru.has(key),
    clear: () => lru.clear(),
  };
  return new Keyv<string>({ store, namespace: 'studygraph', throwOnErrors: true, ...serialization });
}
