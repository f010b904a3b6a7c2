import { createClient, createCluster } from '@keyv/redis';
import type { Config } from './config';
import type { Logger } from './logger';

// Fail fast while disconnected (callers fall back at once) instead of queueing behind a dead socket.
const CONNECTION_DEFAULTS = {
  disableOfflineQueue: true,
  socket: { connectTimeout: 1000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
};

function connectServer(url: string) {
  return createClient({ url, ...CONNECTION_DEFAULTS });
}

function connectCluster(nodes: readonly string[]) {
  return createCluster({ rootNodes: nodes.map((node) => ({ url: `redis://${node}` })), defaults: CONNECTION_DEFAULTS });
}

type RedisServerClient = ReturnType<typeof connectServer>;
type RedisClusterClient = ReturnType<typeof connectCluster>;
/** One Redis server or a Redis Cluster: the commands we send (single-key, or keys sharing a hash tag) work on both. */
export type RedisClient = RedisServerClient | RedisClusterClient;

export function isCluster(client: RedisClient): client is RedisClusterClient {
  return 'masters' in client;
}

/** Whether commands would be sent now (a cluster: its connection is open and it knows every master). */
export function isRedisReady(client: RedisClient): boolean {
  if (!isCluster(client)) return client.isReady;
  return client.isOpen && client.masters.length > 0 && client.masters.every((master) => master.client?.isReady === true);
}

/** How often a cluster client re-reads the topology while all is well, as ioredis does (slotsRefreshInterval). */
const TOPOLOGY_REFRESH_MS = 5000;
/** How soon after a node failed it re-reads it (again and again until a replica has taken over). */
const TOPOLOGY_RETRY_MS = 500;
const topologyWatchers = new WeakMap<RedisClusterClient, () => void>();

/**
 * node-redis re-reads a cluster's topology only when a node answers MOVED or ASK. A master that dies
 * answers nothing: the client would keep reconnecting to it after its replica was promoted, and every
 * key of its slots would fail forever (node-redis issue #2806). So the topology is re-read every few
 * seconds, and soon after any node fails until the cluster has healed; discovery also moves the
 * pub/sub connection off a node that left, with its listeners.
 */
function watchTopology(cluster: RedisClusterClient, logger: Logger): void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const refresh = async () => {
    timer = undefined;
    if (stopped || !cluster.isOpen) return schedule(TOPOLOGY_REFRESH_MS);
    const healthy = cluster.masters.find((master) => master.client?.isReady) ?? cluster.masters[0];
    try {
      if (healthy?.client) await cluster._slots.rediscover(healthy.client);
    } catch (error) {
      logger.debug({ err: error }, 'redis cluster topology refresh failed');
    }
    schedule(isRedisReady(cluster) ? TOPOLOGY_REFRESH_MS : TOPOLOGY_RETRY_MS);
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) {
      if (ms >= TOPOLOGY_REFRESH_MS) return;
      clearTimeout(timer);
    }
    timer = setTimeout(() => void refresh(), ms);
    timer.unref();
  };
  cluster.on('node-error', (error: unknown, node: { host: string; port: number }) => {
    logger.debug({ err: error, node: `${node.host}:${node.port}` }, 'redis cluster node error');
    schedule(TOPOLOGY_RETRY_MS);
  });
  schedule(TOPOLOGY_REFRESH_MS);
  topologyWatchers.set(cluster, () => {
    stopped = true;
    clearTimeout(timer);
  });
}

const INITIAL_CONNECT_WAIT_MS = 2000;

/** Opens a connection like `client` (same server or cluster), e.g. for pub/sub, where a connection listens only. */
export function duplicateRedisClient(client: RedisClient, logger: Logger): RedisClient {
  if (!isCluster(client)) return client.duplicate();
  const duplicate = client.duplicate();
  watchTopology(duplicate, logger);
  return duplicate;
}

/**
 * One Redis connection per process (a client per node in a cluster) for the cache, persisted queries
 * and rate-limit counters. Start-up waits briefly for it; if Redis is not there, the gateway serves
 * without it and the client keeps reconnecting by itself.
 */
export async function createRedisClient(target: Pick<Config, 'redisUrl' | 'redisClusterNodes'>, logger: Logger): Promise<RedisClient | undefined> {
  let client: RedisClient;
  let where: string;
  if (target.redisUrl) {
    client = connectServer(target.redisUrl);
    where = new URL(target.redisUrl).host;
  } else if (target.redisClusterNodes.length > 0) {
    client = connectCluster(target.redisClusterNodes);
    watchTopology(client, logger);
    where = `cluster ${target.redisClusterNodes.join(',')}`;
  } else {
    return undefined;
  }
  client.on('error', (error: unknown) => logger.debug({ err: error }, 'redis client error'));
  const connected = connectWithRetry(client, logger);
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([connected, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), INITIAL_CONNECT_WAIT_MS)))]);
  clearTimeout(timer);
  if (!ready) logger.warn({ redis: where }, 'redis not ready at start: cache and shared limits wait for it');
  return client;
}

/**
 * A single server's client reconnects by itself. A cluster client whose first discovery failed (no seed
 * answered) stays closed, so it is connected again until it opens.
 */
export async function connectWithRetry(client: RedisClient, logger: Logger): Promise<boolean> {
  try {
    await client.connect();
    return true;
  } catch (error) {
    logger.warn({ err: error }, 'redis is not reachable; serving without it until it is');
    if (isCluster(client)) {
      const retry = setTimeout(() => {
        if (!client.isOpen && topologyWatchers.has(client)) void connectWithRetry(client, logger);
      }, 2000);
      retry.unref();
    }
    return false;
  }
}

export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (isCluster(client)) {
    topologyWatchers.get(client)?.();
    topologyWatchers.delete(client);
    if (client.isOpen) await client.close().catch(() => client.destroy());
    return;
  }
  if (client.isReady) {
    await client.close().catch(() => client.destroy());
  } else if (client.isOpen) {
    client.destroy();
  }
}
