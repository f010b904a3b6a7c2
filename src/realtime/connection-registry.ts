import { withDeadline } from '../deadline';
import type { Logger } from '../observability/logger';
import type { RedisClient } from '../redis';

/**
 * A user's open connections, as leases: a sorted set (one key, so one hash slot on a Redis Cluster) of
 * connection ids scored by when their lease ends. A process renews its connections' leases while they are
 * open and removes them on close; a process that dies leaves leases that lapse on their own.
 */
const OPEN_LUA = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1`;

const connectionsKey = (userId: string) => `studygraph:{ws:${userId}}:connections`;

/** How long a lease lasts without renewal; renewed three times within it. */
export const LEASE_MS = 60_000;
const STORE_TIMEOUT_MS = 1000;

export interface ConnectionLease {
  /** Keeps the lease alive (called periodically while the connection is open). */
  renew(): Promise<void>;
  release(): Promise<void>;
}

/**
 * At most `max` open connections per user across every process (Redis), or in this process without it.
 * If Redis cannot be asked, the connection is counted in this process alone rather than refused.
 */
export class ConnectionRegistry {
  private readonly local = new Map<string, Set<string>>();

  constructor(
    private readonly redis: RedisClient | undefined,
    private readonly max: number,
    private readonly logger: Logger,
  ) {}

  /** A lease for the connection, or null when the user already holds `max`. */
  async open(userId: string, connectionId: string): Promise<ConnectionLease | null> {
    if (this.redis) {
      const redis = this.redis;
      const key = connectionsKey(userId);
      try {
        const granted = await withDeadline(
          redis.eval(OPEN_LUA, {
            keys: [key],
            arguments: [String(Date.now()), connectionId, String(this.max), String(LEASE_MS)],
          }),
          STORE_TIMEOUT_MS,
          'connection registry',
        );
        if (Number(granted) !== 1) return null;
        return {
          renew: async () => {
            await redis
              .zAdd(key, { score: Date.now() + LEASE_MS, value: connectionId }, { XX: true })
              .catch((error: unknown) => this.logger.debug({ err: error }, 'connection lease not renewed'));
            await redis.pExpire(key, LEASE_MS).catch(() => undefined);
          },
          release: async () => {
            await redis
              .zRem(key, connectionId)
              .catch((error: unknown) =>
                this.logger.debug({ err: error }, 'connection lease not released; it lapses by itself'),
              );
          },
        };
      } catch (error) {
        this.logger.warn(
          { err: error },
          'connection registry unavailable: counting connections in this process until it is back',
        );
      }
    }
    return this.openLocally(userId, connectionId);
  }

  private openLocally(userId: string, connectionId: string): ConnectionLease | null {
    let open = this.local.get(userId);
    if (!open) this.local.set(userId, (open = new Set()));
    if (open.size >= this.max) return null;
    open.add(connectionId);
    return {
      renew: async () => undefined,
      release: async () => {
        open.delete(connectionId);
        if (open.size === 0 && this.local.get(userId) === open) this.local.delete(userId);
      },
    };
  }
}
