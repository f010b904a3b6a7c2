import { createClient, createCluster } from '@keyv/redis';
import type { Config } from './config';
import type { Logger } from './observability/logger';

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
  return (
    client.isOpen && client.masters.length > 0 && client.masters.every((master) => master.client?.isReady === true)
  );
}

/** How often a cluster client re-reads the topology while all is well, as ioredis does (slotsRefreshInterval). */
const TOPOLOGY_REFRESH_MS = 5000;
/** How soon after a node failed it re-reads it (again and again until a replica has taken over). */
const TOPOLOGY_RETRY_MS = 500;
/** How long a cluster whose seeds all failed waits before it tries them again. */
const RECONNECT_MS = 2000;

/** What keeps a cluster client healthy in the background: stopped (and waited for) when it closes. */
interface ClusterUpkeep {
  stop(): Promise<void>;
}
const upkeeps = new WeakMap<RedisClusterClient, ClusterUpkeep>();

/**
 * node-redis re-reads a cluster's topology only when a node answers MOVED or ASK. A master that dies
 * answers nothing: the client would keep reconnecting to it after its replica was promoted, and every
 * key of its slots would fail forever (node-redis issue #2806). So the topology is re-read every few
 * seconds, and soon after any node fails until the cluster has healed; discovery also moves the
 * pub/sub connection off a node that left, with its listeners. A cluster whose seeds all failed (it
 * stays closed) is connected again here too: this is its only connector.
 */
function keepClusterHealthy(cluster: RedisClusterClient, logger: Logger): void {
  let timer: NodeJS.Timeout | undefined;
  let due = Infinity;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const refresh = async () => {
    if (!cluster.isOpen) {
      const connected = await connect(cluster, logger);
      return schedule(connected ? TOPOLOGY_REFRESH_MS : RECONNECT_MS);
    }
    // Any node's client will do to start from: discovery falls back to the seeds when it cannot answer.
    const startWith = cluster.masters.find((master) => master.client?.isReady)?.client ?? cluster.masters[0]?.client;
    try {
      if (startWith) await cluster._slots.rediscover(startWith);
    } catch (error) {
      logger.debug({ err: error }, 'redis cluster topology refresh failed');
    }
    schedule(isRedisReady(cluster) ? TOPOLOGY_REFRESH_MS : TOPOLOGY_RETRY_MS);
  };
  const schedule = (ms: number) => {
    // A sooner refresh replaces a later one; a later one never pushes a sooner one back.
    if (stopped || (timer && Date.now() + ms >= due)) return;
    clearTimeout(timer);
    due = Date.now() + ms;
    timer = setTimeout(() => {
      timer = undefined;
      due = Infinity;
      running = refresh().finally(() => (running = undefined));
    }, ms);
    timer.unref();
  };
  cluster.on('node-error', (error: unknown, node: { host: string; port: number }) => {
    logger.debug({ err: error, node: `${node.host}:${node.port}` }, 'redis cluster node error');
    schedule(TOPOLOGY_RETRY_MS);
  });
  schedule(TOPOLOGY_REFRESH_MS);
  upkeeps.set(cluster, {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // A discovery under way may still open node connections: close only after it.
      await running?.catch(() => undefined);
    },
  });
}

async function connect(client: RedisClient, logger: Logger): Promise<boolean> {
  try {
    await client.connect();
    return true;
  } catch (error) {
    logger.warn({ err: error }, 'redis is not reachable; serving without it until it is');
    return false;
  }
}

const INITIAL_CONNECT_WAIT_MS = 2000;

/** Opens a connection like `client` (same server or cluster), e.g. for pub/sub, where a connection listens only. */
export function duplicateRedisClient(client: RedisClient, logger: Logger): RedisClient {
  if (!isCluster(client)) return client.duplicate();
  const duplicate = client.duplicate();
  keepClusterHealthy(duplicate, logger);
  return duplicate;
}

/**
 * One Redis connection per process (a client per node in a cluster) for the cache, persisted queries
 * and rate-limit counters. Start-up waits briefly for it; if Redis is not there, the gateway serves
 * without it and the client keeps reconnecting by itself.
 */
export async function createRedisClient(
  target: Pick<Config, 'redisUrl' | 'redisClusterNodes'>,
  logger: Logger,
): Promise<RedisClient | undefined> {
  let client: RedisClient;
  let where: string;
  if (target.redisUrl) {
    client = connectServer(target.redisUrl);
    where = new URL(target.redisUrl).host;
  } else if (target.redisClusterNodes.length > 0) {
    client = connectCluster(target.redisClusterNodes);
    keepClusterHealthy(client, logger);
    where = `cluster ${target.redisClusterNodes.join(',')}`;
  } else {
    return undefined;
  }
  client.on('error', (error: unknown) => logger.debug({ err: error }, 'redis client error'));
  const connected = connect(client, logger);
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    connected,
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), INITIAL_CONNECT_WAIT_MS))),
  ]);
  clearTimeout(timer);
  if (!ready) logger.warn({ redis: where }, 'redis not ready at start: cache and shared limits wait for it');
  return client;
}

/**
 * Connects a client made by this module (a second connect of a cluster would race its upkeep, which
 * reconnects a cluster whose seeds all failed; a single server's client reconnects by itself).
 */
export function startRedisClient(client: RedisClient, logger: Logger): Promise<boolean> {
  return connect(client, logger);
}

export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (isCluster(client)) {
    await upkeeps.get(client)?.stop();
    upkeeps.delete(client);
    if (client.isOpen) await client.close().catch(() => client.destroy());
    return;
  }
  if (client.isReady) {
    await client.close().catch(() => client.destroy());
  } else if (client.isOpen) {
    client.destroy();
  }
}
