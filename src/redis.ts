import { createClient } from '@keyv/redis';
import type { Logger } from './logger';

function connect(url: string) {
  return createClient({
    url,
    // Fail fast while disconnected (callers fall back at once) instead of queueing behind a dead socket.
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
  });
}

export type RedisClient = ReturnType<typeof connect>;

const INITIAL_CONNECT_WAIT_MS = 2000;

/**
 * One Redis connection per process for the cache, persisted queries and rate-limit counters. Start-up
 * waits briefly for it; if Redis is not there, the gateway serves without it and the client keeps
 * reconnecting by itself.
 */
export async function createRedisClient(url: string, logger: Logger): Promise<RedisClient> {
  const client = connect(url);
  client.on('error', (error: unknown) => logger.debug({ err: error }, 'redis client error'));
  const connected = client.connect().then(
    () => true,
    (error: unknown) => {
      logger.warn({ err: error }, 'redis is not reachable; serving without it until it is');
      return false;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([connected, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), INITIAL_CONNECT_WAIT_MS)))]);
  clearTimeout(timer);
  if (!ready) logger.warn({ url: new URL(url).host }, 'redis not ready at start: cache and shared limits wait for it');
  return client;
}

export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.isReady) {
    await client.close().catch(() => client.destroy());
  } else if (client.isOpen) {
    client.destroy();
  }
}
