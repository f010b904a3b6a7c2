import KeyvRedis from '@keyv/redis';
import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import Keyv, { type DeserializedData, type Deserialize, type Serialize } from 'keyv';
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
 * One generation takes ~85 characters in the LRU (its key and a UUID): this keeps ~100,000 of them. Keys are only made for the subject of a verified token and its organizations, never for
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
 * Keyv over Redis (REDIS_URL; KeyvAdapter batches concurrent gets into one MGET) or a bounded in-process LRU,
 * behind the Apollo KeyValueCache interface, made resilient: a Redis outage turns into misses.
 */
export function createCacheStore(
  config: Config,
  redis: RedisClient | undefined,
  logger: Logger,
  metrics: Metrics,
): CacheStore {
  const log = logger.child({ component: 'cache' });
  const resilient = (store: KeyValueCache<string>, timeoutMs: number | undefined) =>
    new ResilientCache(store, {
      timeoutMs,
      cooldownMs: 1000,
      onError: (operation, error) => {
        metrics.cacheErrors.inc({ operation });
        log.warn({ err: error, operation }, 'cache store unavailable: serving without it');
      },
      onRecover: () => log.info('cache store answers again'),
      connected: redis ? () => isRedisReady(redis) : undefined,
    });
  if (redis) {
    const store = new KeyvRedis<string>(redis, {
      throwOnConnectError: false,
      throwOnErrors: true,
      connectionTimeout: 1000,
    });
    const keyv = new Keyv<string>({ store, namespace: 'studygraph', throwOnErrors: true, ...serialization });
    keyv.on('error', (error: unknown) => log.debug({ err: error }, 'keyv error'));
    const cache = resilient(new KeyvAdapter(keyv, { disableBatchReads: false }), config.cacheTimeoutMs);
    return { kind: 'redis', cache, generations: cache };
  }
  return {
    kind: 'memory',
    cache: resilient(inProcessStore(config.responseCacheMaxBytes), undefined),
    generations: resilient(inProcessStore(GENERATION_STORE_MAX_BYTES), undefined),
  };
}

/**
 * The process's own store: strings kept as they are in an LRU bounded in bytes (keys counted too), with no
 * Keyv around it. Keyv's JSON envelope, its batching and a deadline timer per call cost every request (the
 * viewer's generations are read on each) and bought nothing in process.
 */
function inProcessStore(maxBytes: number): KeyValueCache<string> {
  return new InMemoryLRUCache<string>({
    maxSize: maxBytes,
    sizeCalculation: (value, key) => value.length + key.length,
  });
}
