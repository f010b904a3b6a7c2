import { LRUCache } from 'lru-cache';
import { withDeadline } from '../deadline';
import type { Logger } from '../observability/logger';
import type { RedisClient } from '../redis';

const REDIS_DEADLINE_MS = 50;

/**
 * Who wrote within the last `windowSeconds`: their reads go to the primary, so a client never reads
 * an older state than the one its own mutation created (read-your-writes despite replication lag).
 * Kept in Redis so every process agrees; in-process when Redis is absent or failing. A lookup that
 * cannot be answered counts as "wrote recently": the primary is always correct, only busier.
 */
export class RecentWriters {
  private readonly local: LRUCache<string, true>;

  constructor(
    private readonly redis: RedisClient | undefined,
    private readonly windowSeconds: number,
    private readonly logger: Logger,
  ) {
    this.local = new LRUCache({ max: 100_000, ttl: windowSeconds * 1000 });
  }

  private key(userId: string) {
    return `studygraph:ryw:${userId}`;
  }

  async markWrite(userId: string): Promise<void> {
    this.local.set(userId, true);
    if (!this.redis) return;
    try {
      await withDeadline(
        this.redis.set(this.key(userId), '1', { expiration: { type: 'PX', value: this.windowSeconds * 1000 } }),
        REDIS_DEADLINE_MS,
        'redis',
      );
    } catch (error) {
      this.logger.debug({ err: error }, 'could not record a write in Redis; this process still knows it');
    }
  }

  async wroteRecently(userId: string): Promise<boolean> {
    if (this.local.has(userId)) return true;
    if (!this.redis) return false;
    try {
      return (await withDeadline(this.redis.get(this.key(userId)), REDIS_DEADLINE_MS, 'redis')) !== null;
    } catch {
      return true;
    }
  }
}
